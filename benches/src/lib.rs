//! Benchmarks of `dl` against hand-written plain-Rust references of the same networks.
//!
//! Run them all with `cargo bench -p dl-benches` (see BENCHMARKS.md). Each benchmark group
//! times `dl` and its [`reference`] in the same criterion run; at the end [`report`] reads
//! criterion's estimates back and prints `reference time / dl time` for every pair, so a ratio
//! above 1 means `dl` is faster. Only ratios are meaningful on a shared, noisy machine.

pub mod cnn_reference;
pub mod reference;
pub mod report;

use dl_core::prelude::*;

network! {
    /// XOR, 2-4-1 sigmoid network trained on MSE.
    pub struct Xor {
        Dense<2, 4, Sigmoid>,
        Dense<4, 1, Sigmoid>,
    }
}

network! {
    /// The 8x8 digits classifier, 64-32-10.
    pub struct Digits {
        Dense<64, 32, Relu>,
        Dense<32, 10, Softmax>,
    }
}

network! {
    /// The MNIST-sized classifier, 784-128-10.
    pub struct Mnist {
        Dense<784, 128, Relu>,
        Dense<128, 10, Softmax>,
    }
}

network! {
    /// The digits CNN: 1x8x8 image, 3x3 convolution to 8 channels, 2x2 max pooling, Dense.
    pub struct DigitsCnn {
        input: [1, 8, 8],
        Conv2D<1, 8, 3, Relu, padding = 1>,
        MaxPool2D<2>,
        Flatten,
        Dense<128, 10, Softmax>,
    }
}

network! {
    /// The peers suite's CIFAR-sized CNN (`../shared/peers`, case f), channels first.
    pub struct CifarCnn {
        input: [3, 32, 32],
        Conv2D<3, 32, 3, Relu, padding = 1>,  // (32, 32, 32)
        MaxPool2D<2>,                         // (32, 16, 16)
        Conv2D<32, 64, 3, Relu, padding = 1>, // (64, 16, 16)
        MaxPool2D<2>,                         // (64, 8, 8)
        Flatten,                              // 4096
        Dense<4096, 128, Relu>,
        Dense<128, 10, Softmax>,
    }
}

/// This process's CPU time so far, all threads (`CLOCK_PROCESS_CPUTIME_ID`, nanosecond
/// resolution; 0 where the clock is missing).
pub fn cpu_seconds() -> f64 {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `t` is a valid, writable timespec for the call's duration.
    if unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut t) } != 0 {
        return 0.0;
    }
    t.tv_sec as f64 + t.tv_nsec as f64 * 1e-9
}

/// This thread's CPU time so far (`CLOCK_THREAD_CPUTIME_ID`, nanosecond resolution; 0 where
/// the clock is missing). Not `/proc/thread-self/schedstat`: read by the running thread
/// itself, its first field moves only at scheduler ticks (4 ms here), which made a 17 ms
/// inference read as 16 or 20 ms.
pub fn thread_cpu_seconds() -> f64 {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `t` is a valid, writable timespec for the call's duration.
    if unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) } != 0 {
        return 0.0;
    }
    t.tv_sec as f64 + t.tv_nsec as f64 * 1e-9
}

/// The four XOR rows and their targets.
/// A benchmark body that cycles through `len` samples in runs of `run` (a batch, or one
/// sample): each call hands the next run's index range to `f`, wrapping around at the end, so
/// consecutive calls never see the same data twice in a row, as in a training loop.
pub fn cycling<O>(
    len: usize,
    run: usize,
    mut f: impl FnMut(std::ops::Range<usize>) -> O,
) -> impl FnMut() -> O {
    let run = run.max(1);
    let steps = (len / run).max(1);
    let mut k = 0;
    move || {
        k = (k + 1) % steps;
        f(k * run..(k + 1) * run)
    }
}

pub fn xor_data() -> ([SVector<f32, 2>; 4], [SVector<f32, 1>; 4]) {
    let xs = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]].map(SVector::<f32, 2>::from);
    let ys = [[0.0], [1.0], [1.0], [0.0]].map(SVector::<f32, 1>::from);
    (xs, ys)
}

