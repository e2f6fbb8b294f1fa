#!/usr/bin/env bash
# The 150x150x3 Keras CNN (19.0 M parameters) in `dl` and in PyTorch, side by side on one
# core: a training step of 32 and the inference of one sample, by CPU time, three rounds
# alternating which goes first (issue 12's target: dl's step no slower than PyTorch's).
#   bash benches/peers/keras_cnn.sh                 # makes a torch venv in target/torch-peer
#   PY=/path/to/venv/bin/python bash benches/peers/keras_cnn.sh
# Not part of CI (PyTorch is a 3 GB download).
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -z "${PY:-}" ]; then
    PY=target/torch-peer/bin/python
    if ! "$PY" -c 'import torch' 2>/dev/null; then
        python3 -m venv target/torch-peer
        target/torch-peer/bin/pip install -q torch
    fi
fi
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
cargo build --release -q -p dl-benches --bin keras_cnn
PIN=""
command -v taskset >/dev/null && PIN="taskset -c 1"
for round in 1 2 3; do
    if [ $((round % 2)) -eq 1 ]; then
        $PIN target/release/keras_cnn "${STEPS:-5}"
        $PIN "$PY" benches/peers/keras_cnn_torch.py "${STEPS:-5}"
    else
        $PIN "$PY" benches/peers/keras_cnn_torch.py "${STEPS:-5}"
        $PIN target/release/keras_cnn "${STEPS:-5}"
    fi
done
