"""PyTorch's side of the 150x150x3 Keras CNN comparison (benches/peers/keras_cnn.sh runs it
next to `dl`'s benches/src/bin/keras_cnn.rs): one SGD training step on a batch of 32 and the
inference of one sample, single-threaded, timed by the process's CPU time
(time.process_time). Prints one JSON line a measurement, as the Rust side does.

The network (19.0 M parameters): Conv2d 3->32, 32->64, 64->128 (3x3, no padding) + ReLU, each
followed by MaxPool2d(2), Flatten (36992), Linear 512 + ReLU, Linear 1 + Sigmoid, BCELoss,
optim.SGD(lr=0.01). Inputs uniform in [0, 1), labels alternating 0/1, as on the Rust side.

    OMP_NUM_THREADS=1 python keras_cnn_torch.py [STEPS]
"""

import json
import statistics
import sys
import time

import torch
from torch import nn

STEPS = int(sys.argv[1]) if len(sys.argv) > 1 else 5
BATCH = 32

torch.set_num_threads(1)
torch.set_num_interop_threads(1)
torch.manual_seed(1)

model = nn.Sequential(
    nn.Conv2d(3, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(64, 128, 3), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(),
    nn.Linear(36992, 512), nn.ReLU(),
    nn.Linear(512, 1), nn.Sigmoid(),
)
loss_fn = nn.BCELoss()
opt = torch.optim.SGD(model.parameters(), lr=0.01)
x = torch.rand(BATCH, 3, 150, 150)
y = torch.tensor([[float(i % 2)] for i in range(BATCH)])


def train_step():
    opt.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    opt.step()
    return loss.item()


def timed(count, step):
    out = []
    for _ in range(count):
        start = time.process_time()
        step()
        out.append(time.process_time() - start)
    return out


def emit(what, seconds):
    print(json.dumps({"impl": "torch", "bench": what,
                      "median_cpu_seconds": round(statistics.median(seconds), 6),
                      "min_cpu_seconds": round(min(seconds), 6), "n": len(seconds)}), flush=True)


train_step()  # warm-up
emit("train_step_32", timed(STEPS, train_step))
with torch.inference_mode():
    one = x[1:2]
    model(one)
    emit("inference_1", timed(STEPS * 4, lambda: model(one)))
