//! The regression check of `-C target-cpu=native` builds (written by `native_ratio.sh`):
//! prints, for every row, `default time / native time` of `dl` (at least 1: the native build
//! is not slower), flagging the rows where the native build loses.
//!
//! `native_ratio --rows DIR` reads the alternating runs of `native_rows` (`DIR/default.N`,
//! `DIR/native.N`, lines `ROW best_ns median_ns`) and compares each row's fastest block of
//! either build over all runs, with the share of runs the native build won.
//! `native_ratio DEFAULT_CRITERION_DIR NATIVE_CRITERION_DIR` compares criterion's medians of a
//! default and a native run of the benches instead.

use dl_benches::report::median_ns;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::SystemTime;

/// Native builds more than this much slower are flagged.
const FLAG_BELOW: f64 = 0.97;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [flag, dir] if flag == "--rows" => rows(Path::new(dir)),
        [default, native] => criterion(Path::new(default), Path::new(native)),
        _ => {
            eprintln!(
                "usage: native_ratio --rows DIR | DEFAULT_CRITERION_DIR NATIVE_CRITERION_DIR"
            );
            std::process::exit(2);
        }
    }
}

/// Each row's fastest block in each run of `build` (`DIR/BUILD.N`), in file order.
fn runs(dir: &Path, build: &str) -> BTreeMap<String, Vec<f64>> {
    let mut rows = BTreeMap::new();
    for round in 1.. {
        let Ok(text) = std::fs::read_to_string(dir.join(format!("{build}.{round}"))) else {
            break;
        };
        for line in text.lines() {
            let mut words = line.split_whitespace();
            if let (Some(row), Some(Ok(best))) = (words.next(), words.next().map(str::parse)) {
                rows.entry(row.to_string())
                    .or_insert_with(Vec::new)
                    .push(best);
            }
        }
    }
    rows
}

fn rows(dir: &Path) {
    let (default, native) = (runs(dir, "default"), runs(dir, "native"));
    println!("| row | dl default (best ns) | dl native (best ns) | native/default speed | runs native faster |");
    println!("|---|---|---|---|---|");
    let mut losses = 0;
    for (row, d) in &default {
        let Some(n) = native.get(row) else { continue };
        let best = |v: &[f64]| v.iter().copied().fold(f64::INFINITY, f64::min);
        let ratio = best(d) / best(n);
        let won = d.iter().zip(n).filter(|(d, n)| n <= d).count();
        let flag = if ratio < FLAG_BELOW {
            losses += 1;
            " **native slower**"
        } else {
            ""
        };
        let (bd, bn, runs) = (best(d), best(n), d.len().min(n.len()));
        println!("| {row} | {bd:.1} | {bn:.1} | {ratio:.3}x{flag} | {won}/{runs} |");
    }
    println!("\n{losses} row(s) where the native build is more than 3% slower");
}

fn criterion(default: &Path, native: &Path) {
    let mut groups: Vec<String> = std::fs::read_dir(default)
        .map(|dir| {
            dir.filter_map(|e| Some(e.ok()?.file_name().to_str()?.to_string()))
                .collect()
        })
        .unwrap_or_default();
    groups.sort();
    println!("| benchmark | dl default (median) | dl native (median) | native/default speed |");
    println!("|---|---|---|---|");
    let mut losses = 0;
    for group in &groups {
        let (Some(d), Some(n)) = (
            median_ns(default, group, "dl", SystemTime::UNIX_EPOCH),
            median_ns(native, group, "dl", SystemTime::UNIX_EPOCH),
        ) else {
            continue;
        };
        let ratio = d / n;
        let flag = if ratio < 0.95 {
            losses += 1;
            " **native slower**"
        } else {
            ""
        };
        println!("| {group} | {d:.0} ns | {n:.0} ns | {ratio:.2}x{flag} |");
    }
    println!("\n{losses} group(s) where the native build is more than 5% slower");
}
