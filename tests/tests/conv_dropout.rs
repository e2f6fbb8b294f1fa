//! Dropout on its own: the fraction dropped, the scale of what is kept, the identity at
//! inference, and masks that depend on the seed alone; in a network, the mask generators
//! live in the workspace (`Workspace::masks`), apart from the caches.

use dl_core::layer::{rate, Dropout, DropoutCache};
use dl_core::prelude::*;
use dl_core::rng::Rng;

const N: usize = 20_000;

/// Runs one training forward pass of `Dropout<p>` on all-ones and returns (dropped fraction,
/// the distinct kept values, the mask).
fn mask_of<const RATE_BITS: u64>(seed: u64) -> (f64, Vec<f64>, Vec<f64>) {
    let layer = Dropout::<f64, N, RATE_BITS>::new();
    let mut cache = DropoutCache::<f64, N>::ZERO;
    let x = SVector::<f64, N>::repeat(1.0);
    layer.draw_mask(&mut Rng::new(seed), &mut cache);
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
    let (mut cache, mut rng) = (DropoutCache::<f64, 64>::ZERO, Rng::new(1));
    let x = SVector::<f64, 64>::repeat(1.0);
    layer.draw_mask(&mut rng, &mut cache);
    layer.forward_train(&x, &mut cache);
    let first = cache.mask;
    layer.draw_mask(&mut rng, &mut cache);
    layer.forward_train(&x, &mut cache);
    assert_ne!(first, cache.mask);
}

