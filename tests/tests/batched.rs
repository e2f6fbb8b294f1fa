//! The batched training pass (`loss_backward_batch`, used by `train_batch` for more than one
//! sample) against the per-sample path and against central finite differences (f64).
//!
//! Sizes are chosen to hit every edge of the blocked kernels: widths that are not multiples of
//! any tile (5, 7, 10, 13), batch sizes of 1, 2, 3, 31, `BATCH` and past it (70, three runs).

use dl_core::batch::BATCH;
use dl_core::prelude::*;

network! {
    /// Odd widths, every hidden activation, softmax output.
    struct Odd {
        Dense<13, 7, Tanh>,
        Dense<7, 5, LeakyRelu<0.01>>,
        Dense<5, 10, Softmax>,
    }
}

network! {
    /// Sigmoid output for MSE and binary cross-entropy; wider than one AVX-512 tile.
    struct Wide {
        Dense<40, 37, Relu>,
        Dense<37, 3, Sigmoid>,
    }
}

network! {
    /// A wide layer past the first, so the batch's input gradients run as blocked products
    /// (`dense_input.rs`): 300 outputs cross two 128-output blocks, 40 inputs one 32-column
    /// product.
    struct Deep {
        Dense<7, 40, Tanh>,
        Dense<40, 300, Relu>,
        Dense<300, 4, Sigmoid>,
    }
}

fn data<N: Network<Scalar = f64>>(n: usize, seed: u64) -> (Vec<N::Input>, Vec<N::Output>) {
    let mut rng = Rng::new(seed);
    let mut xs = vec![N::Input::ZERO; n];
    let mut ys = vec![N::Output::ZERO; n];
    for (x, y) in xs.iter_mut().zip(&mut ys) {
        for v in x.as_mut_slice() {
            *v = rng.uniform_in(-1.0, 1.0);
        }
        let k = rng.below(N::OUTPUTS);
        // A probability vector: one-hot for cross-entropy, and in (0, 1) for the others.
        for (i, v) in y.as_mut_slice().iter_mut().enumerate() {
            *v = if i == k {
                0.9
            } else {
                0.1 / (N::OUTPUTS as f64)
            };
        }
    }
    (xs, ys)
}

/// A network with random biases, so no ReLU sits exactly on its kink.
fn net<N: Network<Scalar = f64>>(seed: u64) -> Box<N> {
    let mut net = N::boxed(seed);
    let mut rng = Rng::new(seed + 50);
    for t in 0..N::TENSORS {
        if N::tensor_kind(t) == TensorKind::Bias {
            for b in net.tensor_mut(t) {
                *b = rng.uniform_in(-0.5, 0.5);
            }
        }
    }
    net
}

/// Sum of losses and summed gradients, one sample at a time.
fn per_sample<N: Network<Scalar = f64>, L: Loss>(
    net: &N,
    xs: &[N::Input],
    ys: &[N::Output],
) -> (f64, Box<N::Gradient>) {
    let mut cache = Box::new(N::CACHE_ZERO);
    let mut grads = Box::new(<N::Gradient as Params<f64>>::ZERO);
    let mut masks = <N::Masks as DropoutMasks>::START;
    let mut loss = 0.0;
    for (x, y) in xs.iter().zip(ys) {
        net.forward_train(x, &mut cache, &mut masks);
        loss += net.loss_backward::<L>(x, &cache, y, &mut grads, None);
    }
    (loss, grads)
}

/// The same through `loss_backward_batch`, in runs of `BATCH`.
fn batched<N: Network<Scalar = f64>, L: Loss>(
    net: &N,
    xs: &[N::Input],
    ys: &[N::Output],
) -> (f64, Box<N::Gradient>) {
    let mut ws = Workspace::<N>::boxed();
    let mut loss = 0.0;
    for (x, y) in xs.chunks(N::BATCH).zip(ys.chunks(N::BATCH)) {
        loss += net.loss_backward_batch::<L>(x, y, &mut ws.batch, &mut ws.masks, &mut ws.grads);
    }
    (loss, Box::new(ws.grads.clone()))
}

fn assert_same<N: Network<Scalar = f64>>(what: &str, a: &N::Gradient, b: &N::Gradient) {
    for t in 0..N::TENSORS {
        for (j, (&p, &q)) in a.tensor(t).iter().zip(b.tensor(t)).enumerate() {
            assert!(
                (p - q).abs() <= 1e-12 * (1.0 + p.abs().max(q.abs())),
                "{what}: tensor {t}[{j}]: batched {q}, per-sample {p}"
            );
        }
    }
}

fn check_against_per_sample<N: Network<Scalar = f64>, L: Loss>(name: &str) {
    for (k, n) in [1, 2, 3, 31, BATCH, 70].into_iter().enumerate() {
        let net = net::<N>(k as u64);
        let (xs, ys) = data::<N>(n, 10 + k as u64);
        let (l1, g1) = per_sample::<N, L>(&net, &xs, &ys);
        let (l2, g2) = batched::<N, L>(&net, &xs, &ys);
        assert!(
            (l1 - l2).abs() <= 1e-12 * (1.0 + l1.abs()),
            "{name}, batch {n}: loss {l2} batched, {l1} per sample"
        );
        assert_same::<N>(&format!("{name}, batch {n}"), &g1, &g2);
    }
}

