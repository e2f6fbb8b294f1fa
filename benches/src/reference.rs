//! Hand-written plain-Rust references: the same networks as the benchmarks' `network!`
//! declarations, written the way a careful person writes a fixed-size MLP by hand: fixed-size
//! arrays, loops the compiler vectorises, one sample at a time, plain SGD on the batch-mean
//! gradient.
//!
//! Every benchmark times one of these against `dl` in the same criterion run, and the unit
//! tests below check that each reference computes the same losses and updates as `dl`, so the
//! ratio compares equal work.

/// `sum_i a_i b_i`, with eight partial sums so LLVM can keep them in one vector register.
#[inline(always)]
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    const LANES: usize = 8;
    let mut acc = [0.0f32; LANES];
    let (ac, bc) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
    let (ar, br) = (ac.remainder(), bc.remainder());
    for (x, y) in ac.zip(bc) {
        for l in 0..LANES {
            acc[l] += x[l] * y[l];
        }
    }
    let mut s = acc.iter().sum::<f32>();
    for (x, y) in ar.iter().zip(br) {
        s += x * y;
    }
    s
}

/// A fully connected layer written by hand: `z = W x + b`, with `W` stored input-major
/// (`w[i]` is column `i`, the `O` weights leaving input `i`). That is the fast layout for one
/// sample at a time: forward is `O`-wide multiply-adds `z += w[i] x_i` (no horizontal sums),
/// the weight gradient `g[i] += x_i dz` likewise, and only `dL/dx_i = w[i] . dz` is a dot
/// product. (A row-major `[O][I]` layout with dot products measured 2-3x slower at these
/// sizes: every output pays a horizontal sum.)
#[derive(Clone)]
pub struct Linear<const I: usize, const O: usize> {
    /// Weights, `w[i][o]`.
    pub w: [[f32; O]; I],
    /// Biases.
    pub b: [f32; O],
}

impl<const I: usize, const O: usize> Linear<I, O> {
    /// All zeros.
    pub const ZERO: Self = Linear {
        w: [[0.0; O]; I],
        b: [0.0; O],
    };

    /// `z = W x + b`.
    #[inline(always)]
    pub fn forward(&self, x: &[f32; I], z: &mut [f32; O]) {
        *z = self.b;
        for (w, &x) in self.w.iter().zip(x) {
            for (z, &w) in z.iter_mut().zip(w) {
                *z += w * x;
            }
        }
    }

    /// Adds `dz x^T` to `g.w` and `dz` to `g.b`; writes `W^T dz` into `dx` if asked.
    #[inline(always)]
    pub fn backward(&self, x: &[f32; I], dz: &[f32; O], g: &mut Self, dx: Option<&mut [f32; I]>) {
        for (gb, &d) in g.b.iter_mut().zip(dz) {
            *gb += d;
        }
        for (gw, &x) in g.w.iter_mut().zip(x) {
            for (gw, &d) in gw.iter_mut().zip(dz) {
                *gw += d * x;
            }
        }
        if let Some(dx) = dx {
            for (dx, w) in dx.iter_mut().zip(&self.w) {
                *dx = dot(w, dz);
            }
        }
    }

    /// `p -= lr * g`.
    #[inline(always)]
    pub fn sgd(&mut self, g: &Self, lr: f32) {
        for (w, g) in self.w.iter_mut().zip(&g.w) {
            for (w, &g) in w.iter_mut().zip(g) {
                *w -= lr * g;
            }
        }
        for (b, &g) in self.b.iter_mut().zip(&g.b) {
            *b -= lr * g;
        }
    }

    /// Copies `dl`'s column-major `weight` and `bias` tensors (the same memory order).
    pub fn copy_from_dl(&mut self, weight: &[f32], bias: &[f32]) {
        for (i, col) in self.w.iter_mut().enumerate() {
            col.copy_from_slice(&weight[i * O..(i + 1) * O]);
        }
        self.b.copy_from_slice(bias);
    }
}

