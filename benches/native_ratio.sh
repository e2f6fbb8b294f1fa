#!/usr/bin/env bash
# Runs the criterion benches twice, built for the default target and with
# `-C target-cpu=native` (separate target directories), and prints the native/default speed
# of every `dl` row (benches/src/bin/native_ratio.rs): the regression check that a native
# build never loses. Arguments go to criterion (a filter, e.g. `cnn_8_16|mnist`).
#   bash benches/native_ratio.sh [FILTER]
set -euo pipefail
cd "$(dirname "$0")/.."
for build in default native; do
    flags=""
    [ "$build" = native ] && flags="-C target-cpu=native"
    for bench in speed cnn; do
        # Absolute: criterion resolves CARGO_TARGET_DIR from the bench's own directory
        # (benches/), cargo from here, so a relative path split the two.
        RUSTFLAGS="$flags" CARGO_TARGET_DIR="$PWD/target/bench-$build" \
            cargo bench -p dl-benches --bench "$bench" -- "$@"
    done
done
cargo run -q -p dl-benches --bin native_ratio -- \
    target/bench-default/criterion target/bench-native/criterion
