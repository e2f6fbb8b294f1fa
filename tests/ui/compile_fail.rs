//! The compile-time shape rules, pinned by trybuild: each compile-fail case's `.stderr` holds
//! rustc's exact words (the toolchain is pinned in rust-toolchain.toml). trybuild runs
//! `cargo check` on each case, so every one of these errors shows under `cargo check`.
//!
//! The compile-pass cases (`pass/`) are ordinary modules of dl-tests' `compile_pass.rs`: as trybuild
//! pass cases they made it build every dependency twice more (`cargo build`, with and without
//! its diagnostic-width flag, beside the two `cargo check` builds the failing cases need).

#[test]
fn compile_fail() {
    let t = trybuild::TestCases::new();
    t.compile_fail("fail/*.rs");
}
