#!/usr/bin/env bash
# Thread scaling next to PyTorch (issue 16): the CIFAR-sized CNN's training step at batch 32
# on 1 and 2 threads, dl (the data-parallel engine, shards of 16) and PyTorch (intra-op
# threads), alternating, ROUNDS rounds of SECONDS seconds each. Prints each run's JSON line,
# then a table of medians: samples a wall second, the 2-thread speed-up, and CPU time a step.
# ../shared/peers pins one core and one thread, so it cannot make this comparison.
#   bash benches/peers/threads.sh        # a torch venv: PY, else the peers suite's, else made here
#   PY=/path/to/venv/bin/python ROUNDS=3 SECONDS_EACH=6 bash benches/peers/threads.sh
# Needs two free cores: run it alone (on the shared machine, under the bench lock). Not in CI.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -z "${PY:-}" ]; then
    PY=${TMPDIR:-/tmp}/dl-peers/venv/bin/python # what ../shared/peers/run.sh builds
    if ! "$PY" -c 'import torch' 2>/dev/null; then
        PY=target/torch-peer/bin/python
        if ! "$PY" -c 'import torch' 2>/dev/null; then
            python3 -m venv target/torch-peer
            target/torch-peer/bin/pip install -q torch
        fi
    fi
fi
cargo build --release -q -p dl-benches --bin parallel_step
secs=${SECONDS_EACH:-5}
out=$(mktemp)
echo "start $(date -u +%H:%M:%S) UTC, load $(cat /proc/loadavg)"
for round in $(seq "${ROUNDS:-3}"); do
    for threads in 1 2; do
        target/release/parallel_step cifar "$threads" 32 16 "$secs" | tee -a "$out"
        OMP_NUM_THREADS=$threads MKL_NUM_THREADS=$threads "$PY" benches/peers/threads_torch.py \
            "$threads" "$secs" | tee -a "$out"
    done
done
echo "end $(date -u +%H:%M:%S) UTC, load $(cat /proc/loadavg)"
python3 - "$out" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
def med(impl, threads, key):
    return statistics.median(r[key] for r in rows if r["impl"] == impl and r["threads"] == threads)
print("\n| CIFAR CNN, batch 32 | 1 thread (samples/s) | 2 threads (samples/s) | 2 vs 1 | CPU us a step, 1 / 2 threads |")
print("|---|---|---|---|---|")
for impl in ("dl", "torch"):
    one, two = med(impl, 1, "samples_per_s"), med(impl, 2, "samples_per_s")
    c1, c2 = med(impl, 1, "cpu_us_per_step"), med(impl, 2, "cpu_us_per_step")
    print(f"| {impl} | {one:.0f} | {two:.0f} | {two / one:.2f}x | {c1:.0f} / {c2:.0f} |")
PY
rm -f "$out"
