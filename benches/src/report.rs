//! Reads criterion's estimates back after a run and prints, for every benchmark group, the
//! ratio `reference time / dl time` (above 1: `dl` is faster) and `dl`'s throughput, beside
//! the same ratio measured interleaved ([`interleave`]).
//!
//! Both numbers of a ratio come from the same `cargo bench` invocation, so load from other
//! processes on the machine affects them alike as far as possible. The median is used: it is
//! the estimate least moved by the occasional preempted sample.

use std::fmt::Write as _;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

/// The ratio of one group measured interleaved: `ROUNDS` rounds, each timing a block of `dl`
/// calls and a block of reference calls back to back (which goes first alternates), one ratio
/// a round. Load from other processes that comes and goes over seconds moves both sides of a
/// round alike, where criterion's two medians are measured several seconds apart.
#[derive(Clone, Copy, Debug)]
pub struct Interleaved {
    /// Rounds measured.
    pub rounds: usize,
    /// Median over the rounds of `reference time / dl time`.
    pub median: f64,
    /// First quartile of the rounds' ratios.
    pub low: f64,
    /// Third quartile of the rounds' ratios.
    pub high: f64,
    /// Median over the rounds of `dl`'s time a call, in nanoseconds.
    pub dl_median_ns: f64,
    /// `dl`'s fastest round, nanoseconds a call: other processes only ever add time, so the
    /// fastest round is the closest to what the code costs on an idle core.
    pub dl_best_ns: f64,
}

/// Rounds of an interleaved measurement.
pub const ROUNDS: usize = 61;
/// Time a block of calls aims at.
const BLOCK: Duration = Duration::from_millis(3);

static INTERLEAVED: Mutex<Vec<(String, Interleaved)>> = Mutex::new(Vec::new());

/// Whether this run selects `group`: criterion's filter argument (`cargo bench -p dl-benches
/// -- mnist`), read here as `|`-separated substrings, and not a `--test` or `--list` run.
pub fn selected(group: &str) -> bool {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--test" || a == "--list") {
        return false;
    }
    match args.iter().find(|a| !a.starts_with('-')) {
        Some(filter) => filter.split('|').any(|f| group.contains(f)),
        None => true,
    }
}

/// Nanoseconds a call of `f` takes, averaged over `n` calls.
fn per_call<O>(f: &mut impl FnMut() -> O, n: u64) -> f64 {
    let start = Instant::now();
    for _ in 0..n {
        black_box(f());
    }
    start.elapsed().as_nanos() as f64 / n as f64
}

/// Calls of `f` that take about one [`BLOCK`] (after warming it up).
fn calibrate<O>(f: &mut impl FnMut() -> O) -> u64 {
    let mut n = 1;
    loop {
        let ns = per_call(f, n) * n as f64;
        if ns >= BLOCK.as_nanos() as f64 / 4.0 {
            return ((n as f64 * BLOCK.as_nanos() as f64 / ns).ceil() as u64).max(1);
        }
        n *= 2;
    }
}

/// Measures `group`'s ratio interleaved (see [`Interleaved`]) and keeps it for [`table`];
/// does nothing when the command line does not select `group`.
pub fn interleave<A, B>(group: &str, mut dl: impl FnMut() -> A, mut reference: impl FnMut() -> B) {
    if !selected(group) {
        return;
    }
    let (n_dl, n_ref) = (calibrate(&mut dl), calibrate(&mut reference));
    let mut rounds: Vec<(f64, f64)> = (0..ROUNDS)
        .map(|round| {
            if round % 2 == 0 {
                let d = per_call(&mut dl, n_dl);
                (d, per_call(&mut reference, n_ref))
            } else {
                let r = per_call(&mut reference, n_ref);
                (per_call(&mut dl, n_dl), r)
            }
        })
        .collect();
    let mut ratios: Vec<f64> = rounds.iter().map(|&(d, r)| r / d).collect();
    ratios.sort_by(f64::total_cmp);
    rounds.sort_by(|a, b| a.0.total_cmp(&b.0));
    let at = |q: f64| ratios[((ratios.len() - 1) as f64 * q).round() as usize];
    let result = Interleaved {
        rounds: ratios.len(),
        median: at(0.5),
        low: at(0.25),
        high: at(0.75),
        dl_median_ns: rounds[rounds.len() / 2].0,
        dl_best_ns: rounds[0].0,
    };
    println!(
        "{group}: interleaved ratio ref/dl {:.2}x (quartiles {:.2}-{:.2}, {} rounds)",
        result.median, result.low, result.high, result.rounds
    );
    if let Ok(mut all) = INTERLEAVED.lock() {
        all.push((group.to_string(), result));
    }
}

/// The interleaved result of `group` in this run, if it was measured.
pub fn interleaved(group: &str) -> Option<Interleaved> {
    INTERLEAVED
        .lock()
        .ok()?
        .iter()
        .find(|(g, _)| g == group)
        .map(|(_, r)| *r)
}

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
        "| benchmark | dl (median) | reference (median) | ratio of medians | ratio interleaved (quartiles) | dl samples/s (criterion median; interleaved median / best round) |\n",
    );
    out.push_str("|---|---|---|---|---|---|\n");
    for p in pairs {
        let (Some(d), Some(r)) = (
            median_ns(&dir, p.group, "dl", since),
            median_ns(&dir, p.group, "reference", since),
        ) else {
            continue;
        };
        let inter = interleaved(p.group);
        let ratio = inter.map_or("-".to_string(), |i| {
            format!("{:.2}x ({:.2}-{:.2})", i.median, i.low, i.high)
        });
        let per_s = |ns: f64| rate(p.samples as f64 * 1e9 / ns);
        let rates = match inter {
            Some(i) => format!(
                "{}; {} / {}",
                per_s(d),
                per_s(i.dl_median_ns),
                per_s(i.dl_best_ns)
            ),
            None => per_s(d),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {:.2}x | {} | {} |",
            p.group,
            time(d),
            time(r),
            r / d,
            ratio,
            rates,
        );
    }
    out
}
