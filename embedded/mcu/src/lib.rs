//! What the Cortex-M examples share: printing over semihosting, measuring the stack, and
//! leaving QEMU with the example's verdict as its exit status.
#![no_std]

use core::fmt::{self, Write};
use core::ptr::{addr_of, read_volatile, write_volatile};
use cortex_m_semihosting::debug;
use cortex_m_semihosting::hio::{self, HostStream};

pub mod int8;
pub mod measure;

/// Encoded digits test images (see `dl_demos::digits::RECORD`): all 360 of the fixed test
/// split with the `full-test-set` feature, else the first of each class.
#[cfg(feature = "full-test-set")]
pub static TEST_IMAGES: &[u8] = include_bytes!("../weights/digits_test.bin");
/// Encoded digits test images (see `dl_demos::digits::RECORD`): all 360 of the fixed test
/// split with the `full-test-set` feature, else the first of each class.
#[cfg(not(feature = "full-test-set"))]
pub static TEST_IMAGES: &[u8] = include_bytes!("../weights/digits_sample.bin");

/// Runs an example: paints the stack, hands `example` the host's stdout, prints the peak stack
/// use against the firmware's `stack_budget` (bytes), and exits: QEMU exits 0 if `example`
/// returned `true` and the stack stayed within the budget, 1 if not, so CI fails when a
/// firmware's stack grows past the budget written in it.
pub fn run(stack_budget: usize, example: impl FnOnce(&mut Semihosting) -> bool) -> ! {
    paint_stack();
    let ok = match hio::hstdout() {
        Ok(stdout) => {
            let mut out = Semihosting(stdout);
            let ok = example(&mut out);
            let peak = peak_stack();
            let _ = writeln!(out, "peak stack: {peak} bytes (budget {stack_budget})");
            if peak > stack_budget {
                let _ = writeln!(out, "stack budget exceeded: {peak} > {stack_budget} bytes");
            }
            ok && peak <= stack_budget
        }
        Err(()) => false,
    };
    debug::exit(if ok {
        debug::EXIT_SUCCESS
    } else {
        debug::EXIT_FAILURE
    });
    // Only reached without a debugger or emulator to exit to.
    loop {
        cortex_m::asm::wfi();
    }
}

/// The host's stdout, as a [`fmt::Write`].
pub struct Semihosting(pub HostStream);

impl fmt::Write for Semihosting {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0.write_all(s.as_bytes()).map_err(|()| fmt::Error)
    }
}

/// A word no computation is likely to leave behind.
const PAINT: u32 = 0x5AC3_A53C;

extern "C" {
    // From cortex-m-rt's link.x: the stack grows down from `_stack_start` (the end of RAM)
    // towards `_stack_end` (the end of `.bss`).
    static _stack_start: u32;
    static _stack_end: u32;
}

fn stack_bounds() -> (usize, usize) {
    // Only the addresses of the linker's symbols are taken, never their values.
    (
        addr_of!(_stack_end) as usize,
        addr_of!(_stack_start) as usize,
    )
}

/// Fills the unused stack, from the end of `.bss` to just below the current frame, with a
/// known word, so [`peak_stack`] can later see how deep the stack went. Call it first thing.
#[inline(never)]
pub fn paint_stack() {
    let (bottom, _) = stack_bounds();
    // Leave a margin below the stack pointer for this function's own frame.
    let limit = cortex_m::register::msp::read() as usize - 64;
    let mut p = bottom;
    while p < limit {
        // SAFETY: [bottom, limit) is RAM between the end of .bss and below the live stack,
        // used by nothing else (there is no heap).
        unsafe { write_volatile(p as *mut u32, PAINT) };
        p += 4;
    }
}

/// The most stack used since [`paint_stack`], in bytes: from the top of RAM down to the
/// lowest word that no longer holds the paint.
pub fn peak_stack() -> usize {
    let (bottom, top) = stack_bounds();
    let mut p = bottom;
    // SAFETY: reads RAM inside the stack region, word-aligned (link.x aligns both ends).
    while p < top && unsafe { read_volatile(p as *const u32) } == PAINT {
        p += 4;
    }
    top - p
}