#[test]
fn batched_pass_equals_per_sample_pass() {
    assert_eq!(<Odd<f64> as Network>::BATCH, BATCH);
    check_against_per_sample::<Odd<f64>, CrossEntropy>("odd, cross-entropy");
    check_against_per_sample::<Odd<f64>, Mse>("odd, MSE through softmax");
    check_against_per_sample::<Wide<f64>, Mse>("wide, MSE");
    check_against_per_sample::<Wide<f64>, BinaryCrossEntropy>("wide, BCE");
    check_against_per_sample::<Deep<f64>, Mse>("deep, MSE");
}

/// The batched gradient of the mean loss against central finite differences of the mean loss,
/// for every parameter; relative error below 1e-6 per tensor.
fn check_finite_differences<N: Network<Scalar = f64>, L: Loss>(name: &str, n: usize) {
    const H: f64 = 1e-6;
    let mut net = net::<N>(7);
    let (xs, ys) = data::<N>(n, 8);
    let (_, grads) = batched::<N, L>(&net, &xs, &ys);
    let mut cache = Box::new(N::CACHE_ZERO);
    let mut masks = <N::Masks as DropoutMasks>::START;
    let mut mean_loss = |net: &N| {
        let mut total = 0.0;
        for (x, y) in xs.iter().zip(&ys) {
            net.forward_train(x, &mut cache, &mut masks);
            total += N::loss::<L>(&cache, y);
        }
        total / n as f64
    };
    let mut worst = 0.0f64;
    for t in 0..N::TENSORS {
        // Per tensor, `||g - n|| / (||g|| + ||n||)`, as `dl_core::gradcheck` measures it.
        let (mut diff2, mut analytic2, mut numeric2) = (0.0, 0.0, 0.0);
        for j in 0..net.tensor(t).len() {
            let orig = net.tensor(t)[j];
            net.tensor_mut(t)[j] = orig + H;
            let plus = mean_loss(&net);
            net.tensor_mut(t)[j] = orig - H;
            let minus = mean_loss(&net);
            net.tensor_mut(t)[j] = orig;
            let numeric = (plus - minus) / (2.0 * H);
            let analytic = grads.tensor(t)[j] / n as f64;
            diff2 += (analytic - numeric) * (analytic - numeric);
            analytic2 += analytic * analytic;
            numeric2 += numeric * numeric;
        }
        let rel = diff2.sqrt() / (analytic2.sqrt() + numeric2.sqrt());
        assert!(rel < 1e-6, "{name}: tensor {t}: relative error {rel:e}");
        worst = worst.max(rel);
    }
    println!("{name}: max relative error {worst:.2e}");
}

#[test]
fn batched_gradient_matches_finite_differences() {
    check_finite_differences::<Odd<f64>, CrossEntropy>("odd, cross-entropy, 33 samples", 33);
    check_finite_differences::<Wide<f64>, BinaryCrossEntropy>("wide, BCE, 9 samples", 9);
}

/// `train_batch` (batched path) takes the same step as the per-sample loop it replaced.
#[test]
fn train_batch_takes_the_per_sample_step() {
    let mut a = net::<Odd<f64>>(3);
    let mut b = a.clone();
    let (xs, ys) = data::<Odd<f64>>(45, 4);
    let mut ws = Workspace::boxed();
    let mut sgd = Sgd::new(0.1);
    let loss = train_batch::<_, CrossEntropy, _>(&mut *a, &mut sgd, &xs, &ys, &mut ws).unwrap();
    let (total, mut grads) = per_sample::<Odd<f64>, CrossEntropy>(&b, &xs, &ys);
    grads.scale(1.0 / 45.0);
    sgd.step(&mut *b, &grads).unwrap();
    assert!((loss - total / 45.0).abs() < 1e-12);
    for t in 0..Odd::<f64>::TENSORS {
        for (p, q) in a.tensor(t).iter().zip(b.tensor(t)) {
            assert!((p - q).abs() < 1e-12, "tensor {t}: {p} vs {q}");
        }
    }
}

/// The batched pass leaves parameters alone and reports a non-finite loss as an error.
#[test]
fn non_finite_batch_is_refused() {
    let mut a = net::<Odd<f64>>(3);
    let before = a.clone();
    let (mut xs, ys) = data::<Odd<f64>>(5, 4);
    xs[2][0] = f64::NAN;
    let mut ws = Workspace::boxed();
    let r = train_batch::<_, CrossEntropy, _>(&mut *a, &mut Sgd::new(0.1), &xs, &ys, &mut ws);
    assert_eq!(r, Err(Error::NonFiniteLoss));
    assert_eq!(*a, *before);
}

fn all_zero<N: Network<Scalar = f64>>(g: &N::Gradient) -> bool {
    (0..N::Gradient::TENSORS).all(|t| g.tensor(t).iter().all(|&v| v == 0.0))
}