/// `n` synthetic samples for an `I`-input, `O`-class problem: inputs uniform in `[0, 1)`
/// (like scaled pixels), one-hot targets. Speed does not depend on the values.
pub fn classification_data<const I: usize, const O: usize>(
    n: usize,
    seed: u64,
) -> (Vec<SVector<f32, I>>, Vec<SVector<f32, O>>) {
    let mut rng = Rng::new(seed);
    let xs = (0..n)
        .map(|_| SVector::<f32, I>::from_fn(|_, _| rng.uniform() as f32))
        .collect();
    let ys = (0..n)
        .map(|_| {
            let mut y = SVector::<f32, O>::zeros();
            y[rng.below(O)] = 1.0;
            y
        })
        .collect();
    (xs, ys)
}

/// The samples as plain arrays, for the references.
pub fn as_arrays<const N: usize>(v: &[SVector<f32, N>]) -> Vec<[f32; N]> {
    v.iter().map(|x| x.data.0[0]).collect()
}

/// A hand-written XOR with `net`'s weights.
pub fn reference_xor(net: &Xor<f32>) -> reference::Xor {
    let mut r = reference::Xor {
        l1: reference::Linear::ZERO,
        l2: reference::Linear::ZERO,
    };
    r.l1.copy_from_dl(net.layer1.weight.as_slice(), net.layer1.bias.as_slice());
    r.l2.copy_from_dl(net.layer2.weight.as_slice(), net.layer2.bias.as_slice());
    r
}

/// A hand-written two-layer classifier with the weights of a `dl` network's two Dense layers.
pub fn reference_mlp<const I: usize, const H: usize, const O: usize>(
    l1: (&[f32], &[f32]),
    l2: (&[f32], &[f32]),
) -> Box<reference::Mlp<I, H, O>> {
    let mut r = Box::new(reference::Mlp::ZERO);
    r.l1.copy_from_dl(l1.0, l1.1);
    r.l2.copy_from_dl(l2.0, l2.1);
    r
}

/// A hand-written digits network with `net`'s weights.
pub fn reference_digits(net: &Digits<f32>) -> Box<reference::Mlp<64, 32, 10>> {
    reference_mlp(
        (net.layer1.weight.as_slice(), net.layer1.bias.as_slice()),
        (net.layer2.weight.as_slice(), net.layer2.bias.as_slice()),
    )
}

/// A hand-written 784-128-10 network with `net`'s weights.
pub fn reference_mnist(net: &Mnist<f32>) -> Box<reference::Mlp<784, 128, 10>> {
    reference_mlp(
        (net.layer1.weight.as_slice(), net.layer1.bias.as_slice()),
        (net.layer2.weight.as_slice(), net.layer2.bias.as_slice()),
    )
}

/// A hand-written digits CNN with `net`'s weights.
pub fn reference_cnn(net: &DigitsCnn<f32>) -> Box<reference::Cnn> {
    let mut r = Box::new(reference::Cnn::ZERO);
    // dl's kernel matrix is `W[o][ky*3 + kx]`, column-major (8 rows).
    let w = net.layer1.weight.as_slice();
    for (o, k) in r.conv_w.iter_mut().enumerate() {
        for (ky, row) in k.iter_mut().enumerate() {
            for (kx, v) in row.iter_mut().enumerate() {
                *v = w[(ky * 3 + kx) * 8 + o];
            }
        }
    }
    r.conv_b.copy_from_slice(net.layer1.bias.as_slice());
    r.dense
        .copy_from_dl(net.layer4.weight.as_slice(), net.layer4.bias.as_slice());
    r
}

#[cfg(test)]
mod tests {
    //! The references compute what `dl` computes: same losses, same updated weights.
    use super::*;

    fn close(a: f32, b: f32) -> bool {
        (a - b).abs() <= 1e-4 * (1.0 + a.abs().max(b.abs()))
    }

