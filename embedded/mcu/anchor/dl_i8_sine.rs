//! dl's sine network under the lab's measurement (markers, stack, accuracy): dl int8.
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use panic_semihosting as _;

#[entry]
fn main() -> ! {
    lab_harness::measure_sine("dl int8 (sine.tflite imported)", fw_dl::int8::predict)
}
