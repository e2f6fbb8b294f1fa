//! CSV loading, splits, one-hot labels and standardisation: every bad input gets its own
//! error naming the file, line and column; the real data sets load as documented.

mod bad_values;
mod loading;
mod splits;
mod standardize;

use dl_core::data::{one_hot, DataError, Dataset, Standardizer};
use dl_core::nalgebra::SVector;
use std::path::{Path, PathBuf};

fn examples_data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../examples/data")
        .join(name)
}

/// Writes `text` to a fresh file in the temp directory (unique per test) and returns its path.
fn file(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dl-data-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

const GOOD: &str = "a,b,label\n1,2.5,0\n-3,4e-2,2\n\n0.5,6,1\n";