    #[test]
    fn xor_reference_matches_dl() {
        let (xs, ys) = xor_data();
        let mut net = Xor::<f32>::new(3);
        let mut r = reference_xor(&net);
        let mut ws = Workspace::new();
        let mut sgd = Sgd::new(0.5);
        for _ in 0..20 {
            let a = train_batch::<_, Mse, _>(&mut net, &mut sgd, &xs, &ys, &mut ws).unwrap();
            let b = r.train_batch(&as_arrays(&xs), &as_arrays(&ys), 0.5);
            assert!(close(a, b), "loss {a} vs reference {b}");
        }
        let back = reference_xor(&net);
        for (p, q) in back.l1.w.iter().flatten().zip(r.l1.w.iter().flatten()) {
            assert!(close(*p, *q), "weight {p} vs reference {q}");
        }
    }

    fn check_mlp<N, const I: usize, const H: usize, const O: usize>(
        net: &mut N,
        r: &mut reference::Mlp<I, H, O>,
        batch: usize,
    ) where
        N: Network<Scalar = f32, Input = SVector<f32, I>, Output = SVector<f32, O>>,
    {
        let (xs, ys) = classification_data::<I, O>(3 * batch, 9);
        let (rx, ry) = (as_arrays(&xs), as_arrays(&ys));
        let mut ws = Workspace::<N>::boxed();
        let mut g = Box::new(reference::MlpGrad::ZERO);
        let mut sgd = Sgd::new(0.05);
        for (k, (x, y)) in xs.chunks(batch).zip(ys.chunks(batch)).enumerate() {
            let (rxk, ryk) = (&rx[k * batch..][..x.len()], &ry[k * batch..][..y.len()]);
            let a = train_batch::<_, CrossEntropy, _>(net, &mut sgd, x, y, &mut ws).unwrap();
            let b = r.train_batch(rxk, ryk, &mut g, 0.05);
            assert!(close(a, b), "loss {a} vs reference {b}");
        }
        for (x, rx) in xs.iter().zip(&rx).take(4) {
            let (p, q) = (net.forward(x), r.forward(rx));
            for (p, q) in p.as_slice().iter().zip(&q) {
                assert!(close(*p, *q), "output {p} vs reference {q}");
            }
        }
    }

    #[test]
    fn cnn_reference_matches_dl() {
        for batch in [1, 32] {
            let mut net = DigitsCnn::<f32>::new(4);
            let mut r = reference_cnn(&net);
            let (xs, ys) = classification_data::<64, 10>(3 * batch, 9);
            let (rx, ry) = (as_arrays(&xs), as_arrays(&ys));
            let mut ws = Workspace::<DigitsCnn<f32>>::boxed();
            let mut sgd = Sgd::new(0.05);
            for (k, (x, y)) in xs.chunks(batch).zip(ys.chunks(batch)).enumerate() {
                let (rxk, ryk) = (&rx[k * batch..][..x.len()], &ry[k * batch..][..y.len()]);
                let a = train_batch::<_, CrossEntropy, _>(&mut net, &mut sgd, x, y, &mut ws);
                let a = a.unwrap();
                let b = r.train_batch(rxk, ryk, 0.05);
                assert!(close(a, b), "batch {batch}: loss {a} vs reference {b}");
            }
            for (x, rx) in xs.iter().zip(&rx).take(4) {
                let (p, q) = (net.forward(x), r.forward(rx));
                for (p, q) in p.as_slice().iter().zip(&q) {
                    assert!(close(*p, *q), "output {p} vs reference {q}");
                }
            }
        }
    }

    #[test]
    fn digits_reference_matches_dl() {
        for batch in [1, 32] {
            let mut net = Digits::<f32>::new(5);
            let mut r = reference_digits(&net);
            check_mlp(&mut net, &mut r, batch);
        }
    }

    #[test]
    fn mnist_reference_matches_dl() {
        for batch in [1, 32] {
            let mut net = Mnist::<f32>::boxed(6);
            let mut r = reference_mnist(&net);
            check_mlp(&mut *net, &mut r, batch);
        }
    }
}
