//! The compile-time shape rules, pinned by trybuild: each compile-fail case's `.stderr` holds
//! rustc's exact words (the toolchain is pinned in rust-toolchain.toml). trybuild runs
//! `cargo check` on each case, so every one of these errors shows under `cargo check`.

#[test]
fn compile_fail() {
    let t = trybuild::TestCases::new();
    t.compile_fail("ui/fail/*.rs");
}

#[test]
fn compile_pass() {
    let t = trybuild::TestCases::new();
    t.pass("ui/pass/*.rs");
}
