//! The invariants the fuzz targets assert, in a module the stable test suite compiles too
//! (`tests/tests/fuzz_corpus.rs` runs the committed seed corpus and every crash reproducer
//! through it), so a crash found here stays a regression test there.

pub mod checks;
pub mod image_checks;
pub mod state_checks;