#[inline(always)]
fn sigmoid(z: f32) -> f32 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

/// XOR 2-4-1, sigmoid-sigmoid, MSE, by hand.
#[derive(Clone)]
pub struct Xor {
    /// Hidden layer.
    pub l1: Linear<2, 4>,
    /// Output layer.
    pub l2: Linear<4, 1>,
}

impl Xor {
    /// One full-batch SGD step on `xs, ys` (gradient averaged over the batch); returns the
    /// mean loss before the step.
    #[inline(never)]
    pub fn train_batch(&mut self, xs: &[[f32; 2]], ys: &[[f32; 1]], lr: f32) -> f32 {
        let mut g1 = Linear::<2, 4>::ZERO;
        let mut g2 = Linear::<4, 1>::ZERO;
        let mut total = 0.0;
        for (x, y) in xs.iter().zip(ys) {
            let (mut z1, mut z2) = ([0.0; 4], [0.0; 1]);
            self.l1.forward(x, &mut z1);
            let a1 = z1.map(sigmoid);
            self.l2.forward(&a1, &mut z2);
            let a2 = sigmoid(z2[0]);
            let e = a2 - y[0];
            total += e * e;
            let dz2 = [2.0 * e * a2 * (1.0 - a2)];
            let mut da1 = [0.0; 4];
            self.l2.backward(&a1, &dz2, &mut g2, Some(&mut da1));
            let mut dz1 = [0.0; 4];
            for ((d, &da), &a) in dz1.iter_mut().zip(&da1).zip(&a1) {
                *d = da * a * (1.0 - a);
            }
            self.l1.backward(x, &dz1, &mut g1, None);
        }
        let inv = 1.0 / xs.len() as f32;
        self.l1.sgd(&g1, lr * inv);
        self.l2.sgd(&g2, lr * inv);
        total * inv
    }
}

/// An `I-H-O` classifier by hand: ReLU hidden layer, softmax output, cross-entropy.
#[derive(Clone)]
pub struct Mlp<const I: usize, const H: usize, const O: usize> {
    /// Hidden layer.
    pub l1: Linear<I, H>,
    /// Output layer.
    pub l2: Linear<H, O>,
}

/// The per-sample gradient and scratch of an [`Mlp`], kept between steps so a step does not
/// zero-initialise large arrays twice.
#[derive(Clone)]
pub struct MlpGrad<const I: usize, const H: usize, const O: usize> {
    g1: Linear<I, H>,
    g2: Linear<H, O>,
}

impl<const I: usize, const H: usize, const O: usize> MlpGrad<I, H, O> {
    /// All zeros.
    pub const ZERO: Self = MlpGrad {
        g1: Linear::ZERO,
        g2: Linear::ZERO,
    };
}

impl<const I: usize, const H: usize, const O: usize> Mlp<I, H, O> {
    /// All zeros.
    pub const ZERO: Self = Mlp {
        l1: Linear::ZERO,
        l2: Linear::ZERO,
    };

    /// Inference: the class probabilities.
    #[inline(never)]
    pub fn forward(&self, x: &[f32; I]) -> [f32; O] {
        let (mut z1, mut z2) = ([0.0; H], [0.0; O]);
        self.l1.forward(x, &mut z1);
        let a1 = z1.map(|z| z.max(0.0));
        self.l2.forward(&a1, &mut z2);
        softmax(&z2)
    }

