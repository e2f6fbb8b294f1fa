//! A training step that returns `Ok` leaves finite weights; one that returns an error leaves
//! the network, the optimizer's state and the workspace exactly as they were.
//!
//! The reproducers of issue 14 (defects 1 and 8): an overflowing SGD step, `0 / 0` in
//! Adam, Adagrad and RMSprop with `eps = 0` on a dead ReLU unit, a learning rate infinite in
//! `f32`, and targets outside the loss's domain.

use dl_core::prelude::*;

network! {
    struct Mlp { Dense<4, 8, Relu>, Dense<8, 3, Softmax> }
}

type Net = Mlp<f32>;
type Grad = MlpGradient<f32>;

fn batch() -> ([SVector<f32, 4>; 8], [SVector<f32, 3>; 8]) {
    (
        [SVector::<f32, 4>::new(0.1, 0.2, 0.3, 0.4); 8],
        [SVector::<f32, 3>::new(1.0, 0.0, 0.0); 8],
    )
}

/// Every parameter's bits, tensor by tensor.
fn bits(net: &Net) -> Vec<u32> {
    (0..Net::TENSORS)
        .flat_map(|i| {
            net.tensor(i)
                .iter()
                .map(|v| v.to_bits())
                .collect::<Vec<_>>()
        })
        .collect()
}

fn zero(grads: &Grad) -> bool {
    (0..Grad::TENSORS).all(|i| grads.tensor(i).iter().all(|&g| g.to_bits() == 0))
}

/// The network with unit 0 of the hidden layer dead: its pre-activation is far below
/// 0 for every input, so its weights' and bias's gradients are exactly 0.
fn dead_unit() -> Net {
    let mut net = Net::new(1);
    net.tensor_mut(1)[0] = -100.0;
    net
}

/// `opt` after three updates of another network with a small gradient, so that its state
/// (momentum, moments, sums, step count) is not all zeros.
fn warmed<O: Optimizer<Net>>(mut opt: O) -> O {
    let (mut net, mut small) = (Net::new(2), <Grad as Params<f32>>::ZERO);
    small.fill(0.01);
    for _ in 0..3 {
        opt.step(&mut net, &small).unwrap();
    }
    opt
}

/// Runs one step of `opt` through `train_batch` on network `bad` with the batch, its
/// inputs multiplied by `scale`, and checks that step's error, and that the network, the
/// optimizer (state, step count: its `Debug` text) and the workspace are as before it; then
/// the same through `train_sample`.
fn refused<O: Optimizer<Net> + std::fmt::Debug>(mut opt: O, bad: Net, scale: f32, expect: Error) {
    let (xs, ys) = batch();
    let xs = xs.map(|x| x * scale);
    let mut ws = Workspace::<Net>::boxed();
    let mut net = bad;
    let (before, state, steps) = (bits(&net), format!("{opt:?}"), opt.steps());
    let err = train_batch::<_, CrossEntropy, _>(&mut net, &mut opt, &xs, &ys, &mut ws)
        .expect_err("the step must be refused");
    assert_eq!(err, expect, "{err}");
    assert_eq!(bits(&net), before, "the weights changed");
    assert_eq!(format!("{opt:?}"), state, "the optimizer's state changed");
    assert_eq!(opt.steps(), steps);
    assert!(zero(&ws.grads), "the workspace's gradient is not zeroed");
    let err = train_sample::<_, CrossEntropy, _>(&mut net, &mut opt, &xs[0], &ys[0], &mut ws)
        .expect_err("the step must be refused");
    assert_eq!(err, expect, "{err}");
    assert_eq!(bits(&net), before);
    assert_eq!(format!("{opt:?}"), state);
    assert!(zero(&ws.grads));
}

fn bad_update(tensor: usize, what: UpdatedTensor) -> Error {
    Error::NonFiniteUpdate {
        tensor,
        module: if tensor < 2 { 0 } else { 2 },
        name: if tensor.is_multiple_of(2) {
            TensorKind::Weight
        } else {
            TensorKind::Bias
        },
        what,
    }
}

