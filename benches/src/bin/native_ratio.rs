//! The regression check of `-C target-cpu=native` builds: reads the criterion estimates of a
//! default build and of a native build of the same benchmarks (written by `native_ratio.sh`)
//! and prints, for every group, `default time / native time` of `dl` (at least 1: the native
//! build is not slower), flagging the groups where the native build loses.
//!
//! `cargo run -p dl-benches --bin native_ratio -- DEFAULT_CRITERION_DIR NATIVE_CRITERION_DIR`

use dl_benches::report::median_ns;
use std::path::Path;
use std::time::SystemTime;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [default, native] = args.as_slice() else {
        eprintln!("usage: native_ratio DEFAULT_CRITERION_DIR NATIVE_CRITERION_DIR");
        std::process::exit(2);
    };
    let (default, native) = (Path::new(default), Path::new(native));
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
