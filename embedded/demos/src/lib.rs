//! The networks of the embedded examples, written once for every target: the host (which
//! trains them and writes their parameter images), a freestanding Linux binary and Cortex-M
//! firmware. No `std`, no heap: printing goes through any [`core::fmt::Write`] (raw syscalls
//! on Linux, semihosting on Cortex-M).
#![no_std]
#![forbid(unsafe_code)]

pub mod digits;
pub mod xor;
