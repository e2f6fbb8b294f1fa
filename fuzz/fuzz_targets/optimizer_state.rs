//! Fuzz target `optimizer_state`: every input through [`dl_fuzz::state_checks::optimizer_state`],
//! which loads it as the saved state of several optimizers and asserts the loader's invariants
//! (no panic; an error leaves the optimizer unchanged; an accepted state is finite and saves
//! back to the same bytes).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| dl_fuzz::state_checks::optimizer_state(data));
