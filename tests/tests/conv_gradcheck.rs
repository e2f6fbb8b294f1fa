//! `backward` of every image layer and of Dropout against central finite differences (f64),
//! with relative error below 1e-6 (per tensor, `|g - n| / (|g| + |n|)`, see `GradCheck`):
//! Conv2D with stride and padding under each hidden activation, overlapping and non-tiling
//! MaxPool2D and AvgPool2D windows, Flatten, and Dropout (whose mask is fixed by the seed in
//! the cache, which `gradcheck` restarts for every evaluation).
//!
//! Max pooling has no derivative where a window holds two equal maxima. There the test checks
//! what does hold: the whole gradient goes to the first maximum (PyTorch's rule), moving all
//! tied inputs together changes the loss by exactly that gradient, and raising any single
//! tied input changes it by the same amount (a one-sided derivative).

use dl_core::prelude::*;
use dl_tests::{gradcheck_from_seeds, GRADCHECK_STEP as H, GRADCHECK_TOLERANCE as TOLERANCE};

fn one_hot<const N: usize>(k: usize) -> SVector<f64, N> {
    SVector::from_fn(|i, _| if i == k { 1.0 } else { 0.0 })
}

/// Gradchecks `N` from three seeds, with random biases (off the ReLU kink), at a random input.
fn run<N: Network<Scalar = f64> + ValueOnStack, L: Loss>(name: &str, y: &N::Output) -> f64 {
    let worst = gradcheck_from_seeds::<N, L>(name, y, 100);
    println!("{name}: max relative error {worst:.2e}");
    worst
}

network! {
    /// Stride 2 with padding 1, then a 2x2 kernel: (2, 5, 5) -> (3, 3, 3) -> (4, 2, 2).
    struct StridedConvs {
        input: [2, 5, 5],
        Conv2D<2, 3, 3, Tanh, stride = 2, padding = 1>,
        Conv2D<3, 4, 2, Sigmoid>,
        Flatten,
        Dense<16, 3, Softmax>,
    }
}

network! {
    /// ReLU convolution with padding 2 (output larger than input), then identity.
    struct PaddedRelu {
        input: [1, 4, 3],
        Conv2D<1, 2, 3, Relu, padding = 2>,
        Conv2D<2, 2, 3, Identity, stride = 2>,
        Flatten,
        Dense<8, 2, Sigmoid>,
    }
}

network! {
    /// Overlapping 3x3 max windows with stride 2 that leave the last row and column out:
    /// (3, 6, 6) -> (3, 2, 2).
    struct OverlappingMaxPool {
        input: [2, 6, 6],
        Conv2D<2, 3, 3, LeakyRelu<0.1>, padding = 1>,
        MaxPool2D<3, stride = 2>,
        Flatten,
        Dense<12, 2, Sigmoid>,
    }
}

network! {
    /// ReLU, then tiling 2x2 max pooling, as in the digits CNN.
    struct ReluMaxPool {
        input: [1, 6, 6],
        Conv2D<1, 4, 3, Relu, padding = 1>,
        MaxPool2D<2>,
        Conv2D<4, 3, 2, Tanh>,
        MaxPool2D<2>,
        Flatten,
        Dense<3, 3, Softmax>,
    }
}

network! {
    /// Overlapping average windows, then tiling ones: (1, 7, 7) -> (1, 3, 3) -> (2, 2, 2)
    /// -> (2, 1, 1).
    struct AveragePools {
        input: [1, 7, 7],
        AvgPool2D<3, stride = 2>,
        Conv2D<1, 2, 2, Tanh>,
        AvgPool2D<2>,
        Flatten,
        Dense<2, 1, Identity>,
    }
}

network! {
    /// Dropout between Dense layers.
    struct DenseDropout {
        Dense<6, 10, Tanh>,
        Dropout<0.5>,
        Dense<10, 3, Softmax>,
    }
}

network! {
    /// Dropout on an image, and right after the input.
    struct ImageDropout {
        input: [1, 5, 5],
        Dropout<0.2>,
        Conv2D<1, 2, 3, Tanh>,
        Dropout<0.3>,
        Flatten,
        Dense<18, 1, Sigmoid>,
    }
}

#[test]
fn conv_stride_and_padding() {
    run::<StridedConvs<f64>, CrossEntropy>("StridedConvs", &one_hot(1));
    run::<PaddedRelu<f64>, Mse>("PaddedRelu", &SVector::from([0.3, -0.2]));
}

#[test]
fn max_pool() {
    run::<OverlappingMaxPool<f64>, BinaryCrossEntropy>(
        "OverlappingMaxPool",
        &SVector::from([1.0, 0.0]),
    );
    run::<ReluMaxPool<f64>, CrossEntropy>("ReluMaxPool", &one_hot(2));
}

#[test]
fn avg_pool() {
    run::<AveragePools<f64>, Mse>("AveragePools", &SVector::from([0.7]));
}

#[test]
fn dropout() {
    run::<DenseDropout<f64>, CrossEntropy>("DenseDropout", &one_hot(0));
    run::<ImageDropout<f64>, BinaryCrossEntropy>("ImageDropout", &SVector::from([1.0]));
}

