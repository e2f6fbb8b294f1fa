//! The digits MLP (64-32-10, 2410 parameters) classifying test images, with its weights
//! decoded into flash at compile time from `weights/digits.bin`. By default it embeds one
//! test image of each class (the footprint build); with `--features full-test-set` all 360
//! images of the fixed test split (what CI runs under QEMU).
//!
//! ```text
//! cd embedded/mcu && cargo run --release --bin digits --features full-test-set
//! ```
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use dl_core::prelude::*;
use dl_demos::digits::{report, DigitsMlp};
use dl_mcu::TEST_IMAGES;
use panic_semihosting as _;

/// The memory budget, checked by the compiler.
const _: () = assert!(DigitsMlp::<f32>::PARAM_BYTES <= 16 * 1024);

static NET: DigitsMlp<f32> = dl_core::include_network!(DigitsMlp<f32>, "../../weights/digits.bin");

/// The most stack this firmware may use, in bytes (inference from flash; 1,444 B measured on the
/// M4F, 1,564 B on the M0): past it the firmware reports failure, and CI with it.
const STACK_BUDGET: usize = 2048;

#[entry]
fn main() -> ! {
    dl_mcu::run(STACK_BUDGET, |out| {
        report(out, "digits MLP 64-32-10", &NET, TEST_IMAGES).unwrap_or(false)
    })
}
