//! A 784-128-10 network constructs and trains in a debug-build test without overflowing the
//! 2 MiB test-thread stack: the network and its workspace live in zeroed boxes, and the
//! generated code borrows every matrix (`gemv`, `ger`, `tr_mul_to`), never copying one.

use dl_core::prelude::*;

network! {
    struct Mnist {
        Dense<784, 128, Relu>,
        Dense<128, 10, Softmax>,
    }
}

/// Bytes of one Dense layer's parameters (or gradient) of `params` scalars of `scalar` bytes,
/// with the 64-byte alignment of x86-64 builds.
fn layer_bytes(params: usize, scalar: usize) -> usize {
    let bytes = params * scalar;
    if cfg!(target_arch = "x86_64") {
        bytes.div_ceil(64) * 64
    } else {
        bytes
    }
}

#[test]
fn sizes() {
    assert_eq!(Mnist::<f32>::PARAMS, 784 * 128 + 128 + 128 * 10 + 10);
    assert_eq!(Mnist::<f32>::PARAM_BYTES, 101_770 * 4);
    // On x86-64 each Dense layer is aligned (and so padded) to 64 bytes, a cache line, for
    // the vector kernels; elsewhere the layers are packed.
    let layers = layer_bytes(784 * 128 + 128, 4) + layer_bytes(128 * 10 + 10, 4);
    assert_eq!(std::mem::size_of::<Mnist<f32>>(), layers);
    assert_eq!(Mnist::<f32>::GRADIENT_BYTES, layers);
    assert_eq!(Mnist::<f32>::CACHE_BYTES, (128 + 10) * 2 * 4);
    println!(
        "784-128-10 f32: network {} B, gradient {} B, cache {} B; f64: network {} B",
        std::mem::size_of::<Mnist<f32>>(),
        std::mem::size_of::<MnistGradient<f32>>(),
        std::mem::size_of::<MnistCache<f32>>(),
        std::mem::size_of::<Mnist<f64>>(),
    );
}

#[test]
fn trains_in_a_debug_build() {
    let mut net = Mnist::<f32>::boxed(1);
    let mut ws = Workspace::<Mnist<f32>>::boxed();
    let mut sgd = Sgd::new(0.1);
    let mut rng = Rng::new(2);
    let xs: Vec<SVector<f32, 784>> = (0..4)
        .map(|_| SVector::from_fn(|_, _| rng.uniform() as f32))
        .collect();
    let ys: Vec<SVector<f32, 10>> = (0..4)
        .map(|k| SVector::from_fn(|i, _| if i == k { 1.0 } else { 0.0 }))
        .collect();
    let first = train_batch::<_, CrossEntropy, _>(&mut *net, &mut sgd, &xs, &ys, &mut ws).unwrap();
    let mut last = first;
    for _ in 0..20 {
        last = train_batch::<_, CrossEntropy, _>(&mut *net, &mut sgd, &xs, &ys, &mut ws).unwrap();
    }
    assert!(last < first * 0.5, "loss went from {first} to {last}");
    // the same seed gives the same weights
    assert_eq!(*Mnist::<f32>::boxed(1), *Mnist::<f32>::boxed(1));
}