/// Dropout's mask really is in the gradient: half the hidden units are zeroed, so the
/// gradients of their outgoing weights are exactly zero, and the others are not.
#[test]
fn dropout_mask_reaches_the_gradient() {
    let net = DenseDropout::<f64>::new(3);
    let mut rng = Rng::new(9);
    let x = SVector::<f64, 6>::from_fn(|_, _| rng.uniform_in(-1.0, 1.0));
    let mut cache = DenseDropout::<f64>::CACHE_ZERO;
    let (mut grads, mut masks) = (DenseDropoutGradient::<f64>::ZERO, DenseDropoutMasks::START);
    net.forward_train(&x, &mut cache, &mut masks);
    net.loss_backward::<CrossEntropy>(&x, &cache, &one_hot(0), &mut grads, None);
    let mask = cache.layer2.mask;
    assert!(mask.iter().any(|&m| m == 0.0) && mask.iter().any(|&m| m == 2.0));
    for (j, &m) in mask.iter().enumerate() {
        let column = grads.layer3.weight.column(j);
        assert_eq!(
            column.iter().all(|&g| g == 0.0),
            m == 0.0,
            "unit {j}, mask {m}"
        );
    }
}

network! {
    /// Max pooling straight on the input, so the input can hold exact ties.
    struct PoolOnInput {
        input: [1, 4, 4],
        MaxPool2D<2>,
        Flatten,
        Dense<4, 1, Identity>,
    }
}

fn loss_of(net: &PoolOnInput<f64>, x: &SVector<f64, 16>, y: &SVector<f64, 1>) -> f64 {
    let mut cache = PoolOnInput::<f64>::CACHE_ZERO;
    net.forward_train(x, &mut cache, &mut ());
    PoolOnInput::<f64>::loss::<Mse>(&cache, y)
}

#[test]
fn max_pool_with_ties() {
    #[rustfmt::skip]
    let x = SVector::<f64, 16>::from([
        1.0, 1.0, 0.0, 2.0,
        0.0, 1.0, 2.0, 2.0,
        3.0, 0.0, 5.0, 5.0,
        0.0, 3.0, 5.0, 5.0,
    ]);
    // Each 2x2 window's tied maxima (flat indices), first in row-major order first.
    let ties: [&[usize]; 4] = [&[0, 1, 5], &[3, 6, 7], &[8, 13], &[10, 11, 14, 15]];
    let mut net = PoolOnInput::<f64>::new(4);
    net.layer3.bias[0] = 0.25;
    let y = SVector::from([-1.0]);
    let mut cache = PoolOnInput::<f64>::CACHE_ZERO;
    let mut grads = PoolOnInputGradient::<f64>::ZERO;
    let mut dx = SVector::<f64, 16>::zeros();
    net.forward_train(&x, &mut cache, &mut ());
    assert_eq!(cache.layer1.a.as_slice(), &[1.0, 2.0, 3.0, 5.0]);
    net.loss_backward::<Mse>(&x, &cache, &y, &mut grads, Some(&mut dx));

    let base = loss_of(&net, &x, &y);
    for tied in ties {
        let g = dx[tied[0]];
        assert!(g.abs() > 1e-3, "the window's gradient is not vacuous");
        // PyTorch's rule: everything to the first maximum, nothing to the other ties.
        for &i in &tied[1..] {
            assert_eq!(dx[i], 0.0, "tied input {i} got gradient");
        }
        // Moving every tied input together: a true derivative, equal to the window's total.
        let mut plus = x;
        let mut minus = x;
        for &i in tied {
            plus[i] += H;
            minus[i] -= H;
        }
        let joint = (loss_of(&net, &plus, &y) - loss_of(&net, &minus, &y)) / (2.0 * H);
        let total: f64 = tied.iter().map(|&i| dx[i]).sum();
        assert!(
            (joint - total).abs() < TOLERANCE * total.abs(),
            "{joint} vs {total}"
        );
        // Raising any one tied input makes it the maximum: the right-hand derivative is g.
        for &i in tied {
            let mut up = x;
            up[i] += H;
            let right = (loss_of(&net, &up, &y) - base) / H;
            assert!(
                (right - g).abs() < 1e-5 * g.abs(),
                "input {i}: {right} vs {g}"
            );
        }
    }
    // Inputs below their window's maximum get no gradient, and finite differences agree.
    for i in [2, 4, 9, 12] {
        assert_eq!(dx[i], 0.0);
        let (mut plus, mut minus) = (x, x);
        plus[i] += H;
        minus[i] -= H;
        assert_eq!(loss_of(&net, &plus, &y), loss_of(&net, &minus, &y));
    }
}

/// Average pooling over a window of equal values: an ordinary derivative, spread evenly.
#[test]
fn avg_pool_with_ties() {
    network! {
        struct AvgOnInput { input: [1, 4, 4], AvgPool2D<2>, Flatten, Dense<4, 1, Identity> }
    }
    let mut net = AvgOnInput::<f64>::new(2);
    let x = SVector::<f64, 16>::from_fn(|i, _| (i / 8) as f64);
    let report = gradcheck::<_, Mse>(&mut net, &x, &SVector::from([0.5]), H);
    assert!(report.max_rel_error < TOLERANCE, "{report:?}");
}