/// `train_batch` leaves the workspace's gradient zeroed, after a step and after a refused
/// batch alike, so the next step starts clean: three steps on one workspace equal three steps
/// each on a fresh one, bit for bit, for the one-pass SGD update and for optimizers that
/// scale, update and zero (Adam, regularised SGD). `train_sample` writes the gradient instead
/// of adding to it: samples and a batch after them on one workspace equal the same on fresh
/// ones.
#[test]
fn steps_leave_the_gradient_zeroed() {
    let (xs, ys) = data::<Odd<f64>>(45, 4);
    let (mut bad, _) = data::<Odd<f64>>(45, 4);
    bad[7][3] = f64::INFINITY;
    fn run<O: Optimizer<Odd<f64>> + Clone>(
        opt: O,
        xs: &[SVector<f64, 13>],
        ys: &[SVector<f64, 10>],
        bad: &[SVector<f64, 13>],
    ) {
        let (mut shared, mut fresh) = (net::<Odd<f64>>(3), net::<Odd<f64>>(3));
        let (mut opt_shared, mut opt_fresh) = (opt.clone(), opt);
        let mut ws = Workspace::boxed();
        for step in 0..3 {
            let batch = &xs[step * 15..][..15];
            let targets = &ys[step * 15..][..15];
            if step == 1 {
                let r = train_batch::<_, CrossEntropy, _>(
                    &mut *shared,
                    &mut opt_shared,
                    bad,
                    &ys[..45],
                    &mut ws,
                );
                assert!(r.is_err());
                assert!(all_zero::<Odd<f64>>(&ws.grads), "zeroed after an error");
            }
            let a = train_batch::<_, CrossEntropy, _>(
                &mut *shared,
                &mut opt_shared,
                batch,
                targets,
                &mut ws,
            )
            .unwrap();
            assert!(all_zero::<Odd<f64>>(&ws.grads), "zeroed after a step");
            let b = train_batch::<_, CrossEntropy, _>(
                &mut *fresh,
                &mut opt_fresh,
                batch,
                targets,
                &mut Workspace::boxed(),
            )
            .unwrap();
            assert_eq!(a, b);
            assert_eq!(*shared, *fresh, "step {step}");
        }
        // `train_sample` writes the gradient whole instead of adding to it, and may leave
        // values there after its step (plain SGD leaves the old weights): two of them, then
        // a batch, on the shared workspace equal the same on fresh ones.
        for x in 0..2 {
            let one = train_sample::<_, CrossEntropy, _>(
                &mut *shared,
                &mut opt_shared,
                &xs[x],
                &ys[x],
                &mut ws,
            )
            .unwrap();
            let two = train_sample::<_, CrossEntropy, _>(
                &mut *fresh,
                &mut opt_fresh,
                &xs[x],
                &ys[x],
                &mut Workspace::boxed(),
            )
            .unwrap();
            assert!(one.is_finite() && one == two);
            assert_eq!(*shared, *fresh, "sample {x}");
        }
        let batch = (&xs[..15], &ys[..15]);
        let a = train_batch::<_, CrossEntropy, _>(
            &mut *shared,
            &mut opt_shared,
            batch.0,
            batch.1,
            &mut ws,
        )
        .unwrap();
        assert!(all_zero::<Odd<f64>>(&ws.grads), "zeroed after a batch");
        let b = train_batch::<_, CrossEntropy, _>(
            &mut *fresh,
            &mut opt_fresh,
            batch.0,
            batch.1,
            &mut Workspace::boxed(),
        )
        .unwrap();
        assert_eq!(a, b);
        assert_eq!(*shared, *fresh, "the batch after the samples");
    }
    run(Sgd::new(0.1), &xs, &ys, &bad);
    run(Sgd::new(0.1).weight_decay(0.01), &xs, &ys, &bad);
    run(Adam::new(0.01), &xs, &ys, &bad);
}

/// The one-pass SGD update with regularisation and a batch mean equals scaling the summed
/// gradient and taking an ordinary step.
#[test]
fn consumed_step_equals_scaled_step() {
    let (xs, ys) = data::<Odd<f64>>(31, 9);
    for mut sgd in [
        Sgd::new(0.1),
        Sgd::new(0.1).l1(0.001),
        Sgd::new(0.05).weight_decay(0.01),
    ] {
        let mut a = net::<Odd<f64>>(5);
        let mut b = a.clone();
        let (_, mut grads) = per_sample::<Odd<f64>, CrossEntropy>(&b, &xs, &ys);
        let mut summed = grads.clone();
        grads.scale(1.0 / 31.0);
        let mut reference = sgd.clone();
        reference.step(&mut *b, &grads).unwrap();
        sgd.step_consume(&mut *a, &mut summed, 1.0 / 31.0).unwrap();
        assert!(all_zero::<Odd<f64>>(&summed));
        for t in 0..Odd::<f64>::TENSORS {
            for (p, q) in a.tensor(t).iter().zip(b.tensor(t)) {
                assert!((p - q).abs() < 1e-14, "tensor {t}: {p} vs {q}");
            }
        }
    }
}
