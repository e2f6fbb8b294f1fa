//! The digits CNN (Conv2D 1->4 3x3, max-pool 2, dense 64->10; 690 parameters) classifying
//! test images, with its weights decoded into flash at compile time from
//! `weights/digits_cnn.bin`. Test images as in the `digits` example.
//!
//! ```text
//! cd embedded/mcu && cargo run --release --bin digits_cnn --features full-test-set
//! ```
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use dl_core::prelude::*;
use dl_demos::digits::{report, DigitsCnn};
use dl_mcu::TEST_IMAGES;
use panic_semihosting as _;

/// The memory budget, checked by the compiler.
const _: () = assert!(DigitsCnn::<f32>::PARAM_BYTES <= 16 * 1024);

static NET: DigitsCnn<f32> =
    dl_core::include_network!(DigitsCnn<f32>, "../../weights/digits_cnn.bin");

/// The most stack this firmware may use, in bytes (inference from flash; 3,656 B measured on the
/// M4F, 3,804 B on the M0, since the convolution's by-value pass is a call of its own): past it
/// the firmware reports failure, and CI with it.
const STACK_BUDGET: usize = 4096;

#[entry]
fn main() -> ! {
    dl_mcu::run(STACK_BUDGET, |out| {
        report(out, "digits CNN", &NET, TEST_IMAGES).unwrap_or(false)
    })
}
