//! Fuzz target `csv_load`: every input through [`dl_fuzz::checks::csv_load`], which asserts the
//! decoder's invariants (no panic; an error leaves the network unchanged; an accepted input
//! gives finite weights, and exporting reproduces it where the format is canonical).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| dl_fuzz::checks::csv_load(data));
