//! The networks of the embedded examples, written once for every target: the host (which
//! trains them and writes their parameter images), a freestanding Linux binary and Cortex-M
//! firmware. No `std`, no heap: printing goes through any [`core::fmt::Write`] (raw syscalls
//! on Linux, semihosting on Cortex-M).
#![no_std]
// `deny`, not `forbid`: when a host build turns on dl-core's `alloc` feature (through
// `std`), `network!` writes one `unsafe impl Zeroable` a generated struct (allowed locally;
// see `dl_core::zeroed`), which `forbid` would refuse. Firmware builds have no `alloc` and so
// no `unsafe` at all.
#![deny(unsafe_code)]

pub mod digits;
pub mod xor;
