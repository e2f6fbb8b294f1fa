//! `train_sample` writes the parameter gradients in its backward pass instead of adding them
//! into a zeroed gradient (assign on first accumulation), and plain SGD then leaves the old
//! weights in the workspace's gradient instead of clearing it. These tests pin that this
//! changes no bit: a run of `train_sample` steps on one reused workspace equals, step by
//! step, the accumulate-into-zeros path (`forward_train`, `loss_backward` into a zeroed
//! gradient, `step_consume`) on a fresh gradient, for layers on the kernels (`Dense` of at
//! least `kernel::MIN_WEIGHTS` weights, whose gradient the one-pass `outer_set` writes), small
//! `Dense` layers, and the layers that zero then add (Conv2D, pools), in `f32` and `f64`,
//! with plain SGD, regularised SGD, Adam, and SGD inside the `Scheduled` and `OnPlateau`
//! wrappers (which forward the discarding form).

use dl_core::prelude::*;

network! {
    /// A first layer on the kernels (40 x 32 = 1280 weights), a small second one.
    struct Mlp {
        Dense<40, 32, Relu>,
        Dense<32, 10, Softmax>,
    }
}

network! {
    /// Layers without a one-pass gradient write: they zero, then add.
    struct Cnn {
        input: [2, 6, 6],
        Conv2D<2, 4, 3, Relu, padding = 1>,
        MaxPool2D<2>,
        Flatten,
        Dense<36, 10, Softmax>,
    }
}

/// Inputs in `[-1, 1)` and one-hot targets.
fn data<N: Network>(n: usize, seed: u64) -> Vec<(N::Input, N::Output)> {
    let mut rng = Rng::new(seed);
    (0..n)
        .map(|_| {
            let (mut x, mut y) = (N::Input::ZERO, N::Output::ZERO);
            for v in x.as_mut_slice() {
                *v = N::Scalar::cast(rng.uniform_in(-1.0, 1.0));
            }
            y.as_mut_slice()[rng.below(N::OUTPUTS)] = N::Scalar::ONE;
            (x, y)
        })
        .collect()
}

/// The parameters' bits, to compare signed zeros and NaNs exactly.
fn bits<N: Network>(net: &N) -> Vec<u64> {
    (0..N::TENSORS)
        .flat_map(|t| net.tensor(t).iter().map(|v| v.as_f64().to_bits()))
        .collect()
}

/// Eight `train_sample` steps on one workspace against the accumulate-into-zeros path.
fn same_as_accumulating<N: Network, O: Optimizer<N> + Clone>(opt: O, seed: u64) {
    same_as_accumulating_with::<N, O>(opt.clone(), opt, seed);
}

/// [`same_as_accumulating`] with `opt` on the `train_sample` side and an equal `opt_ref` on
/// the reference side (for optimizers that are not `Clone`).
fn same_as_accumulating_with<N: Network, O: Optimizer<N>>(mut opt: O, mut opt_ref: O, seed: u64) {
    let samples = data::<N>(8, seed);
    let mut net = N::boxed(seed);
    let mut reference = N::boxed(seed);
    let mut ws = Workspace::<N>::boxed();
    let mut ref_ws = Workspace::<N>::boxed();
    for (step, (x, y)) in samples.iter().enumerate() {
        let loss = train_sample::<_, CrossEntropy, _>(&mut *net, &mut opt, x, y, &mut ws).unwrap();
        ref_ws.grads.fill(N::Scalar::ZERO);
        reference.forward_train(x, &mut ref_ws.cache, &mut ref_ws.masks);
        let ref_loss =
            reference.loss_backward::<CrossEntropy>(x, &ref_ws.cache, y, &mut ref_ws.grads, None);
        opt_ref
            .step_consume(&mut *reference, &mut ref_ws.grads, N::Scalar::ONE)
            .unwrap();
        assert_eq!(
            loss.as_f64().to_bits(),
            ref_loss.as_f64().to_bits(),
            "step {step}"
        );
        assert!(
            bits(&*net) == bits(&*reference),
            "step {step}: the weights differ"
        );
    }
}

