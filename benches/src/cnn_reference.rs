//! The digits CNN written by hand in plain Rust, the reference the CNN benchmarks time `dl`
//! against: Conv2D 1->8 (3x3, padding 1) + ReLU, 2x2 max pooling, Conv2D 8->16 (3x3) + ReLU,
//! Flatten, Dense 64->10 + softmax, cross-entropy, plain SGD on the batch-mean gradient.
//!
//! Direct convolution loops over nested fixed-size arrays (PyTorch's `[out][in][kh][kw]`
//! kernels), the padding handled by skipping rows and columns outside the image, the pooling
//! switches kept for backward. The unit test at the bottom checks that it computes the same
//! loss and the same update as `dl`, so the benchmark compares equal work.

// Convolutions index several arrays with the same loop variables; index loops say it best.
#![allow(clippy::needless_range_loop)]

use crate::reference::{log_sum_exp, softmax, Linear};

/// One 8x8 image.
pub type Image = [f32; 64];

/// The network's parameters (or their gradient).
#[derive(Clone)]
pub struct Cnn {
    /// Conv 1 kernels `[out][ky][kx]` (one input channel).
    pub w1: [[[f32; 3]; 3]; 8],
    /// Conv 1 biases.
    pub b1: [f32; 8],
    /// Conv 2 kernels `[out][in][ky][kx]`.
    pub w2: [[[[f32; 3]; 3]; 8]; 16],
    /// Conv 2 biases.
    pub b2: [f32; 16],
    /// The dense head, `[10][64]`.
    pub fc: Linear<64, 10>,
}

/// What the forward pass keeps for backward.
struct Trace {
    z1: [[[f32; 8]; 8]; 8],
    pooled: [[[f32; 4]; 4]; 8],
    /// For each pooled value, the `(y, x)` of the input that won.
    switch: [[[(usize, usize); 4]; 4]; 8],
    z2: [[[f32; 2]; 2]; 16],
    a2: [f32; 64],
    z3: [f32; 10],
}

impl Cnn {
    /// All zeros.
    pub const ZERO: Self = Cnn {
        w1: [[[0.0; 3]; 3]; 8],
        b1: [0.0; 8],
        w2: [[[[0.0; 3]; 3]; 8]; 16],
        b2: [0.0; 16],
        fc: Linear::ZERO,
    };

    /// Copies `dl`'s tensors (kernel matrices `[out][c*9 + ky*3 + kx]`, column-major).
    pub fn copy_from_dl(&mut self, tensors: [&[f32]; 6]) {
        for o in 0..8 {
            for j in 0..9 {
                self.w1[o][j / 3][j % 3] = tensors[0][j * 8 + o];
            }
        }
        self.b1.copy_from_slice(tensors[1]);
        for o in 0..16 {
            for j in 0..72 {
                self.w2[o][j / 9][(j % 9) / 3][j % 3] = tensors[2][j * 16 + o];
            }
        }
        self.b2.copy_from_slice(tensors[3]);
        self.fc.copy_from_dl(tensors[4], tensors[5]);
    }