    /// One SGD step on the batch `xs, ys` (one-hot targets), gradient averaged over it;
    /// returns the mean cross-entropy before the step.
    #[inline(never)]
    pub fn train_batch(
        &mut self,
        xs: &[[f32; I]],
        ys: &[[f32; O]],
        g: &mut MlpGrad<I, H, O>,
        lr: f32,
    ) -> f32 {
        g.g1.w.iter_mut().for_each(|r| r.fill(0.0));
        g.g1.b.fill(0.0);
        g.g2.w.iter_mut().for_each(|r| r.fill(0.0));
        g.g2.b.fill(0.0);
        let mut total = 0.0;
        for (x, y) in xs.iter().zip(ys) {
            let (mut z1, mut z2) = ([0.0; H], [0.0; O]);
            self.l1.forward(x, &mut z1);
            let a1 = z1.map(|z| z.max(0.0));
            self.l2.forward(&a1, &mut z2);
            let p = softmax(&z2);
            let lse = log_sum_exp(&z2);
            let mut dz2 = [0.0; O];
            for (((d, &p), &y), &z) in dz2.iter_mut().zip(&p).zip(y).zip(&z2) {
                *d = p - y;
                total += y * (lse - z);
            }
            let mut da1 = [0.0; H];
            self.l2.backward(&a1, &dz2, &mut g.g2, Some(&mut da1));
            for (d, &z) in da1.iter_mut().zip(&z1) {
                if z <= 0.0 {
                    *d = 0.0;
                }
            }
            self.l1.backward(x, &da1, &mut g.g1, None);
        }
        let inv = 1.0 / xs.len() as f32;
        self.l1.sgd(&g.g1, lr * inv);
        self.l2.sgd(&g.g2, lr * inv);
        total * inv
    }
}

#[inline(always)]
pub(crate) fn log_sum_exp<const O: usize>(z: &[f32; O]) -> f32 {
    let m = z.iter().fold(f32::NEG_INFINITY, |m, &v| m.max(v));
    m + z.iter().map(|&v| (v - m).exp()).sum::<f32>().ln()
}

#[inline(always)]
pub(crate) fn softmax<const O: usize>(z: &[f32; O]) -> [f32; O] {
    let m = z.iter().fold(f32::NEG_INFINITY, |m, &v| m.max(v));
    let e = z.map(|v| (v - m).exp());
    let inv = 1.0 / e.iter().sum::<f32>();
    e.map(|v| v * inv)
}

/// The digits CNN by hand: 1x8x8 image, 3x3 convolution to 8 channels (padding 1) + ReLU,
/// 2x2 max pooling to 8x4x4, flatten (channel, row, column), Dense 128 -> 10, softmax,
/// cross-entropy.
#[derive(Clone)]
pub struct Cnn {
    /// Convolution kernels, `conv_w[o][ky][kx]`.
    pub conv_w: [[[f32; 3]; 3]; 8],
    /// Convolution biases.
    pub conv_b: [f32; 8],
    /// The Dense layer after flattening.
    pub dense: Linear<128, 10>,
}

/// What the CNN's forward pass keeps for backward.
struct CnnCache {
    z1: [[[f32; 8]; 8]; 8],
    pooled: [f32; 128],
    argmax: [usize; 128],
    z2: [f32; 10],
}

impl Cnn {
    /// All zeros.
    pub const ZERO: Self = Cnn {
        conv_w: [[[0.0; 3]; 3]; 8],
        conv_b: [0.0; 8],
        dense: Linear::ZERO,
    };

    #[inline(always)]
    fn forward_cache(&self, x: &[f32; 64], c: &mut CnnCache) {
        for (o, z) in c.z1.iter_mut().enumerate() {
            let w = &self.conv_w[o];
            for (y, row) in z.iter_mut().enumerate() {
                for (xx, z) in row.iter_mut().enumerate() {
                    let mut s = self.conv_b[o];
                    for (ky, w) in w.iter().enumerate() {
                        let iy = y + ky;
                        if !(1..=8).contains(&iy) {
                            continue;
                        }
                        for (kx, &w) in w.iter().enumerate() {
                            let ix = xx + kx;
                            if (1..=8).contains(&ix) {
                                s += w * x[(iy - 1) * 8 + ix - 1];
                            }
                        }
                    }
                    *z = s;
                }
            }
        }
        for o in 0..8 {
            for py in 0..4 {
                for px in 0..4 {
                    let (mut best, mut arg) = (f32::NEG_INFINITY, 0);
                    for dy in 0..2 {
                        for dx in 0..2 {
                            let (y, x) = (2 * py + dy, 2 * px + dx);
                            let a = c.z1[o][y][x].max(0.0);
                            if a > best {
                                best = a;
                                arg = (o * 8 + y) * 8 + x;
                            }
                        }
                    }
                    let k = (o * 4 + py) * 4 + px;
                    c.pooled[k] = best;
                    c.argmax[k] = arg;
                }
            }
        }
        self.dense.forward(&c.pooled, &mut c.z2);
    }

