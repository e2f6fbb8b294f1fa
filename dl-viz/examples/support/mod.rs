//! What the real-data examples share: where the data is, a progress bar per epoch, a results
//! table and line charts. Not every example uses every part.
#![allow(dead_code)]

pub mod digits;
pub mod plot;
pub mod progress;
pub mod run;
pub mod table;

use std::path::{Path, PathBuf};

/// A file in `examples/data/` (the copies of `shared/data` kept in the repository), found
/// from wherever the example is run.
pub fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("data")
        .join(name)
}

/// Where an example writes a chart: the first command-line argument, or
/// `target/NAME` under the workspace.
pub fn output(name: &str) -> PathBuf {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent();
    std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            workspace
                .unwrap_or(Path::new("."))
                .join("target")
                .join(name)
        })
}

/// Prints `what` against its target and exits non-zero if it is missed.
pub fn check(what: &str, value: f64, target: f64) {
    if value >= target {
        println!("{what} {value:.4} >= {target}: target met");
    } else {
        eprintln!("{what} {value:.4} < {target}: TARGET MISSED");
        std::process::exit(1);
    }
}