    fn trace(&self, x: &Image) -> Trace {
        let mut t = Trace {
            z1: [[[0.0; 8]; 8]; 8],
            pooled: [[[0.0; 4]; 4]; 8],
            switch: [[[(0, 0); 4]; 4]; 8],
            z2: [[[0.0; 2]; 2]; 16],
            a2: [0.0; 64],
            z3: [0.0; 10],
        };
        // Conv 1, padding 1: rows and columns outside the image are skipped.
        for o in 0..8 {
            for y in 0..8usize {
                for xx in 0..8usize {
                    let mut s = self.b1[o];
                    for ky in 0..3 {
                        let Some(iy) = (y + ky).checked_sub(1).filter(|&i| i < 8) else {
                            continue;
                        };
                        for kx in 0..3 {
                            if let Some(ix) = (xx + kx).checked_sub(1).filter(|&i| i < 8) {
                                s += self.w1[o][ky][kx] * x[iy * 8 + ix];
                            }
                        }
                    }
                    t.z1[o][y][xx] = s;
                }
            }
        }
        // ReLU, then 2x2 max pooling (first maximum wins).
        for c in 0..8 {
            for py in 0..4 {
                for px in 0..4 {
                    let (mut best, mut at) = (f32::NEG_INFINITY, (0, 0));
                    for dy in 0..2 {
                        for dx in 0..2 {
                            let v = t.z1[c][2 * py + dy][2 * px + dx].max(0.0);
                            if v > best {
                                best = v;
                                at = (2 * py + dy, 2 * px + dx);
                            }
                        }
                    }
                    t.pooled[c][py][px] = best;
                    t.switch[c][py][px] = at;
                }
            }
        }
        // Conv 2, no padding, then ReLU and flatten in C, H, W order.
        for o in 0..16 {
            for y in 0..2 {
                for xx in 0..2 {
                    let mut s = self.b2[o];
                    for c in 0..8 {
                        for ky in 0..3 {
                            for kx in 0..3 {
                                s += self.w2[o][c][ky][kx] * t.pooled[c][y + ky][xx + kx];
                            }
                        }
                    }
                    t.z2[o][y][xx] = s;
                    t.a2[o * 4 + y * 2 + xx] = s.max(0.0);
                }
            }
        }
        self.fc.forward(&t.a2, &mut t.z3);
        t
    }

    /// Inference: the class probabilities.
    #[inline(never)]
    pub fn forward(&self, x: &Image) -> [f32; 10] {
        softmax(&self.trace(x).z3)
    }

    /// Adds the gradient of the cross-entropy at `(x, y)` into `g`; returns the loss.
    fn backward(&self, x: &Image, y: &[f32; 10], g: &mut Cnn) -> f32 {
        let t = self.trace(x);
        let p = softmax(&t.z3);
        let lse = log_sum_exp(&t.z3);
        let mut dz3 = [0.0; 10];
        let mut loss = 0.0;
        for k in 0..10 {
            dz3[k] = p[k] - y[k];
            loss += y[k] * (lse - t.z3[k]);
        }
        let mut da2 = [0.0; 64];
        self.fc.backward(&t.a2, &dz3, &mut g.fc, Some(&mut da2));
        // Conv 2: kernel and bias gradients, and the gradient at the pooled map.
        let mut dpooled = [[[0.0f32; 4]; 4]; 8];
        for o in 0..16 {
            for yy in 0..2 {
                for xx in 0..2 {
                    let d = if t.z2[o][yy][xx] > 0.0 {
                        da2[o * 4 + yy * 2 + xx]
                    } else {
                        0.0
                    };
                    g.b2[o] += d;
                    for c in 0..8 {
                        for ky in 0..3 {
                            for kx in 0..3 {
                                g.w2[o][c][ky][kx] += d * t.pooled[c][yy + ky][xx + kx];
                                dpooled[c][yy + ky][xx + kx] += d * self.w2[o][c][ky][kx];
                            }
                        }
                    }
                }
            }
        }
        // Pooling sends each gradient to its switch; ReLU masks it.
        let mut dz1 = [[[0.0f32; 8]; 8]; 8];
        for c in 0..8 {
            for py in 0..4 {
                for px in 0..4 {
                    let (sy, sx) = t.switch[c][py][px];
                    if t.z1[c][sy][sx] > 0.0 {
                        dz1[c][sy][sx] += dpooled[c][py][px];
                    }
                }
            }
        }
        // Conv 1: kernel and bias gradients (the input needs none).
        for o in 0..8 {
            for yy in 0..8usize {
                for xx in 0..8usize {
                    let d = dz1[o][yy][xx];
                    g.b1[o] += d;
                    for ky in 0..3 {
                        let Some(iy) = (yy + ky).checked_sub(1).filter(|&i| i < 8) else {
                            continue;
                        };
                        for kx in 0..3 {
                            if let Some(ix) = (xx + kx).checked_sub(1).filter(|&i| i < 8) {
                                g.w1[o][ky][kx] += d * x[iy * 8 + ix];
                            }
                        }
                    }
                }
            }
        }
        loss
    }

