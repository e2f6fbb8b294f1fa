//! What the real-data examples share besides `dl_viz`: where the data is, where charts go,
//! the digits set, and the train-then-report run. Not every example uses every part.
#![allow(dead_code)]

pub mod digits;
pub mod run;

use std::path::{Path, PathBuf};

/// A file in the workspace's `examples/data/` (the copies of `shared/data` kept in the
/// repository), found from wherever the example is run.
pub fn data(name: &str) -> PathBuf {
    workspace().join("examples").join("data").join(name)
}

fn workspace() -> &'static Path {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest)
}

/// Where an example writes a chart: the first command-line argument, or
/// `target/NAME` under the workspace.
pub fn output(name: &str) -> PathBuf {
    std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("target").join(name))
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
