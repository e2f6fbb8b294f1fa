//! Dropout on its own: the fraction dropped, the scale of what is kept, the identity at
//! inference, and masks that depend on the seed alone.

use dl_core::layer::{rate, Dropout, DropoutCache};
use dl_core::prelude::*;

const N: usize = 20_000;

/// Runs one training forward pass of `Dropout<p>` on all-ones and returns (dropped fraction,
/// the distinct kept values, the mask).
fn mask_of<const RATE_BITS: u64>(seed: u64) -> (f64, Vec<f64>, Vec<f64>) {
    let layer = Dropout::<f64, N, RATE_BITS>::new();
    let mut cache = DropoutCache::<f64, N>::seeded(seed);
    let x = SVector::<f64, N>::repeat(1.0);
    layer.forward_train(&x, &mut cache);
    let dropped = cache.a.iter().filter(|&&a| a == 0.0).count() as f64 / N as f64;
    let mut kept: Vec<f64> = cache.a.iter().copied().filter(|&a| a != 0.0).collect();
    kept.dedup();
    (dropped, kept, cache.mask.as_slice().to_vec())
}

/// The dropped fraction is within 5 standard deviations of `p`, and every kept value is
/// exactly `1 / (1 - p)`.
fn check_rate<const RATE_BITS: u64>(p: f64) {
    let sd = (p * (1.0 - p) / N as f64).sqrt();
    for seed in 0..4 {
        let (dropped, kept, _) = mask_of::<RATE_BITS>(seed);
        println!("p = {p}: dropped {dropped:.4} (seed {seed})");
        assert!(
            (dropped - p).abs() <= 5.0 * sd + 1e-12,
            "p = {p}: dropped {dropped}, expected {p} +- {}",
            5.0 * sd
        );
        if p < 1.0 {
            assert_eq!(kept, vec![1.0 / (1.0 - p)], "p = {p}: kept values");
        }
    }
}

#[test]
fn drops_the_right_fraction_and_scales_the_rest() {
    check_rate::<{ rate(0.0) }>(0.0);
    check_rate::<{ rate(0.1) }>(0.1);
    check_rate::<{ rate(0.5) }>(0.5);
    check_rate::<{ rate(0.9) }>(0.9);
}

#[test]
fn same_seed_same_mask() {
    let (_, _, a) = mask_of::<{ rate(0.5) }>(7);
    let (_, _, b) = mask_of::<{ rate(0.5) }>(7);
    let (_, _, c) = mask_of::<{ rate(0.5) }>(8);
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[test]
fn each_training_pass_draws_a_new_mask() {
    let layer = Dropout::<f64, 64, { rate(0.5) }>::new();
    let mut cache = DropoutCache::<f64, 64>::seeded(1);
    let x = SVector::<f64, 64>::repeat(1.0);
    layer.forward_train(&x, &mut cache);
    let first = cache.mask;
    layer.forward_train(&x, &mut cache);
    assert_ne!(first, cache.mask);
}

#[test]
fn identity_at_inference_and_mask_times_gradient_in_backward() {
    let layer = Dropout::<f64, 32, { rate(0.25) }>::new();
    let x = SVector::<f64, 32>::from_fn(|i, _| i as f64 - 10.0);
    assert_eq!(layer.forward(&x), x);
    let mut cache = DropoutCache::<f64, 32>::seeded(3);
    layer.forward_train(&x, &mut cache);
    let dz = SVector::<f64, 32>::from_fn(|i, _| 1.0 + i as f64);
    let mut dx = SVector::<f64, 32>::zeros();
    let mut no_grad = NoGradOf::ZERO;
    layer.backward_preact(&x, &cache, &dz, &mut no_grad, Some(&mut dx));
    for i in 0..32 {
        assert_eq!(cache.a[i], cache.mask[i] * x[i]);
        assert_eq!(dx[i], cache.mask[i] * dz[i]);
    }
}

type NoGradOf = dl_core::layer::NoGrad<f64>;

network! {
    struct WithDropout {
        Dense<8, 16, Relu>,
        drop: Dropout<0.5>,
        Dense<16, 2, Identity>,
    }
}

/// In a network: inference never drops, two caches seeded alike give the same training
/// outputs, and `seed_dropout` restarts the masks.
#[test]
fn in_a_network() {
    let net = WithDropout::<f64>::new(5);
    let x = SVector::<f64, 8>::from_fn(|i, _| 0.1 * i as f64 + 0.05);
    let clean = net.forward(&x);
    assert_eq!(net.forward(&x), clean);

    let mut a = WithDropout::<f64>::CACHE_ZERO;
    let mut b = WithDropout::<f64>::CACHE_ZERO;
    WithDropout::<f64>::seed_dropout(&mut a, 42);
    WithDropout::<f64>::seed_dropout(&mut b, 42);
    let mut outputs = Vec::new();
    for _ in 0..3 {
        net.forward_train(&x, &mut a);
        net.forward_train(&x, &mut b);
        assert_eq!(a.drop.mask, b.drop.mask);
        assert_eq!(
            WithDropout::<f64>::output(&a),
            WithDropout::<f64>::output(&b)
        );
        outputs.push(*WithDropout::<f64>::output(&a));
    }
    assert_ne!(outputs[0], outputs[1], "a fresh mask each pass");
    assert_ne!(outputs[0], clean, "training output differs from inference");

    WithDropout::<f64>::seed_dropout(&mut a, 42);
    net.forward_train(&x, &mut a);
    assert_eq!(
        *WithDropout::<f64>::output(&a),
        outputs[0],
        "reseeding restarts the masks"
    );
}
