#!/usr/bin/env bash
# The regression check that a `-C target-cpu=native` build never loses: prints the
# native/default speed of every `dl` row of the criterion benches (`speed.rs`, `cnn.rs`).
#
#   bash benches/native_ratio.sh [ROUNDS] [FILTER]
#
# builds `native_rows` (benches/src/bin/native_rows.rs: dl's side of every row, timed by the
# thread's CPU clock in 2 ms blocks) for the default target and with `-C target-cpu=native`
# (separate target directories), runs the two binaries alternately ROUNDS times (default 4;
# default, native, default, native, ...) so that both see the same machine, and prints each
# row's fastest block of each build and their ratio (`native_ratio --rows`). FILTER keeps the
# rows whose names contain one of its `|`-separated parts. RUN_PREFIX is put before every
# timed run (e.g. `RUN_PREFIX="flock /tmp/bench.lock"` to take turns with other timing jobs).
#
#   bash benches/native_ratio.sh criterion [FILTER]
#
# runs the criterion benches once in each build instead (one build after the other, minutes
# apart: on a machine whose speed moves, read the alternating form) and divides their medians.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = criterion ]; then
    shift
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
    exec cargo run -q -p dl-benches --bin native_ratio -- \
        target/bench-default/criterion target/bench-native/criterion
fi
rounds="${1:-4}"
filter="${2:-}"
for build in default native; do
    flags=""
    [ "$build" = native ] && flags="-C target-cpu=native"
    RUSTFLAGS="$flags" CARGO_TARGET_DIR="$PWD/target/bench-$build" \
        cargo build -q --release -p dl-benches --bin native_rows
done
out="target/native-rows"
rm -rf "$out" && mkdir -p "$out"
for round in $(seq 1 "$rounds"); do
    for build in default native; do
        ${RUN_PREFIX:-} "target/bench-$build/release/native_rows" "$filter" > "$out/$build.$round"
    done
done
cargo run -q -p dl-benches --bin native_ratio -- --rows "$out"
