//! The flash of the int8 sine, as `../shared/anchors/microflow` measures "engine + model":
//! one inference (f32 in, f32 out) on a `black_box` input, the result kept, a semihosting
//! exit and a looping panic handler; no formatting code. Its text minus `empty`'s is the
//! inference code, the weights and the library routines they pull in.
#![no_std]
#![no_main]

use core::hint::black_box;
use cortex_m_rt::entry;
use cortex_m_semihosting::debug;

#[entry]
fn main() -> ! {
    black_box(dl_mcu::int8::SINE.predict(black_box(0.5)));
    debug::exit(debug::EXIT_SUCCESS);
    loop {
        cortex_m::asm::nop();
    }
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    loop {
        cortex_m::asm::nop();
    }
}
