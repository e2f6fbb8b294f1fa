"""The 784-128-10 training step of `mnist_784_128_10_train_batch32`, in NumPy (float32).

ReLU hidden layer, softmax output, cross-entropy, plain SGD (lr 0.01) on the batch mean,
batch 32, cycling through 1024 synthetic samples, exactly the work of the Rust benchmark.
Run single-threaded (OPENBLAS_NUM_THREADS=1, set by peer_numpy.sh) so it compares with one
core of `dl`. Prints samples/s: the median and the fastest of ROUNDS rounds of about 0.3 s.
"""

import os
import sys
import time

import numpy as np

ROUNDS = int(os.environ.get("ROUNDS", "15"))
BATCH, I, H, O, LR = 32, 784, 128, 10, np.float32(0.01)

rng = np.random.default_rng(2)
xs = rng.random((1024, I), dtype=np.float32)
ys = np.zeros((1024, O), dtype=np.float32)
ys[np.arange(1024), rng.integers(0, O, 1024)] = 1.0

w1 = (rng.random((H, I), dtype=np.float32) - 0.5) * np.float32(0.1)
b1 = np.zeros(H, dtype=np.float32)
w2 = (rng.random((O, H), dtype=np.float32) - 0.5) * np.float32(0.3)
b2 = np.zeros(O, dtype=np.float32)


def step(x, y):
    global w1, b1, w2, b2
    z1 = x @ w1.T + b1
    a1 = np.maximum(z1, 0)
    z2 = a1 @ w2.T + b2
    z2 = z2 - z2.max(axis=1, keepdims=True)
    e = np.exp(z2)
    p = e / e.sum(axis=1, keepdims=True)
    loss = -np.log(p[y > 0]).mean()
    d2 = (p - y) / np.float32(len(x))
    gw2 = d2.T @ a1
    gb2 = d2.sum(axis=0)
    d1 = (d2 @ w2) * (z1 > 0)
    gw1 = d1.T @ x
    gb1 = d1.sum(axis=0)
    w1 -= LR * gw1
    b1 -= LR * gb1
    w2 -= LR * gw2
    b2 -= LR * gb2
    return loss


def block(n, k):
    start = time.perf_counter()
    for _ in range(n):
        k = (k + 1) % (1024 // BATCH)
        step(xs[k * BATCH:(k + 1) * BATCH], ys[k * BATCH:(k + 1) * BATCH])
    return (time.perf_counter() - start) / n, k


k = 0
per_step, k = block(50, k)
n = max(1, int(0.3 / per_step))
rates = []
for _ in range(ROUNDS):
    per_step, k = block(n, k)
    rates.append(BATCH / per_step)
rates.sort()
print(f"numpy {np.__version__} 784-128-10 batch 32: median {rates[len(rates) // 2] / 1e3:.1f}k samples/s, "
      f"best {rates[-1] / 1e3:.1f}k samples/s ({ROUNDS} rounds)")
sys.stdout.flush()
