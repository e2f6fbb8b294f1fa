#!/usr/bin/env bash
# 2-thread scaling of the data-parallel engine (issue 16), one process a run: each row's
# serial step, 1 thread and 2 threads, alternating over ROUNDS rounds of SECONDS_EACH seconds,
# then a table of medians: samples a wall second, the speed-ups, the cores the process got
# (CPU / wall) and the CPU time a step. Rows: the CIFAR-sized CNN and the 784-128-10 MLP at
# batch 32 (the issue's targets) and other batches and shards (how the split's cost scales).
# Shard 0 is the engine's default (auto). Builds niced outside the lock, then times holding
# LOCK (default /work/notes/bench.lock where it exists) in a high-priority scheduler group.
# BIN=path times an already built parallel_step instead (another commit's, for a before/after).
#   bash benches/parallel_scaling.sh          # ROUNDS=3 SECONDS_EACH=3
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${BIN:-}" ]; then
    CARGO_INCREMENTAL=0 nice -n 19 cargo build --release -q -p dl-benches --bin parallel_step
fi
export DL_ROUNDS=${ROUNDS:-3} DL_SECS=${SECONDS_EACH:-3} DL_BIN=${BIN:-target/release/parallel_step} DL_OUT
DL_OUT=$(mktemp)
runs='echo "start $(date -u +%H:%M:%S) UTC, load $(cat /proc/loadavg)"
for round in $(seq "$DL_ROUNDS"); do
    for row in "cifar 32 0" "cifar 24 16" "cifar 8 4" "cifar 64 0" "mlp 32 0" "mlp 32 16" "mlp 256 0" "mlp 128 64"; do
        set -- $row
        for threads in 0 1 2; do
            "$DL_BIN" "$1" "$threads" "$2" "$3" "$DL_SECS" >> "$DL_OUT"
        done
    done
done
echo "end $(date -u +%H:%M:%S) UTC, load $(cat /proc/loadavg)"'
lock=${LOCK:-/work/notes/bench.lock}
if [ -e "$lock" ]; then
    setsid bash -c 'echo -15 > /proc/self/autogroup 2>/dev/null || true; exec flock "$0" bash -c "$1"' \
        "$lock" "$runs"
else
    bash -c "$runs"
fi
python3 - "$DL_OUT" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
keys = []
for r in rows:
    k = (r["net"], r["batch"])
    if r["threads"] > 0:
        k += (r["shard"],)
        if k not in keys:
            keys.append(k)
def med(net, batch, threads, shard, key):
    return statistics.median(r[key] for r in rows if r["net"] == net and r["batch"] == batch
                             and r["threads"] == threads and (threads == 0 or r["shard"] == shard))
print("\n| network | batch | shard | serial | 1 thread | 2 threads | 2 vs 1 | 2 vs serial | CPU/wall 2 threads | CPU us a step serial / 1 / 2 |")
print("|---|---|---|---|---|---|---|---|---|---|")
for net, batch, shard in keys:
    s, one, two = (med(net, batch, t, shard, "samples_per_s") for t in (0, 1, 2))
    c = [med(net, batch, t, shard, "cpu_us_per_step") for t in (0, 1, 2)]
    share = med(net, batch, 2, shard, "cpu_per_wall")
    name = {"cifar": "CIFAR-sized CNN", "mlp": "784-128-10 MLP"}[net]
    print(f"| {name} | {batch} | {shard} | {s:,.0f} | {one:,.0f} | {two:,.0f} | {two / one:.2f}x "
          f"| {two / s:.2f}x | {share:.2f} | {c[0]:,.0f} / {c[1]:,.0f} / {c[2]:,.0f} |")
PY
rm -f "$DL_OUT"
