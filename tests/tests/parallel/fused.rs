//! The data-parallel engine's fused tail (the last shard's reduction and plain SGD's update
//! over element ranges across the threads, `dl_core::parallel`'s `fused` module) gives the
//! weights, losses and errors of the unfused one (reduce into the first shard's gradient,
//! then `Optimizer::step_consume` on the calling thread) bit for bit, for any thread count.

use super::{samples, weights, Cnn, Mlp, MlpGradient};
use dl_core::parallel::{Parallel, ParallelConfig};
use dl_core::prelude::*;

/// An optimizer without its element-wise rule and its cut passes: the engine steps it on the
/// calling thread with `step_consume`, the unfused path.
#[derive(Clone)]
struct Unfused<O>(O);

impl<O: OptimizerBase> OptimizerBase for Unfused<O> {
    const STATE_BYTES: usize = O::STATE_BYTES;
    fn learning_rate(&self) -> f64 {
        self.0.learning_rate()
    }
    fn set_learning_rate(&mut self, lr: f64) {
        self.0.set_learning_rate(lr);
    }
    fn steps(&self) -> u64 {
        self.0.steps()
    }
    fn reset(&mut self) {
        self.0.reset();
    }
    fn validate(&self) -> Result<(), Error> {
        self.0.validate()
    }
}

impl<P, G, O: ParamsOptimizer<P, G>> ParamsOptimizer<P, G> for Unfused<O> {
    fn update(&mut self, params: &mut P, grads: &G) {
        self.0.update(params, grads);
    }
    fn update_consume(&mut self, p: &mut P, g: &mut G, scale: f64) -> Option<Result<(), Error>> {
        self.0.update_consume(p, g, scale)
    }
    fn check_update(&self, params: &P, grads: &G, scale: f64) -> Result<(), Error> {
        self.0.check_update(params, grads, scale)
    }
}

/// Weights and losses after 6 steps of 37 samples in shards of 8 on `threads` threads.
fn train<N, O>(
    threads: usize,
    mut opt: O,
    xs: &[N::Input],
    ys: &[N::Output],
) -> (Vec<u32>, Vec<u32>)
where
    N: Network<Scalar = f32> + Sync + Send,
    N::Input: Sync + Send,
    N::Output: Sync + Send,
    Workspace<N>: Send + Sync,
    O: Optimizer<N>,
{
    let mut net = N::boxed(3);
    let mut par = Parallel::<N>::new(ParallelConfig::new().threads(threads).shard(8)).unwrap();
    let mut losses = Vec::new();
    for step in 0..6 {
        let start = (step * 37) % (xs.len() - 37 + 1);
        let (x, y) = (&xs[start..start + 37], &ys[start..start + 37]);
        let loss = par
            .train_batch::<CrossEntropy, _>(&mut net, &mut opt, x, y)
            .unwrap();
        losses.push(loss.to_bits());
    }
    assert_eq!(opt.steps(), 6);
    (weights(&*net), losses)
}

/// Plain SGD's fused tail, the cut passes of Adam, RMSprop and Adagrad and SGD with
/// momentum's step on the caller (with and without penalties) against the unfused step on
/// one thread: the same losses and weights at 1, 2 and 3 threads.
fn fused_equals_unfused<N>(xs: &[N::Input], ys: &[N::Output])
where
    N: Network<Scalar = f32> + Sync + Send,
    N::Input: Sync + Send,
    N::Output: Sync + Send,
    Workspace<N>: Send + Sync,
{
    let sgds = [
        Sgd::new(0.05),
        Sgd::new(0.05).weight_decay(0.01).l1(1e-3),
        Sgd::new(0.05).decoupled_weight_decay(0.1).regularize_all(),
    ];
    for (n, sgd) in sgds.into_iter().enumerate() {
        assert!(ParamsOptimizer::<N, N::Gradient>::elementwise(&sgd).is_some());
        same_for_thread_counts::<N, _>(&format!("SGD {n}"), &|| Box::new(sgd.clone()), xs, ys);
    }
    // Adam keeps two gradients of state: boxed, off the test thread's stack.
    let adams: [MakeAdam<N>; 2] = [
        || Adam::boxed(1e-3),
        || {
            let mut adam = Adam::boxed(1e-3);
            adam.reg = Regularization {
                l1: 1e-3,
                l2: 0.01,
                ..Regularization::NONE
            };
            adam.regularization_mut().scope = Scope::All;
            adam
        },
    ];
    for (n, adam) in adams.into_iter().enumerate() {
        const { assert!(<Adam<f32, N::Gradient> as ParamsOptimizer<N, N::Gradient>>::PIECES) };
        same_for_thread_counts::<N, _>(&format!("Adam {n}"), &adam, xs, ys);
    }
    cut_stateful_optimizers::<N>(xs, ys);
}

