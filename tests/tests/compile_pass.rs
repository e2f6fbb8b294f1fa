//! The compile-pass cases of `ui/pass/`, compiled into this test binary as modules and run.
//! They were trybuild pass cases; trybuild builds its project with `cargo build` for those
//! (and `cargo check` for the compile-fail ones), so every dependency was compiled twice more
//! for four files that need no snapshot. Here they cost one ordinary test build.
//!
//! Every file in `ui/pass/` must be listed below: `every_case_is_listed` fails otherwise.
#![allow(dead_code)]

#[path = "../ui/pass/budget.rs"]
mod budget;
#[path = "../ui/pass/conv_network.rs"]
mod conv_network;
#[path = "../ui/pass/named_consts_blocks_attrs.rs"]
mod named_consts_blocks_attrs;
#[path = "../ui/pass/single_layer_f32_f64.rs"]
mod single_layer_f32_f64;
#[path = "../ui/pass/user_derives.rs"]
mod user_derives;

/// Each case's `main`, by file name.
const CASES: &[(&str, fn())] = &[
    ("budget", budget::main),
    ("conv_network", conv_network::main),
    ("named_consts_blocks_attrs", named_consts_blocks_attrs::main),
    ("single_layer_f32_f64", single_layer_f32_f64::main),
    ("user_derives", user_derives::main),
];

#[test]
fn every_case_runs() {
    for (name, main) in CASES {
        println!("ui/pass/{name}.rs");
        main();
    }
}

#[test]
fn every_case_is_listed() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/pass");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .expect("ui/pass exists")
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .map(|p| {
            p.file_stem()
                .expect("a file name")
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    files.sort();
    let listed: Vec<&str> = CASES.iter().map(|(name, _)| *name).collect();
    assert_eq!(files, listed, "list every ui/pass case in compile_pass.rs");
}
