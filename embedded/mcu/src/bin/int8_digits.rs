//! The int8 digits MLP (64-32-10) imported from `tests/fixtures/tflite/digits_mlp.tflite` at
//! build time, weights in flash; classifies the test images between `sev` markers (instruction
//! counts with `plugin/insn_marker.c`).
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use dl_mcu::int8::DIGITS_MLP;
use dl_mcu::TEST_IMAGES;
use panic_semihosting as _;

/// The most stack this firmware may use, in bytes (int8 inference; 556 / 1,076 / 1,372 B for
/// int8_digits / int8_digits_cnn / int8_sine on the M0): past it the firmware fails, and CI.
const STACK_BUDGET: usize = 2048;

#[entry]
fn main() -> ! {
    dl_mcu::run(STACK_BUDGET, |out| {
        let net = &DIGITS_MLP;
        let n = TEST_IMAGES.len() / dl_demos::digits::RECORD;
        let correct = dl_mcu::measure::digits(
            out,
            "digits MLP",
            net.input,
            |x| net.forward(x),
            TEST_IMAGES,
        );
        correct.is_ok_and(|c| c * 10 >= n * 9)
    })
}