/// The other optimizers with state and an element-wise rule: SGD with classical (dampened)
/// and Nesterov momentum (on the caller), RMSprop plain and with momentum and centering and
/// Adagrad with a learning-rate decay and an initial accumulator (cut), some with penalties.
fn cut_stateful_optimizers<N>(xs: &[N::Input], ys: &[N::Output])
where
    N: Network<Scalar = f32> + Sync + Send,
    N::Input: Sync + Send,
    N::Output: Sync + Send,
    Workspace<N>: Send + Sync,
{
    type G<N> = <N as Network>::Gradient;
    // Each keeps at least a gradient of state: boxed, off the test thread's stack.
    let momentum = |nesterov| {
        let mut sgd = SgdMomentum::<f32, G<N>>::boxed(0.05, 0.9);
        (sgd.nesterov, sgd.dampening) = (nesterov, if nesterov { 0.0 } else { 0.1 });
        sgd.reg.l2 = if nesterov { 0.01 } else { 0.0 };
        sgd
    };
    // SGD with momentum has no cut form (see `optim::cut`): it steps on the caller.
    const { assert!(!<SgdMomentum<f32, G<N>> as ParamsOptimizer<N, G<N>>>::PIECES) };
    same_for_thread_counts::<N, _>("momentum", &|| momentum(false), xs, ys);
    same_for_thread_counts::<N, _>("Nesterov", &|| momentum(true), xs, ys);
    let rmsprop = || {
        let mut rmsprop = RmsProp::<f32, G<N>>::boxed(1e-3, 0.0);
        rmsprop.reg.l1 = 1e-3;
        rmsprop
    };
    same_for_thread_counts::<N, _>("RMSprop", &rmsprop, xs, ys);
    let rmsprop = || RmsProp::<f32, G<N>, G<N>, G<N>>::boxed(1e-3, 0.9);
    same_for_thread_counts::<N, _>("RMSprop centered with momentum", &rmsprop, xs, ys);
    let adagrad = || {
        let mut adagrad = Adagrad::<f32, G<N>>::boxed(0.05);
        (adagrad.lr_decay, adagrad.initial_accumulator) = (0.01, 0.1);
        adagrad.reg.l2 = 0.01;
        adagrad
    };
    const { assert!(<Adagrad<f32, G<N>> as ParamsOptimizer<N, G<N>>>::PIECES) };
    same_for_thread_counts::<N, _>("Adagrad", &adagrad, xs, ys);
}

/// Makes a boxed Adam for network `N`.
type MakeAdam<N> = fn() -> Box<Adam<f32, <N as Network>::Gradient>>;

fn same_for_thread_counts<N, O>(
    name: &str,
    make: &dyn Fn() -> Box<O>,
    xs: &[N::Input],
    ys: &[N::Output],
) where
    N: Network<Scalar = f32> + Sync + Send,
    N::Input: Sync + Send,
    N::Output: Sync + Send,
    Workspace<N>: Send + Sync,
    O: ParamsOptimizer<N, N::Gradient>,
{
    let reference = train::<N, _>(1, Unfused(&mut *make()), xs, ys);
    assert_ne!(
        reference.0,
        weights(&*N::boxed(3)),
        "training changed nothing"
    );
    for threads in [1, 2, 3] {
        let fused = train::<N, _>(threads, &mut *make(), xs, ys);
        assert!(
            fused.1 == reference.1,
            "{name}: losses differ at {threads} threads"
        );
        assert!(
            fused.0 == reference.0,
            "{name}: weights differ at {threads} threads"
        );
    }
}

#[test]
fn mlp_fused_sgd_and_cut_stateful_optimizers_are_the_unfused_step_for_any_thread_count() {
    let (xs, ys) = samples::<784, 10>(80);
    fused_equals_unfused::<Mlp<f32>>(&xs, &ys);
}

#[test]
fn cnn_fused_sgd_and_cut_stateful_optimizers_are_the_unfused_step_for_any_thread_count() {
    let (xs, ys) = samples::<432, 4>(80);
    fused_equals_unfused::<Cnn<f32>>(&xs, &ys);
}

type Engine = Parallel<Mlp<f32>>;

/// One step of `opt` on a fresh network and engine of `threads` threads, shards of 8.
fn one_step<O: Optimizer<Mlp<f32>>>(
    threads: usize,
    opt: &mut O,
    xs: &[SVector<f32, 784>],
    ys: &[SVector<f32, 10>],
) -> (Result<f32, Error>, Box<Mlp<f32>>, Engine) {
    let mut net = Mlp::<f32>::boxed(2);
    let mut par = Parallel::new(ParallelConfig::new().threads(threads).shard(8)).unwrap();
    let result = par.train_batch::<CrossEntropy, _>(&mut *net, opt, xs, ys);
    (result, net, par)
}

