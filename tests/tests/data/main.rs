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

/// A CSV file written for one test, in a folder of its own under the temp directory; the
/// folder is removed when the value is dropped, so test runs leave nothing behind.
struct TempCsv {
    dir: PathBuf,
    path: PathBuf,
}

impl std::ops::Deref for TempCsv {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.path
    }
}

impl AsRef<Path> for TempCsv {
    fn as_ref(&self) -> &Path {
        &self.path
    }
}

impl Drop for TempCsv {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Writes `text` to a fresh file (unique per test and process) and returns it.
fn file(name: &str, text: &str) -> TempCsv {
    let dir = std::env::temp_dir().join(format!("dl-data-test-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    TempCsv { dir, path }
}

const GOOD: &str = "a,b,label\n1,2.5,0\n-3,4e-2,2\n\n0.5,6,1\n";
