//! XOR trained from scratch on a Cortex-M, then its truth table, over semihosting.
//!
//! ```text
//! cd embedded/mcu && cargo run --release --bin xor     # under qemu-system-arm
//! ```
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use panic_semihosting as _;

/// The most stack this firmware may use, in bytes (training (forward, loss_backward, SGD step) and
/// inference; 2,656 B measured on the M4F, 2,988 B on the M0): past it the firmware reports
/// failure, and CI with it.
const STACK_BUDGET: usize = 4096;

#[entry]
fn main() -> ! {
    dl_mcu::run(STACK_BUDGET, |out| {
        dl_demos::xor::train_and_report(out).unwrap_or(false)
    })
}
