//! XOR trained from scratch on a Cortex-M, then its truth table, over semihosting.
//!
//! ```text
//! cd embedded/mcu && cargo run --release --bin xor     # under qemu-system-arm
//! ```
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use panic_semihosting as _;

#[entry]
fn main() -> ! {
    dl_mcu::run(|out| dl_demos::xor::train_and_report(out).unwrap_or(false))
}
