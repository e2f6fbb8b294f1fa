//! XOR inference with weights decoded into flash at compile time: `NET` is a `static` in
//! `.rodata`, built by `include_network!` from `weights/xor.bin` (written on the host by
//! `cargo run --release --example flash_weights`). Nothing is copied to RAM.
//!
//! ```text
//! cd embedded/mcu && cargo run --release --bin flash_xor     # under qemu-system-arm
//! ```
#![no_std]
#![no_main]

use core::fmt::Write;
use cortex_m_rt::entry;
use dl_core::prelude::*;
use dl_demos::xor::{report, Xor};
use panic_semihosting as _;

/// The memory budget, checked by the compiler: this build fails if the parameters outgrow it.
const _: () = assert!(Xor::<f32>::PARAM_BYTES <= 16 * 1024);

/// Checked (magic, version, architecture, checksum, finiteness) and decoded by the compiler.
static NET: Xor<f32> = dl_core::include_network!(Xor<f32>, "../../weights/xor.bin");

/// The most stack this firmware may use, in bytes (inference from flash; 2,280 B measured on the
/// M4F, 2,556 B on the M0): past it the firmware reports failure, and CI with it.
const STACK_BUDGET: usize = 3072;

#[entry]
fn main() -> ! {
    dl_mcu::run(STACK_BUDGET, |out| {
        let _ = writeln!(
            out,
            "xor weights in flash at {:p} ({} bytes of parameters)",
            &NET,
            Xor::<f32>::PARAM_BYTES
        );
        report(out, &NET).unwrap_or(false)
    })
}