fn every_optimizer<N: Network>(seed: u64) {
    same_as_accumulating::<N, _>(Sgd::<N::Scalar>::new(0.1), seed);
    same_as_accumulating::<N, _>(Sgd::<N::Scalar>::new(0.05).weight_decay(0.01), seed);
    same_as_accumulating::<N, _>(Adam::<N::Scalar, N::Gradient>::new(0.01), seed);
    // The wrappers forward the discarding form to the optimizer they wrap.
    let decay = StepDecay::new(0.1, 3, 0.5);
    same_as_accumulating::<N, _>(Scheduled::per_step(Sgd::<N::Scalar>::new(0.0), decay), seed);
    let plateau = ReduceLrOnPlateau::new(0.5, 2);
    let (sgd, sgd_ref) = (Sgd::<N::Scalar>::new(0.1), Sgd::<N::Scalar>::new(0.1));
    same_as_accumulating_with::<N, _>(plateau.wrap(sgd), plateau.wrap(sgd_ref), seed);
}

/// Whether `train_sample` took `opt`'s discarding form: plain SGD's swap pass leaves the old
/// weights where the gradient was; the zeroing form (the fallback) leaves zeros.
fn took_discarding_form<N: Network, O: Optimizer<N>>(mut opt: O, seed: u64) -> bool {
    let (x, y) = data::<N>(1, seed).remove(0);
    let mut net = N::boxed(seed);
    let before = bits(&*net);
    let mut ws = Workspace::<N>::boxed();
    train_sample::<_, CrossEntropy, _>(&mut *net, &mut opt, &x, &y, &mut ws).unwrap();
    let old: Vec<u64> = (0..N::TENSORS)
        .flat_map(|t| ws.grads.tensor(t).iter().map(|v| v.as_f64().to_bits()))
        .collect();
    old == before
}

#[test]
fn scheduled_and_plateau_sgd_take_the_one_pass_step() {
    type N = Mlp<f32>;
    assert!(took_discarding_form::<N, _>(Sgd::<f32>::new(0.1), 5));
    let decay = StepDecay::new(0.1, 3, 0.5);
    let scheduled = Scheduled::per_step(Sgd::<f32>::new(0.0), decay);
    assert!(took_discarding_form::<N, _>(scheduled, 5));
    let plateau = ReduceLrOnPlateau::new(0.5, 2);
    assert!(took_discarding_form::<N, _>(
        plateau.wrap(Sgd::<f32>::new(0.1)),
        5
    ));
    // Adam has no such form: the fallback zeroes the gradient.
    let adam = Adam::<f32, <N as Network>::Gradient>::new(0.01);
    assert!(!took_discarding_form::<N, _>(adam, 5));
}

#[test]
fn sample_steps_equal_accumulating_into_zeros() {
    every_optimizer::<Mlp<f32>>(1);
    every_optimizer::<Mlp<f64>>(2);
    every_optimizer::<Cnn<f32>>(3);
    every_optimizer::<Cnn<f64>>(4);
}

/// A plain SGD step that overflows, on layers with the one-pass kernel (`Dense` of at least
/// 256 weights, `f32`) and without: refused with the error of the two-pass step
/// (`loss_backward` then `step_consume`), the network exactly as before, the gradient zeroed
/// and the step count unchanged.
#[test]
fn an_overflowing_one_pass_step_is_refused_like_the_two_pass_one() {
    type N = Mlp<f32>;
    let (x, y) = data::<N>(1, 9).remove(0);
    let x = x * 1e4;
    let mut net = N::boxed(9);
    let before = bits(&*net);
    let mut sgd = Sgd::<f32>::new(1e37);
    let mut ws = Workspace::<N>::boxed();
    let err = train_sample::<_, CrossEntropy, _>(&mut *net, &mut sgd, &x, &y, &mut ws)
        .expect_err("the step must be refused");
    let mut reference = N::boxed(9);
    let mut ref_ws = Workspace::<N>::boxed();
    reference.forward_train(&x, &mut ref_ws.cache, &mut ref_ws.masks);
    reference.loss_backward::<CrossEntropy>(&x, &ref_ws.cache, &y, &mut ref_ws.grads, None);
    let expected = Sgd::<f32>::new(1e37)
        .step_consume(&mut *reference, &mut ref_ws.grads, 1.0)
        .expect_err("the reference step must be refused");
    assert_eq!(err, expected, "{err}");
    assert!(matches!(err, Error::NonFiniteUpdate { .. }), "{err}");
    assert!(bits(&*net) == before, "the weights changed");
    assert_eq!(sgd.steps(), 0);
    assert!((0..N::TENSORS).all(|t| ws.grads.tensor(t).iter().all(|&g| g == 0.0)));
}
