//! Reads criterion's estimates back after a run and prints, for every benchmark group, the
//! ratio `reference time / dl time` (above 1: `dl` is faster) and `dl`'s throughput.
//!
//! Both numbers of a ratio come from the same `cargo bench` invocation, so load from other
//! processes on the machine affects them alike as far as possible. The median is used: it is
//! the estimate least moved by the occasional preempted sample.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// One benchmark group: `dl` and the hand-written reference, timed in the same run.
pub struct Pair {
    /// The criterion group name (also the row's label).
    pub group: &'static str,
    /// Samples processed by one timed iteration (for samples/s).
    pub samples: u64,
}

/// Where criterion wrote this run's estimates: `$CRITERION_HOME`, else `criterion/` in the
/// target directory that holds the running benchmark binary (`target/release/deps/..`).
pub fn criterion_dir() -> PathBuf {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return PathBuf::from(home);
    }
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        return Path::new(&dir).join("criterion");
    }
    std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.parent()?.parent()?.join("criterion")))
        .unwrap_or_else(|| PathBuf::from("target/criterion"))
}

/// The median time in nanoseconds of `group/function` from criterion's `estimates.json`, if
/// it was written at or after `since` (so results of an earlier run are never mixed in).
pub fn median_ns(dir: &Path, group: &str, function: &str, since: SystemTime) -> Option<f64> {
    let path = dir
        .join(group)
        .join(function)
        .join("new")
        .join("estimates.json");
    if std::fs::metadata(&path).ok()?.modified().ok()? < since {
        return None;
    }
    let text = std::fs::read_to_string(path).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    v["median"]["point_estimate"].as_f64()
}

fn time(ns: f64) -> String {
    if ns < 1e3 {
        format!("{ns:.1} ns")
    } else if ns < 1e6 {
        format!("{:.2} us", ns / 1e3)
    } else {
        format!("{:.2} ms", ns / 1e6)
    }
}

fn rate(per_s: f64) -> String {
    if per_s >= 1e6 {
        format!("{:.2}M/s", per_s / 1e6)
    } else {
        format!("{:.1}k/s", per_s / 1e3)
    }
}

/// The results table in Markdown, for the groups whose results were written since `since`
/// (the start of this run; groups filtered out of it are left out).
pub fn table(pairs: &[Pair], since: SystemTime) -> String {
    let dir = criterion_dir();
    let mut out = String::new();
    out.push_str(
        "| benchmark | dl (median) | reference (median) | ratio ref/dl | dl samples/s |\n",
    );
    out.push_str("|---|---|---|---|---|\n");
    for p in pairs {
        let (Some(d), Some(r)) = (
            median_ns(&dir, p.group, "dl", since),
            median_ns(&dir, p.group, "reference", since),
        ) else {
            continue;
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {:.2}x | {} |",
            p.group,
            time(d),
            time(r),
            r / d,
            rate(p.samples as f64 * 1e9 / d),
        );
    }
    out
}
