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

use core::fmt::Write;
use cortex_m_rt::entry;
use dl_core::prelude::*;
use dl_demos::digits::{self, DigitsMlp, RECORD};
use panic_semihosting as _;

/// The memory budget, checked by the compiler.
const _: () = assert!(DigitsMlp::<f32>::PARAM_BYTES <= 16 * 1024);

static NET: DigitsMlp<f32> = dl_core::include_network!(DigitsMlp<f32>, "../../weights/digits.bin");

#[cfg(feature = "full-test-set")]
static IMAGES: &[u8] = include_bytes!("../../weights/digits_test.bin");
#[cfg(not(feature = "full-test-set"))]
static IMAGES: &[u8] = include_bytes!("../../weights/digits_sample.bin");

#[entry]
fn main() -> ! {
    dl_mcu::run(|out| {
        let n = IMAGES.len() / RECORD;
        let _ = writeln!(
            out,
            "digits 64-32-10: {} parameters ({} bytes) in flash at {:p}",
            DigitsMlp::<f32>::PARAMS,
            DigitsMlp::<f32>::PARAM_BYTES,
            &NET
        );
        if n <= 10 {
            for r in IMAGES.chunks_exact(RECORD) {
                let guess = digits::argmax(&NET.forward(&digits::input(r)));
                let _ = writeln!(out, "label {}  predicted {}", digits::label(r), guess);
            }
        }
        let correct = digits::correct(&NET, IMAGES);
        let _ = writeln!(out, "test accuracy {correct}/{n}");
        // The host measured 350/360 on the full test split with these weights.
        correct * 10 >= n * 9
    })
}
