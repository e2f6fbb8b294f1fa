//! The training invariants of issue 14 as property tests (proptest, a fixed seed): random
//! small networks (Dense stacks of every activation, a convolution), random weights and data
//! including extreme values (±1e30, ±3e38, subnormals, zeros), targets in and out of the
//! loss's domain, and every optimizer with random valid hyper-parameters (learning rates up
//! to and past what `f32` holds, `eps = 0`, decays, momentum, regularisation):
//!
//! - after any `Ok` step, every weight is finite;
//! - after any `Err` step, nothing changed: the weights, the optimizer (state, step count:
//!   its `Debug` text) and the workspace's gradient (zero);
//! - the same seed gives the same bits: a second run of the same case gives the same
//!   results, losses and weights bit for bit.

use dl_core::prelude::*;
use proptest::prelude::*;
use proptest::test_runner::RngSeed;
use std::fmt::Debug;

network! {
    struct Classifier { Dense<2, 3, Relu>, Dense<3, 3, Softmax> }
}
network! {
    struct Binary { Dense<3, 4, Tanh>, Dense<4, 1, Sigmoid> }
}
network! {
    struct Regressor { Dense<2, 4, LeakyRelu<0.1>>, Dense<4, 2, Identity> }
}
network! {
    struct Conv {
        input: [1, 4, 4],
        Conv2D<1, 2, 3, Relu>,
        Flatten,
        Dense<8, 2, Identity>,
    }
}

/// A value for a weight, an input or a target: mostly ordinary, often extreme.
fn value() -> impl Strategy<Value = f32> {
    prop_oneof![
        6 => -2.0f32..2.0,
        1 => Just(0.0f32),
        2 => prop::sample::select(vec![
            1e30f32, -1e30, 3e38, -3e38, 1e-40, -1e-40, 1e10, -1e10, 65504.0,
        ]),
    ]
}

/// A learning rate: ordinary, zero, huge, and past `f32` (refused as invalid).
fn rate() -> impl Strategy<Value = f64> {
    prop_oneof![
        6 => 1e-4f64..2.0,
        1 => Just(0.0),
        2 => prop::sample::select(vec![1e10, 1e30, 3e38, 1e39, 1e300]),
    ]
}

/// One case: which network and optimizer, their settings, the values to draw from.
#[derive(Clone, Debug)]
struct Case {
    network: usize,
    optimizer: usize,
    lr: f64,
    beta: (f64, f64),
    eps: f64,
    decay: f64,
    momentum: f64,
    soft_targets: bool,
    values: Vec<f32>,
    batches: Vec<usize>,
}

fn case() -> impl Strategy<Value = Case> {
    (
        (0usize..4, 0usize..9, rate()),
        (0.0f64..0.999, 0.0f64..0.9999),
        prop::sample::select(vec![0.0f64, 1e-10, 1e-8, 1.0]),
        prop::sample::select(vec![0.0f64, 1e-3, 0.1, 1e30]),
        0.0f64..0.99,
        any::<bool>(),
        prop::collection::vec(value(), 64),
        prop::collection::vec(1usize..6, 4),
    )
        .prop_map(
            |((network, optimizer, lr), beta, eps, decay, momentum, soft, values, batches)| Case {
                network,
                optimizer,
                lr,
                beta,
                eps,
                decay,
                momentum,
                soft_targets: soft,
                values,
                batches,
            },
        )
}

/// What one step gave: the loss's bits, or the error.
type Outcome = Result<u32, Error>;

