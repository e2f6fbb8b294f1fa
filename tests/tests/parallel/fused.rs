//! The data-parallel engine's fused tail (the last shard's reduction and plain SGD's update
//! over element ranges across the threads, `dl_core::parallel`'s `fused` module) gives the
//! weights, losses and errors of the unfused one (reduce into the first shard's gradient,
//! then `Optimizer::step_consume` on the calling thread) bit for bit, for any thread count.

use super::{samples, weights, Cnn, Mlp};
use dl_core::parallel::{Parallel, ParallelConfig};
use dl_core::prelude::*;

/// Plain SGD without its element-wise rule: the engine takes the unfused path with it.
#[derive(Clone)]
struct Unfused(Sgd<f32>);

impl OptimizerBase for Unfused {
    const STATE_BYTES: usize = 0;
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

impl<P: Params<f32>, G: Params<f32>> ParamsOptimizer<P, G> for Unfused {
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
        let reference = train::<N, _>(1, Unfused(sgd.clone()), xs, ys);
        assert_ne!(
            reference.0,
            weights(&*N::boxed(3)),
            "training changed nothing"
        );
        for threads in [1, 2, 3] {
            let fused = train::<N, _>(threads, sgd.clone(), xs, ys);
            assert!(
                fused.1 == reference.1,
                "optimizer {n}: losses differ at {threads} threads"
            );
            assert!(
                fused.0 == reference.0,
                "optimizer {n}: weights differ at {threads} threads"
            );
        }
    }
}

#[test]
fn mlp_fused_sgd_is_the_unfused_step_for_any_thread_count() {
    let (xs, ys) = samples::<784, 10>(80);
    fused_equals_unfused::<Mlp<f32>>(&xs, &ys);
}

#[test]
fn cnn_fused_sgd_is_the_unfused_step_for_any_thread_count() {
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

/// The error of one step of `sgd` on `xs` (scaled by `gain`), unfused on one thread and
/// fused on 1, 2 and 3: the same error, the weights untouched, no update counted, and every
/// shard's gradient zero again (the next good step equals a fresh engine's).
fn refused_alike(sgd: Sgd<f32>, gain: f32) -> Error {
    let (mut xs, ys) = samples::<784, 10>(40);
    for x in &mut xs {
        *x *= gain;
    }
    let reference = one_step(1, &mut Unfused(sgd.clone()), &xs, &ys)
        .0
        .unwrap_err();
    let before = weights(&*Mlp::<f32>::boxed(2));
    for threads in [1, 2, 3] {
        let mut fused = sgd.clone();
        let (err, mut net, mut par) = one_step(threads, &mut fused, &xs, &ys);
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
    let err = refused_alike(Sgd::new(1e20).weight_decay(1e30), 1.0);
    assert!(
        matches!(err, Error::NonFiniteUpdate { tensor: 0, .. }),
        "{err:?}"
    );
    // The kernel's: large inputs give gradients that the largest rate makes infinite.
    let err = refused_alike(Sgd::new(3e38), 1e3);
    assert!(matches!(err, Error::NonFiniteUpdate { .. }), "{err:?}");
}
