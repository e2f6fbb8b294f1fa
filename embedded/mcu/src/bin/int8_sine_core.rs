//! The int8 sine's inference alone, int8 in and int8 out, with nothing else (and the digits
//! MLP's, CNN's, and the CNN with Tanh, Sigmoid and Softmax's): CI lists its symbols with
//! `llvm-nm` and fails if any soft-float routine is linked (integer-only inference).
#![no_std]
#![no_main]

use core::hint::black_box;
use cortex_m_rt::entry;
use cortex_m_semihosting::debug;

#[entry]
fn main() -> ! {
    black_box(dl_mcu::int8::SINE.forward(black_box(42)));
    black_box(dl_mcu::int8::DIGITS_MLP.forward(black_box(&[7; 64])));
    black_box(dl_mcu::int8::DIGITS_CNN.forward(black_box(&[7; 64])));
    black_box(dl_mcu::int8::DIGITS_CNN_ACT.forward_i8(black_box(&[7; 64])));
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
