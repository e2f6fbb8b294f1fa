#!/usr/bin/env bash
# The 2-thread scaling table of benches/parallel.rs (issue 16), run only on an idle machine:
# builds the bench, then waits until the 1-minute load average is below LOAD_MAX (0.5) for
# two samples 15 s apart, runs `--table`, and prints the load before and after. Gives up
# after WAIT seconds (default 1800) with exit code 2.
#   bash benches/parallel_idle.sh            # LOAD_MAX=0.5 WAIT=3600 to change
set -euo pipefail
cd "$(dirname "$0")/.."
max="${LOAD_MAX:-0.5}"
deadline=$(($(date +%s) + ${WAIT:-1800}))
cargo bench -p dl-benches --bench parallel --no-run
load() { cut -d' ' -f1 /proc/loadavg; }
idle() { awk -v l="$(load)" -v m="$max" 'BEGIN { exit !(l < m) }'; }
while true; do
    if idle; then
        sleep 15
        if idle; then break; fi
    fi
    if [ "$(date +%s)" -gt "$deadline" ]; then
        echo "the load never fell below $max in ${WAIT:-1800} s (now $(load))" >&2
        exit 2
    fi
    sleep 15
done
echo "start $(date -u +%H:%M:%S) UTC, load $(cat /proc/loadavg)"
cargo bench -p dl-benches --bench parallel -- --table
echo "end $(date -u +%H:%M:%S) UTC, load $(cat /proc/loadavg)"