/// Issue 14, defect 1: `Sgd::new(1e39)` in `f32` returned `Ok` with infinite weights. The
/// rate is now refused as a hyper-parameter, and a rate that is finite in `f32` but whose
/// step overflows is refused as an update, naming the first tensor that would overflow.
#[test]
fn an_overflowing_sgd_step_is_refused() {
    let (xs, ys) = batch();
    let mut ws = Workspace::<Net>::boxed();
    let mut net = Net::new(1);
    let before = bits(&net);
    let err = train_batch::<_, CrossEntropy, _>(&mut net, &mut Sgd::new(1e39), &xs, &ys, &mut ws)
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidHyperParameter {
                name: HyperParameter::LearningRate,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("f32"), "{err}");
    assert_eq!(bits(&net), before);

    // Inputs of 100 make gradients above 3.4 (the batch sum), and 1e38 times those
    // overflows f32.
    let overflow = bad_update(0, UpdatedTensor::Parameters);
    refused(Sgd::new(1e38), Net::new(1), 100.0, overflow);
    let message = overflow.to_string();
    assert!(message.contains("tensor 0 (`0.weight`)"), "{message}");
    // Regularised tensors take the other path of the check.
    let sgd = Sgd::new(1e38).weight_decay(1e-3).regularize_all();
    refused(sgd, Net::new(1), 100.0, overflow);
    // With momentum and Nesterov, whose buffers are not zero.
    refused(
        warmed(Sgd::new(1e38).momentum(0.9)),
        Net::new(1),
        100.0,
        overflow,
    );
    refused(
        warmed(Sgd::new(1e38).nesterov(0.9)),
        Net::new(1),
        100.0,
        overflow,
    );
}

/// A learning rate that a schedule or the user raises after some steps, so that Adam's
/// `lr / (1 - beta1^t)` is infinite in f32: refused, with the moments of the earlier steps
/// kept as they were.
#[test]
fn a_step_size_infinite_in_f32_is_refused() {
    let mut adam = warmed(Adam::new(0.01));
    adam.set_learning_rate(3e38);
    refused(
        adam,
        Net::new(1),
        1.0,
        bad_update(0, UpdatedTensor::Parameters),
    );
    let mut adam = warmed(AdamW::new(0.01));
    adam.set_learning_rate(3e38);
    refused(
        adam,
        Net::new(1),
        1.0,
        bad_update(0, UpdatedTensor::Parameters),
    );
}

/// Issue 14, defect 1: with `eps = 0`, an exactly-zero gradient makes `0 / 0` in Adam,
/// AdamW, Adagrad and RMSprop (plain, momentum, centered): refused, nothing changed.
#[test]
fn zero_over_zero_with_eps_zero_is_refused() {
    let nan = bad_update(0, UpdatedTensor::Parameters);
    refused(Adam::new(0.01).eps(0.0), dead_unit(), 1.0, nan);
    refused(AdamW::new(0.01).eps(0.0), dead_unit(), 1.0, nan);
    refused(Adagrad::new(0.01).eps(0.0), dead_unit(), 1.0, nan);
    refused(RmsProp::new(0.01).eps(0.0), dead_unit(), 1.0, nan);
    let with_momentum = RmsProp::new(0.01).eps(0.0).momentum(0.5);
    refused(with_momentum, dead_unit(), 1.0, nan);
    let centered = RmsProp::new(0.01).eps(0.0).momentum(0.5).centered();
    refused(centered, dead_unit(), 1.0, nan);
    // The same optimizers with the default eps train the dead-unit network.
    let (xs, ys) = batch();
    let mut ws = Workspace::<Net>::boxed();
    let mut net = dead_unit();
    let mut adam = Adam::new(0.01);
    train_batch::<_, CrossEntropy, _>(&mut net, &mut adam, &xs, &ys, &mut ws).unwrap();
    assert!(net.all_finite());
}

/// A state that would overflow (Adam's `v` from a gradient above `1.8e19` in `f32`) is
/// refused and named, although the weights themselves would have stayed finite.
#[test]
fn an_overflowing_optimizer_state_is_refused() {
    let (xs, ys) = batch();
    let mut ws = Workspace::<Net>::boxed();
    let mut net = Net::new(1);
    let mut adam = Adam::new(0.01);
    // A huge input gives a huge weight gradient in the first layer.
    let xs = xs.map(|x| x * 1e30);
    let before = bits(&net);
    let err =
        train_batch::<_, CrossEntropy, _>(&mut net, &mut adam, &xs, &ys, &mut ws).unwrap_err();
    assert_eq!(err, bad_update(0, UpdatedTensor::SecondMoment), "{err}");
    let words = "the second moment v of tensor 0 (`0.weight`) non-finite";
    assert!(err.to_string().contains(words), "{err}");
    assert_eq!(bits(&net), before);
    assert_eq!(adam.steps(), 0);
}

/// A non-finite gradient is still reported as such, before any update, by the optimizers'
/// fast path (plain SGD's kernel) and the others; the gradient is zeroed all the same.
#[test]
fn a_non_finite_gradient_is_refused() {
    for bad in [f32::INFINITY, f32::NAN] {
        for tensor in 0..Net::TENSORS {
            refused_gradient(Sgd::new(0.1), tensor, bad);
            refused_gradient(Sgd::new(0.1).weight_decay(0.1), tensor, bad);
            refused_gradient(Adam::new(0.01), tensor, bad);
            refused_gradient(RmsProp::new(0.01).centered(), tensor, bad);
        }
    }
}

