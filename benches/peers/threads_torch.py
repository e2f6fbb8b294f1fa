"""PyTorch's side of the thread-count comparison (benches/peers/threads.sh runs it next to
dl's benches/src/bin/parallel_step.rs): SGD training steps of the peers suite's CIFAR-sized
CNN (case f) at batch 32, on THREADS intra-op threads, for SECONDS seconds. Prints one JSON
line, as the Rust side does: samples a wall second and the process's CPU time a step
(time.process_time, all threads).

The network, as ../shared/peers/py/bench_torch.py's cifar_cnn: Conv2d 3->32 (3x3, pad 1),
ReLU, MaxPool2d(2), Conv2d 32->64 (3x3, pad 1), ReLU, MaxPool2d(2), Flatten (4096), Linear
128, ReLU, Linear 10; nn.CrossEntropyLoss, optim.SGD(lr=0.01). Inputs uniform in [0, 1),
labels uniform over 10 classes; 256 samples, cycled in batches of 32.

    OMP_NUM_THREADS=2 python threads_torch.py THREADS [SECONDS]
"""

import json
import sys
import time

import torch
from torch import nn

THREADS = int(sys.argv[1]) if len(sys.argv) > 1 else 1
SECONDS = float(sys.argv[2]) if len(sys.argv) > 2 else 5.0
BATCH = 32

torch.set_num_threads(THREADS)
torch.set_num_interop_threads(1)
torch.manual_seed(6)

model = nn.Sequential(
    nn.Conv2d(3, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(), nn.Linear(4096, 128), nn.ReLU(), nn.Linear(128, 10),
)
loss_fn = nn.CrossEntropyLoss()
opt = torch.optim.SGD(model.parameters(), lr=0.01)
X = torch.rand(256, 3, 32, 32)
y = torch.randint(0, 10, (256,))


def step(k):
    i = (k % (len(X) // BATCH)) * BATCH
    opt.zero_grad()
    loss = loss_fn(model(X[i:i + BATCH]), y[i:i + BATCH])
    loss.backward()
    opt.step()
    return loss.item()


step(0)  # warm-up
wall, cpu = time.perf_counter(), time.process_time()
steps = 0
while time.perf_counter() - wall < SECONDS:
    step(steps)
    steps += 1
wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
print(json.dumps({
    "impl": "torch", "net": "cifar", "threads": THREADS, "batch": BATCH,
    "samples_per_s": round(steps * BATCH / wall, 1),
    "cpu_us_per_step": round(cpu / steps * 1e6, 1),
    "cpu_per_wall": round(cpu / wall, 2), "steps": steps,
    "torch": torch.__version__,
}), flush=True)