    /// One SGD step on the batch `xs, ys` (one-hot targets), gradient averaged over it;
    /// returns the mean cross-entropy before the step.
    #[inline(never)]
    pub fn train_batch(&mut self, xs: &[Image], ys: &[[f32; 10]], g: &mut Cnn, lr: f32) -> f32 {
        *g = Cnn::ZERO;
        let mut total = 0.0;
        for (x, y) in xs.iter().zip(ys) {
            total += self.backward(x, y, g);
        }
        let step = lr / xs.len() as f32;
        for (w, g) in self
            .w1
            .as_flattened_mut()
            .as_flattened_mut()
            .iter_mut()
            .zip(g.w1.as_flattened().as_flattened())
        {
            *w -= step * g;
        }
        for (w, g) in self.b1.iter_mut().zip(&g.b1) {
            *w -= step * g;
        }
        let w2 = self
            .w2
            .as_flattened_mut()
            .as_flattened_mut()
            .as_flattened_mut();
        for (w, g) in w2
            .iter_mut()
            .zip(g.w2.as_flattened().as_flattened().as_flattened())
        {
            *w -= step * g;
        }
        for (w, g) in self.b2.iter_mut().zip(&g.b2) {
            *w -= step * g;
        }
        self.fc.sgd(&g.fc, step);
        total / xs.len() as f32
    }
}

dl_core::network! {
    /// The digits CNN of issue 4 (`examples/digits_cnn.rs` without its Dropout), as `dl`
    /// declares it.
    pub struct DigitsCnn {
        input: [1, 8, 8],
        Conv2D<1, 8, 3, Relu, padding = 1>,
        MaxPool2D<2>,
        Conv2D<8, 16, 3, Relu>,
        Flatten,
        Dense<64, 10, Softmax>,
    }
}

/// The hand-written network with `net`'s weights.
pub fn reference_cnn(net: &DigitsCnn<f32>) -> Box<Cnn> {
    use dl_core::network::Params;
    let mut r = Box::new(Cnn::ZERO);
    r.copy_from_dl(core::array::from_fn(|i| net.tensor(i)));
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{as_arrays, classification_data};
    use dl_core::prelude::*;

    /// Same loss, same outputs and same weights after two SGD steps as `dl`.
    #[test]
    fn reference_matches_dl() {
        let (xs, ys) = classification_data::<64, 10>(16, 5);
        let (rx, ry) = (as_arrays(&xs), as_arrays(&ys));
        let mut net = DigitsCnn::<f32>::new(3);
        let mut r = reference_cnn(&net);
        let mut g = Box::new(Cnn::ZERO);
        let close = |a: f32, b: f32| (a - b).abs() <= 1e-4 * a.abs().max(b.abs()).max(1e-3);
        for (a, b) in net.forward(&xs[0]).iter().zip(&r.forward(&rx[0])) {
            assert!(close(*a, *b), "output {a} vs {b}");
        }
        let mut ws = Workspace::<DigitsCnn<f32>>::boxed();
        let mut sgd = Sgd::new(0.1);
        for step in 0..2 {
            let batch = step * 8..step * 8 + 8;
            let ours = train_batch::<_, CrossEntropy, _>(
                &mut net,
                &mut sgd,
                &xs[batch.clone()],
                &ys[batch.clone()],
                &mut ws,
            )
            .unwrap();
            let theirs = r.train_batch(&rx[batch.clone()], &ry[batch], &mut g, 0.1);
            assert!(close(ours, theirs), "loss {ours} vs {theirs}");
        }
        let mut expected = Cnn::ZERO;
        expected.copy_from_dl(core::array::from_fn(|i| net.tensor(i)));
        let flat = |c: &Cnn| -> Vec<f32> {
            let mut v = c.w1.as_flattened().as_flattened().to_vec();
            v.extend(c.b1);
            v.extend(c.w2.as_flattened().as_flattened().as_flattened());
            v.extend(c.b2);
            v.extend(c.fc.w.as_flattened());
            v.extend(c.fc.b);
            v
        };
        for (a, b) in flat(&expected).iter().zip(&flat(&r)) {
            assert!(close(*a, *b), "weight {a} vs {b}");
        }
    }
}
