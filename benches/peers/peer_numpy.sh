#!/usr/bin/env bash
# The issue's batch-32 target is "1.2x NumPy/OpenBLAS" (190k samples/s against NumPy's 157k,
# measured separately). This measures both in the same few minutes, alternating three times:
# NumPy (numpy_mnist.py, single-threaded OpenBLAS) then `dl`'s mnist_784_128_10_train_batch32
# group (the interleaved median and best round of `cargo bench`), and prints each pair's
# ratio. NumPy goes into a virtualenv under target/; nothing outside the repository changes.
# Not part of CI (it downloads NumPy). Usage: bash benches/peers/peer_numpy.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
venv=target/numpy-peer
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q "numpy==2.1.3"
fi
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
cargo bench -p dl-benches --bench speed --no-run >/dev/null 2>&1
for round in 1 2 3; do
    numpy=$("$venv/bin/python" benches/peers/numpy_mnist.py)
    echo "round $round: $numpy"
    row=$(cargo bench -p dl-benches --bench speed -- mnist_784_128_10_train_batch32 2>/dev/null |
        grep '^| mnist_784_128_10_train_batch32')
    echo "round $round: dl: $row"
done