#[test]
fn identity_at_inference_and_mask_times_gradient_in_backward() {
    let layer = Dropout::<f64, 32, { rate(0.25) }>::new();
    let x = SVector::<f64, 32>::from_fn(|i, _| i as f64 - 10.0);
    assert_eq!(layer.forward(&x), x);
    let mut cache = DropoutCache::<f64, 32>::ZERO;
    layer.draw_mask(&mut Rng::new(3), &mut cache);
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

/// In a network: inference never drops, two workspaces seeded alike give the same training
/// outputs, and `seed_dropout` restarts the masks.
#[test]
fn in_a_network() {
    let net = WithDropout::<f64>::new(5);
    let x = SVector::<f64, 8>::from_fn(|i, _| 0.1 * i as f64 + 0.05);
    let clean = net.forward(&x);
    assert_eq!(net.forward(&x), clean);

    let mut wa = Workspace::<WithDropout<f64>>::new();
    let mut wb = Workspace::<WithDropout<f64>>::new();
    wa.seed_dropout(42);
    wb.seed_dropout(42);
    let (a, b) = (&mut wa.cache, &mut wb.cache);
    let mut outputs = Vec::new();
    for _ in 0..3 {
        net.forward_train(&x, a, &mut wa.masks);
        net.forward_train(&x, b, &mut wb.masks);
        assert_eq!(a.drop.mask, b.drop.mask);
        assert_eq!(WithDropout::<f64>::output(a), WithDropout::<f64>::output(b));
        outputs.push(*WithDropout::<f64>::output(a));
    }
    assert_ne!(outputs[0], outputs[1], "a fresh mask each pass");
    assert_ne!(outputs[0], clean, "training output differs from inference");

    wa.seed_dropout(42);
    let a = &mut wa.cache;
    net.forward_train(&x, a, &mut wa.masks);
    assert_eq!(
        *WithDropout::<f64>::output(a),
        outputs[0],
        "reseeding restarts the masks"
    );

    // Evaluation fills the cache as inference does: no dropping, and `evaluate` agrees.
    net.forward_eval(&x, a);
    assert_eq!(*WithDropout::<f64>::output(a), clean);
    let y = SVector::<f64, 2>::new(0.5, -0.5);
    let eval = evaluate::<Mse, MeanSquaredError, _>(&net, Data::new(&[x], &[y]).unwrap());
    let expected = (clean - y).map(|d| d * d).mean();
    assert!(
        (eval.loss - expected).abs() < 1e-15,
        "{} vs {expected}",
        eval.loss
    );
}

network! {
    struct TwoDropouts {
        Dense<4, 64, Tanh>,
        Dropout<0.5>,
        Dropout<0.5>,
        Dense<64, 1, Identity>,
    }
}

/// Two Dropout layers of the same size draw different masks; within a batch, each sample gets
/// its own mask; and `seed_dropout` makes whole training runs (`train_batch` and
/// `train_sample`) repeat.
#[test]
fn masks_are_independent_and_repeatable_in_training() {
    let x = SVector::<f64, 4>::new(0.1, -0.2, 0.3, 0.4);
    let net = TwoDropouts::<f64>::new(1);
    let mut ws = Workspace::<TwoDropouts<f64>>::new();
    net.forward_train(&x, &mut ws.cache, &mut ws.masks);
    assert_ne!(ws.cache.layer2.mask, ws.cache.layer3.mask);

    let xs = [x; 8];
    let ys = [SVector::<f64, 1>::new(0.5); 8];
    let run = |seed: u64| {
        let mut net = TwoDropouts::<f64>::new(1);
        let mut ws = Workspace::<TwoDropouts<f64>>::new();
        ws.seed_dropout(seed);
        let mut sgd = Sgd::new(0.1);
        let mut losses = Vec::new();
        for _ in 0..3 {
            losses.push(train_batch::<_, Mse, _>(&mut net, &mut sgd, &xs, &ys, &mut ws).unwrap());
            losses
                .push(train_sample::<_, Mse, _>(&mut net, &mut sgd, &x, &ys[0], &mut ws).unwrap());
        }
        let masks = (ws.cache.layer2.mask, ws.cache.layer3.mask);
        (losses, masks)
    };
    let (first, (m2, m3)) = run(7);
    assert_ne!(m2, m3, "the two Dropout layers share a mask");
    assert_eq!(run(7).0, first, "same seed, same training run");
    assert_ne!(run(8).0, first, "another seed, other masks");

    // Eight identical samples in one batch: with one mask for all, the batch loss would equal
    // each sample's; with a mask each, the per-sample losses differ.
    let mut ws = Workspace::<TwoDropouts<f64>>::new();
    let mut grads = <TwoDropouts<f64> as Network>::Gradient::ZERO;
    let mut per_sample = Vec::new();
    for _ in 0..8 {
        net.forward_train(&x, &mut ws.cache, &mut ws.masks);
        per_sample.push(net.loss_backward::<Mse>(&x, &ws.cache, &ys[0], &mut grads, None));
    }
    per_sample.dedup();
    assert!(per_sample.len() > 1, "every sample got the same mask");
}

/// The generators are state, the cache scratch: zeroing the cache leaves the next masks as
/// they were; a boxed workspace (zeroed in place) starts its generators where `ZERO` does,
/// which is `seed_dropout(0)`; and the batched pass draws from the same generators as the
/// per-sample pass, sample after sample.
#[test]
fn masks_are_workspace_state_not_cache() {
    type Net = TwoDropouts<f64>;
    let net = Net::new(1);
    let x = SVector::<f64, 4>::new(0.1, -0.2, 0.3, 0.4);
    let seeded_zero = {
        let mut masks = <Net as Network>::Masks::START;
        masks.seed_dropout(0);
        masks
    };
    assert_eq!(Workspace::<Net>::ZERO.masks, seeded_zero);
    assert_eq!(Workspace::<Net>::boxed().masks, seeded_zero);

    // Two passes, with the cache zeroed between them in one run only: the same outputs.
    let outputs = |zero_between: bool| {
        let mut ws = Workspace::<Net>::boxed();
        let mut out = Vec::new();
        for _ in 0..2 {
            net.forward_train(&x, &mut ws.cache, &mut ws.masks);
            out.push(*Net::output(&ws.cache));
            if zero_between {
                ws.cache = Net::CACHE_ZERO;
            }
        }
        out
    };
    assert_eq!(outputs(false), outputs(true));
    assert_ne!(outputs(false)[0], outputs(false)[1]);

    // `loss_backward_batch` (one sample a run here: `BATCH` is 1 with Dropout) draws from
    // `masks` exactly as `forward_train` does, pass after pass.
    assert_eq!(<Net as Network>::BATCH, 1);
    let y = SVector::<f64, 1>::new(0.5);
    let (mut a, mut b) = (Workspace::<Net>::boxed(), Workspace::<Net>::boxed());
    for _ in 0..3 {
        let batched =
            net.loss_backward_batch::<Mse>(&[x], &[y], &mut a.batch, &mut a.masks, &mut a.grads);
        net.forward_train(&x, &mut b.cache, &mut b.masks);
        let single = net.loss_backward::<Mse>(&x, &b.cache, &y, &mut b.grads, None);
        assert_eq!(a.batch.layer2.caches[0].mask, b.cache.layer2.mask);
        assert_eq!(a.batch.layer3.caches[0].mask, b.cache.layer3.mask);
        // The same masks; the batched kernels round differently (`loss_backward_batch`).
        assert!(
            (batched - single).abs() <= 1e-12 * single.abs(),
            "{batched} vs {single}"
        );
    }
    assert_eq!(a.masks, b.masks);
}
