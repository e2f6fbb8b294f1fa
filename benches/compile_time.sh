#!/usr/bin/env bash
# Compile-time figures for BENCHMARKS.md:
#   1. a clean debug build of the workspace (own target dir, so nothing is reused);
#   2. a rebuild after editing one network's dimensions, debug and release (README's release
#      settings: codegen-units = 1, no LTO);
#   3. the trybuild suite (compile-fail cases), warm;
#   4. what a 10-layer network adds to a crate's build.
# 2 and 4 use a probe crate generated under target/compile-time/probe that depends on dl-core
# by path; nothing in the repository is edited. Takes a few minutes; timings are wall-clock.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
out=$root/target/compile-time
mkdir -p "$out"

secs() { # runs "$@" quietly, prints its wall-clock seconds
    local start end
    start=$(date +%s.%N)
    "$@" >/dev/null 2>&1
    end=$(date +%s.%N)
    echo "$end - $start" | bc -l | xargs printf '%.2f'
}

rm -rf "$out/clean"
echo "clean debug build of the workspace (cargo build --workspace): $(secs cargo build --workspace --target-dir "$out/clean") s"

probe=$out/probe
rm -rf "$probe/src"
mkdir -p "$probe/src"
cat >"$probe/Cargo.toml" <<EOF
[package]
name = "probe"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
dl-core = { path = "$root/dl-core", features = ["std"] }

[profile.release]
codegen-units = 1

[workspace]
EOF

# A digits network trained with train_batch, so the batched path is instantiated too.
main_rs() { # $1 = hidden width, $2 = extra items
    cat <<EOF
use dl_core::prelude::*;

network! {
    struct Digits {
        Dense<64, $1, Relu>,
        Dense<$1, 10, Softmax>,
    }
}

$2

fn main() {
    let xs = vec![SVector::<f32, 64>::zeros(); 32];
    let ys = vec![SVector::<f32, 10>::zeros(); 32];
    let mut net = Digits::<f32>::new(1);
    let mut ws = Workspace::boxed();
    let loss = train_batch::<_, CrossEntropy, _>(&mut net, &mut Sgd::new(0.1), &xs, &ys, &mut ws);
    println!("{loss:?}");
    extra();
}
EOF
}

ten_layers='network! {
    struct Deep {
        Dense<64, 64, Relu>, Dense<64, 64, Relu>, Dense<64, 64, Relu>, Dense<64, 64, Relu>,
        Dense<64, 64, Relu>, Dense<64, 64, Relu>, Dense<64, 64, Relu>, Dense<64, 64, Relu>,
        Dense<64, 64, Relu>, Dense<64, 10, Softmax>,
    }
}
fn extra() {
    let xs = vec![SVector::<f32, 64>::zeros(); 32];
    let ys = vec![SVector::<f32, 10>::zeros(); 32];
    let mut net = Deep::<f32>::new(1);
    let mut ws = Workspace::boxed();
    let loss = train_batch::<_, CrossEntropy, _>(&mut net, &mut Sgd::new(0.1), &xs, &ys, &mut ws);
    println!("{loss:?}");
}'
no_extra='fn extra() {}'

cd "$probe"
for profile in debug release; do
    flag=""
    [ "$profile" = release ] && flag="--release"
    main_rs 32 "$no_extra" >src/main.rs
    cargo build $flag --target-dir "$out/probe-target" >/dev/null 2>&1
    main_rs 48 "$no_extra" >src/main.rs
    echo "rebuild after editing a network's dimensions ($profile): $(secs cargo build $flag --target-dir "$out/probe-target") s"
    main_rs 32 "$no_extra" >src/main.rs
    one=$(secs cargo build $flag --target-dir "$out/probe-target")
    main_rs 32 "$ten_layers" >src/main.rs
    ten=$(secs cargo build $flag --target-dir "$out/probe-target")
    echo "rebuild, 2-layer network only ($profile): $one s; with a 10-layer network added and trained: $ten s"
done
cd "$root"

cargo test -p dl-tests --test ui --no-run >/dev/null 2>&1
echo "trybuild suite, warm (cargo test -p dl-tests --test ui): $(secs cargo test -p dl-tests --test ui) s"
echo "cases: $(ls tests/ui/fail/*.rs | wc -l) compile-fail, $(ls tests/ui/pass/*.rs | wc -l) compile-pass"