/// The error of one step of `opt` on `xs` (scaled by `gain`), unfused on one thread and
/// fused or cut on 1, 2 and 3: the same error, the weights untouched, no update counted, and
/// every shard's gradient zero again (the next good step equals a fresh engine's).
fn refused_alike<O>(make: impl Fn() -> Box<O>, gain: f32) -> Error
where
    O: ParamsOptimizer<Mlp<f32>, MlpGradient<f32>>,
{
    let (mut xs, ys) = samples::<784, 10>(40);
    for x in &mut xs {
        *x *= gain;
    }
    let reference = one_step(1, &mut Unfused(&mut *make()), &xs, &ys)
        .0
        .unwrap_err();
    let before = weights(&*Mlp::<f32>::boxed(2));
    for threads in [1, 2, 3] {
        let mut fused = make();
        let (err, mut net, mut par) = one_step(threads, &mut *fused, &xs, &ys);
        assert_eq!(err.unwrap_err(), reference);
        assert_eq!(weights(&*net), before, "a refused step changed the weights");
        assert_eq!(fused.steps(), 0);
        par.train_batch::<CrossEntropy, _>(&mut *net, &mut Sgd::new(0.01), &xs, &ys)
            .unwrap();
        let (fresh, net_fresh, _) = one_step(1, &mut Sgd::new(0.01), &xs, &ys);
        fresh.unwrap();
        assert_eq!(weights(&*net), weights(&*net_fresh), "{threads} threads");
    }
    reference
}

#[test]
fn an_overflowing_update_is_refused_as_the_unfused_step_refuses_it() {
    // The penalty's loop: l2 * p * lr overflows the first weight tensor.
    let err = refused_alike(|| Box::new(Sgd::new(1e20).weight_decay(1e30)), 1.0);
    assert!(
        matches!(err, Error::NonFiniteUpdate { tensor: 0, .. }),
        "{err:?}"
    );
    // The kernel's: large inputs give gradients that the largest rate makes infinite.
    let err = refused_alike(|| Box::new(Sgd::new(3e38)), 1e3);
    assert!(matches!(err, Error::NonFiniteUpdate { .. }), "{err:?}");
    // Adam's cut check: the second moment of the penalised gradient overflows.
    let err = refused_alike(
        || {
            let mut adam = Adam::boxed(1e-3);
            adam.reg.l2 = 1e30;
            adam
        },
        1.0,
    );
    assert!(
        matches!(err, Error::NonFiniteUpdate { tensor: 0, .. }),
        "{err:?}"
    );
    // RMSprop's cut check: the square average of the penalised gradient overflows.
    let err = refused_alike(
        || {
            let mut rmsprop = RmsProp::<f32, MlpGradient<f32>>::boxed(1e-3, 0.0);
            rmsprop.reg.l2 = 1e30;
            rmsprop
        },
        1.0,
    );
    assert!(
        matches!(err, Error::NonFiniteUpdate { tensor: 0, .. }),
        "{err:?}"
    );
}

#[test]
fn one_shard_with_adam_cut_across_the_pool_is_the_serial_train_batch() {
    // A batch of one shard trains on the caller; its Adam passes over the 100 k-element
    // weight tensor still run cut across the pool, with the serial step's bits.
    let (xs, ys) = samples::<784, 10>(8);
    let mut serial = Mlp::<f32>::boxed(4);
    let mut ws = Workspace::<Mlp<f32>>::boxed();
    let mut adam = Adam::boxed(1e-3);
    let reference: Vec<u32> = (0..3)
        .map(|_| {
            train_batch::<_, CrossEntropy, _>(&mut *serial, &mut *adam, &xs, &ys, &mut ws)
                .unwrap()
                .to_bits()
        })
        .collect();
    for threads in [2, 3] {
        let mut net = Mlp::<f32>::boxed(4);
        let mut adam = Adam::boxed(1e-3);
        let mut par = Parallel::new(ParallelConfig::new().threads(threads).shard(8)).unwrap();
        let losses: Vec<u32> = (0..3)
            .map(|_| {
                par.train_batch::<CrossEntropy, _>(&mut *net, &mut *adam, &xs, &ys)
                    .unwrap()
                    .to_bits()
            })
            .collect();
        assert_eq!(losses, reference, "{threads} threads");
        assert!(weights(&*net) == weights(&*serial), "{threads} threads");
    }
}
