//! The footprint build: one dl int8 sine inference (sine.tflite imported, weights in flash) on an opaque
//! input, its result kept, then exit. No printing, no formatting; the panic handler loops.
#![no_std]
#![no_main]

use core::hint::black_box;
use core::panic::PanicInfo;
use cortex_m_rt::entry;

#[entry]
fn main() -> ! {
    black_box(fw_dl::int8::predict(black_box(0.5)));
    lab_harness::exit(true)
}

#[panic_handler]
fn panic(_: &PanicInfo) -> ! {
    loop {}
}