/// Every parameter's bits.
fn bits<N: Network<Scalar = f32>>(net: &N) -> Vec<u32> {
    (0..N::TENSORS)
        .flat_map(|i| {
            net.tensor(i)
                .iter()
                .map(|v| v.to_bits())
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Runs the case's steps on network `N` with loss `L` and optimizer `opt`, checking the
/// invariants after each; returns every outcome and the final weights' bits.
fn steps<N, L, O>(c: &Case, mut opt: O) -> (Vec<Outcome>, Vec<u32>)
where
    N: Network<Scalar = f32>,
    L: Loss,
    O: Optimizer<N> + Debug,
{
    let mut draw = c.values.iter().copied().cycle();
    let mut net = N::ZERO;
    for i in 0..N::TENSORS {
        for w in net.tensor_mut(i) {
            // Mostly the ordinary values, so most steps can succeed.
            let v = draw.next().unwrap_or(0.0);
            *w = if v.abs() <= 2.0 { v } else { v.signum() * 0.5 };
        }
    }
    // One extreme weight in some cases.
    if let Some(&v) = c.values.iter().find(|v| v.abs() > 2.0) {
        if c.soft_targets {
            net.tensor_mut(0)[0] = v;
        }
    }
    let mut ws = Workspace::<N>::boxed();
    let mut outcomes = Vec::new();
    for &size in &c.batches {
        let mut xs = vec![<N::Input as Vector<f32>>::ZERO; size];
        let mut ys = vec![<N::Output as Vector<f32>>::ZERO; size];
        for (x, y) in xs.iter_mut().zip(ys.iter_mut()) {
            for v in x.as_mut_slice() {
                *v = draw.next().unwrap_or(0.0);
            }
            fill_target::<L>(y.as_mut_slice(), &mut draw, c.soft_targets);
        }
        let (before, state, steps) = (bits(&net), format!("{opt:?}"), opt.steps());
        let outcome = train_batch::<N, L, O>(&mut net, &mut opt, &xs, &ys, &mut ws);
        match outcome {
            Ok(_) => assert!(net.all_finite(), "Ok with a non-finite weight: {c:?}"),
            Err(e) => {
                assert_eq!(bits(&net), before, "{e}: the weights changed");
                assert_eq!(format!("{opt:?}"), state, "{e}: the optimizer changed");
                assert_eq!(opt.steps(), steps);
            }
        }
        let zero = (0..N::Gradient::TENSORS).all(|i| ws.grads.tensor(i).iter().all(|&g| g == 0.0));
        assert!(zero, "the workspace's gradient is not zero after a step");
        outcomes.push(outcome.map(f32::to_bits));
    }
    (outcomes, bits(&net))
}

/// A target: for a loss with a domain, in it (one-hot, or soft probabilities) unless the
/// drawn value says otherwise; any value for MSE.
fn fill_target<L: Loss>(y: &mut [f32], draw: &mut impl Iterator<Item = f32>, soft: bool) {
    let v = draw.next().unwrap_or(0.0);
    match L::TARGET_RANGE {
        None => y.iter_mut().for_each(|t| *t = draw.next().unwrap_or(v)),
        Some(_) if v.abs() > 2.0 => y[0] = v, // out of the domain: must be refused
        Some(_) if soft => {
            let share = 1.0 / y.len() as f32;
            y.iter_mut().for_each(|t| *t = share);
        }
        Some(_) => y[(v.abs() * 7.0) as usize % y.len()] = 1.0,
    }
}

/// The case's optimizer `c.optimizer` for network `N`, run through `steps` twice: the
/// invariants hold, and both runs give the same bits.
fn run<N: Network<Scalar = f32>, L: Loss>(c: &Case) -> usize
where
    N::Gradient: Debug,
{
    type G<N> = <N as Network>::Gradient;
    let go = |c: &Case| -> (Vec<Outcome>, Vec<u32>) {
        let (lr, eps, decay, mu) = (c.lr, c.eps, c.decay, c.momentum);
        match c.optimizer {
            0 => steps::<N, L, _>(c, Sgd::<f32>::new(lr)),
            1 => steps::<N, L, _>(c, Sgd::<f32>::new(lr).weight_decay(decay).l1(decay)),
            2 => steps::<N, L, _>(c, Sgd::<f32>::new(lr).momentum::<G<N>>(mu)),
            3 => steps::<N, L, _>(c, Sgd::<f32>::new(lr).nesterov::<G<N>>(mu.max(0.1))),
            4 => steps::<N, L, _>(c, Adagrad::<f32, G<N>>::new(lr).eps(eps).lr_decay(decay)),
            5 => steps::<N, L, _>(c, RmsProp::<f32, G<N>>::new(lr).eps(eps).alpha(c.beta.1)),
            6 => {
                let opt = RmsProp::<f32, G<N>>::new(lr)
                    .eps(eps)
                    .momentum(mu)
                    .centered();
                steps::<N, L, _>(c, opt)
            }
            7 => {
                let opt = Adam::<f32, G<N>>::new(lr)
                    .betas(c.beta.0, c.beta.1)
                    .eps(eps);
                steps::<N, L, _>(c, opt.weight_decay(decay))
            }
            _ => {
                let opt = AdamW::<f32, G<N>>::new(lr)
                    .betas(c.beta.0, c.beta.1)
                    .eps(eps);
                steps::<N, L, _>(c, opt.weight_decay(decay.min(0.5)))
            }
        }
    };
    let first = go(c);
    let second = go(c);
    assert_eq!(first, second, "the same case gave other bits: {c:?}");
    first.0.iter().filter(|o| o.is_ok()).count()
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 400,
        rng_seed: RngSeed::Fixed(14),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn ok_means_finite_err_means_unchanged_same_seed_same_bits(c in case()) {
        match c.network {
            0 => run::<Classifier<f32>, CrossEntropy>(&c),
            1 => run::<Binary<f32>, BinaryCrossEntropy>(&c),
            2 => run::<Regressor<f32>, Mse>(&c),
            _ => run::<Conv<f32>, Mse>(&c),
        };
    }
}

/// The properties are not vacuous: with ordinary settings most steps succeed, and with
/// extreme ones some are refused (both outcomes are exercised by the generator above).
#[test]
fn the_generator_reaches_both_outcomes() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::{Config, TestRunner};
    let config = Config {
        rng_seed: RngSeed::Fixed(14),
        ..Config::default()
    };
    let mut runner = TestRunner::new(config);
    let (mut ok, mut err) = (0, 0);
    for _ in 0..200 {
        let c = case().new_tree(&mut runner).unwrap().current();
        let done = match c.network {
            0 => run::<Classifier<f32>, CrossEntropy>(&c),
            1 => run::<Binary<f32>, BinaryCrossEntropy>(&c),
            2 => run::<Regressor<f32>, Mse>(&c),
            _ => run::<Conv<f32>, Mse>(&c),
        };
        ok += done;
        err += c.batches.len() - done;
    }
    println!("{ok} steps Ok, {err} refused");
    assert!(ok > 100 && err > 100, "{ok} Ok, {err} refused");
}