fn refused_gradient<O: Optimizer<Net> + std::fmt::Debug>(mut opt: O, tensor: usize, bad: f32) {
    let mut net = Net::new(1);
    let mut grads = <Grad as Params<f32>>::ZERO;
    grads.fill(0.5);
    grads.tensor_mut(tensor)[1] = bad;
    let (before, state) = (bits(&net), format!("{opt:?}"));
    let err = opt.step_consume(&mut net, &mut grads, 0.25).unwrap_err();
    assert_eq!(err, Error::NonFiniteGradient, "{err}");
    assert_eq!(bits(&net), before);
    assert_eq!(format!("{opt:?}"), state);
    assert!(zero(&grads));
}

/// `Optimizer::step` checks too: an update it refuses changes nothing.
#[test]
fn step_is_checked_too() {
    let mut net = dead_unit();
    let grads = <Grad as Params<f32>>::ZERO;
    let mut adam = Adam::new(0.01).eps(0.0);
    let before = bits(&net);
    assert_eq!(
        adam.step(&mut net, &grads),
        Err(bad_update(0, UpdatedTensor::Parameters))
    );
    assert_eq!(bits(&net), before);
    assert_eq!(adam.steps(), 0);
    let mut sgd = Sgd::new(0.1);
    assert_eq!(sgd.step(&mut net, &grads), Ok(()));
    assert_eq!(bits(&net), before, "a zero gradient moves nothing");
}

network! {
    struct Binary { Dense<2, 3, Tanh>, Dense<3, 1, Sigmoid> }
}

/// Issue 14, defect 8: a cross-entropy target entry of 5.0 or a binary cross-entropy target
/// of 2.0 trained silently. Both are refused, naming the sample and entry; MSE takes any
/// target.
#[test]
fn targets_outside_the_loss_domain_are_refused() {
    let (xs, mut ys) = batch();
    ys[2][1] = 5.0;
    let mut ws = Workspace::<Net>::boxed();
    let mut net = Net::new(1);
    let before = bits(&net);
    let mut sgd = Sgd::new(0.1);
    let err = train_batch::<_, CrossEntropy, _>(&mut net, &mut sgd, &xs, &ys, &mut ws).unwrap_err();
    assert_eq!(
        err,
        Error::TargetOutOfDomain {
            loss: "cross-entropy",
            sample: 2,
            index: 1,
            value: 5.0,
            expected: "probabilities, in [0, 1]"
        }
    );
    assert!(
        err.to_string().contains("target 2 holds 5 at index 1"),
        "{err}"
    );
    let err = train_sample::<_, CrossEntropy, _>(&mut net, &mut sgd, &xs[2], &ys[2], &mut ws)
        .unwrap_err();
    assert!(matches!(err, Error::TargetOutOfDomain { sample: 0, .. }));
    for bad in [-0.5, f32::NAN, f32::INFINITY] {
        ys[2][1] = bad;
        let err =
            train_batch::<_, CrossEntropy, _>(&mut net, &mut sgd, &xs, &ys, &mut ws).unwrap_err();
        assert!(
            matches!(err, Error::TargetOutOfDomain { .. }),
            "{bad}: {err}"
        );
    }
    assert_eq!(bits(&net), before);
    assert_eq!(sgd.steps(), 0);
    // Soft targets in [0, 1] are fine, and MSE has no domain beyond the loss being finite.
    ys[2] = SVector::<f32, 3>::new(0.2, 0.5, 0.3);
    train_batch::<_, CrossEntropy, _>(&mut net, &mut sgd, &xs, &ys, &mut ws).unwrap();
    ys[2][1] = 5.0;
    train_batch::<_, Mse, _>(&mut net, &mut sgd, &xs, &ys, &mut ws).unwrap();

    let x = SVector::<f32, 2>::new(0.5, -0.5);
    let mut net = Binary::<f32>::new(3);
    let mut ws = Workspace::<Binary<f32>>::new();
    for (y, ok) in [
        (2.0, false),
        (-1.0, false),
        (1.0, true),
        (0.0, true),
        (0.25, true),
    ] {
        let y = SVector::<f32, 1>::new(y);
        let result = train_sample::<_, BinaryCrossEntropy, _>(&mut net, &mut sgd, &x, &y, &mut ws);
        assert_eq!(result.is_ok(), ok, "target {y}: {result:?}");
        if !ok {
            assert!(matches!(
                result,
                Err(Error::TargetOutOfDomain {
                    loss: "binary cross-entropy",
                    ..
                })
            ));
        }
    }
}
