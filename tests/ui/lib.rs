//! The package of the compile-fail cases (`fail/`, run by `compile_fail.rs`); nothing here.