    /// Inference: the class probabilities.
    #[inline(never)]
    pub fn forward(&self, x: &[f32; 64]) -> [f32; 10] {
        let mut c = CnnCache {
            z1: [[[0.0; 8]; 8]; 8],
            pooled: [0.0; 128],
            argmax: [0; 128],
            z2: [0.0; 10],
        };
        self.forward_cache(x, &mut c);
        softmax(&c.z2)
    }

    /// One SGD step on the batch (one-hot targets), gradient averaged over it; returns the
    /// mean cross-entropy before the step.
    #[inline(never)]
    pub fn train_batch(&mut self, xs: &[[f32; 64]], ys: &[[f32; 10]], lr: f32) -> f32 {
        let mut g = Cnn::ZERO;
        let mut c = CnnCache {
            z1: [[[0.0; 8]; 8]; 8],
            pooled: [0.0; 128],
            argmax: [0; 128],
            z2: [0.0; 10],
        };
        let mut total = 0.0;
        for (x, y) in xs.iter().zip(ys) {
            self.forward_cache(x, &mut c);
            let p = softmax(&c.z2);
            let lse = log_sum_exp(&c.z2);
            let mut dz2 = [0.0; 10];
            for (((d, &p), &y), &z) in dz2.iter_mut().zip(&p).zip(y).zip(&c.z2) {
                *d = p - y;
                total += y * (lse - z);
            }
            let mut dpooled = [0.0; 128];
            self.dense
                .backward(&c.pooled, &dz2, &mut g.dense, Some(&mut dpooled));
            // Unpool, then ReLU: only window winners with z > 0 pass a gradient.
            let mut dz1 = [[[0.0f32; 8]; 8]; 8];
            for (&d, &arg) in dpooled.iter().zip(&c.argmax) {
                let (o, y, x) = (arg / 64, arg / 8 % 8, arg % 8);
                if c.z1[o][y][x] > 0.0 {
                    dz1[o][y][x] += d;
                }
            }
            for ((dz, gw), gb) in dz1.iter().zip(&mut g.conv_w).zip(&mut g.conv_b) {
                for (y, row) in dz.iter().enumerate() {
                    for (xx, &d) in row.iter().enumerate() {
                        *gb += d;
                        for (ky, gw) in gw.iter_mut().enumerate() {
                            let iy = y + ky;
                            if !(1..=8).contains(&iy) {
                                continue;
                            }
                            for (kx, gw) in gw.iter_mut().enumerate() {
                                let ix = xx + kx;
                                if (1..=8).contains(&ix) {
                                    *gw += d * x[(iy - 1) * 8 + ix - 1];
                                }
                            }
                        }
                    }
                }
            }
        }
        let inv = 1.0 / xs.len() as f32;
        let step = lr * inv;
        for (w, g) in self
            .conv_w
            .iter_mut()
            .flatten()
            .flatten()
            .zip(g.conv_w.iter().flatten().flatten())
        {
            *w -= step * g;
        }
        for (b, g) in self.conv_b.iter_mut().zip(&g.conv_b) {
            *b -= step * g;
        }
        self.dense.sgd(&g.dense, step);
        total * inv
    }
}
