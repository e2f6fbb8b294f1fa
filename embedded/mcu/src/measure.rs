//! Instruction counts and stack use, measured as `../shared/anchors/microflow` does: the
//! firmware executes `sev` markers around what it measures and the `plugin/insn_marker.c` QEMU
//! plugin prints the instructions executed between consecutive markers.

use core::ptr::{read_volatile, write_volatile};

/// A marker for the `insn_marker` plugin: one `sev` (a no-op on these boards, never emitted
/// by the compiler). The asm is volatile and may touch memory, so the compiler keeps the
/// stores, loads and `black_box`es around it in order.
#[inline(always)]
pub fn marker() {
    // SAFETY: `sev` only signals an event; no memory or register is changed.
    unsafe { core::arch::asm!("sev", options(nostack, preserves_flags)) }
}

/// The stack that `f` alone uses, in bytes: the free stack below this frame is painted, `f`
/// runs, and the deepest word it changed is measured from this frame's stack pointer
/// (including the call into `f`, a few words).
#[inline(never)]
pub fn stack_of(f: impl FnOnce()) -> usize {
    let (bottom, _) = super::stack_bounds();
    let sp = cortex_m::register::msp::read() as usize;
    let mut p = bottom;
    while p < sp {
        // SAFETY: below the stack pointer: free stack, nothing else lives there (no heap).
        unsafe { write_volatile(p as *mut u32, super::PAINT) };
        p += 4;
    }
    f();
    let mut p = bottom;
    // SAFETY: word-aligned reads of free stack.
    while p < sp && unsafe { read_volatile(p as *const u32) } == super::PAINT {
        p += 4;
    }
    sp - p
}

/// Classifies the encoded digits images with `forward` (int8 pixels to int8 logits), between
/// markers: 1 nothing; 3 one image; 5 the loop over the images converting each without
/// inference; 7 the same loop with inference and argmax. Prints `test accuracy N/M`, the
/// stack of one inference, and returns the number right.
pub fn digits(
    out: &mut impl core::fmt::Write,
    name: &str,
    input: dl_core::quant::QuantParams,
    forward: impl Fn(&[i8; 64]) -> [i8; 10],
    records: &[u8],
) -> Result<usize, core::fmt::Error> {
    use crate::int8::{argmax, pixel_table, pixels};
    use core::hint::black_box;
    use dl_demos::digits::{label, RECORD};
    let table = pixel_table(input);
    let first = pixels(records, &table);
    let stack = stack_of(|| {
        black_box(forward(black_box(&first)));
    });
    marker();
    marker();
    marker();
    black_box(forward(black_box(&first)));
    marker();
    let mut sum = 0usize;
    marker();
    for r in records.chunks_exact(RECORD) {
        sum += black_box(pixels(r, &table))[0] as usize;
    }
    marker();
    let mut correct = 0usize;
    marker();
    for r in records.chunks_exact(RECORD) {
        correct += (argmax(&forward(&pixels(r, &table))) == label(r)) as usize;
    }
    marker();
    black_box(sum);
    let n = records.len() / RECORD;
    writeln!(out, "{name} int8 ({n} images)")?;
    writeln!(out, "test accuracy {correct}/{n}")?;
    writeln!(out, "inference stack: {stack} bytes")?;
    Ok(correct)
}
