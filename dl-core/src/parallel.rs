//! Data-parallel training, evaluation and prediction on every core, with results that do not
//! depend on the number of threads.
//!
//! A batch of `B` samples is cut into *shards* of [`ParallelConfig::shard`] samples (the last
//! one holds the remainder). Shard `s` always works in its own [`Workspace`] `s`: its forward
//! caches, its batched-pass buffers, its Dropout mask generators and its gradient
//! accumulator. The threads of a [rayon] pool take the shards in contiguous groups, so which
//! thread computes a shard changes with the thread count but nothing it computes does. The
//! gradient is then reduced in a fixed order, element by element,
//!
//! `g = ((g_0 + g_1) + g_2) + ... + g_{S-1}`,
//!
//! (the element ranges themselves split over the threads, which does not change any sum), the
//! loss likewise, and the optimizer applies `g / B` once. So the weights after any number of
//! steps are **bit-identical for 1, 2, 3 or N threads** with the same shard size, seed and
//! data. (PyTorch makes no such promise: its reductions follow the thread count.) The shard
//! size, not the thread count, fixes the arithmetic; changing it changes the rounding.
//!
//! Workspaces are made when a batch first needs them (one per shard, at least one per
//! thread) and reused: after the first step of the largest batch, a step allocates nothing.
//! How many shards a batch has bounds how many threads it can use: `ceil(B / shard)`.
//!
//! Why rayon: a pool of parked threads woken per step (a `std::thread::scope` per step would
//! spawn and join threads every batch, tens of microseconds and an allocation each), whose
//! fork-join calls keep their jobs on the stack.
//!
//! ```
//! use dl_core::parallel::{Parallel, ParallelConfig};
//! use dl_core::prelude::*;
//!
//! network! {
//!     struct Net { Dense<4, 8, Tanh>, Dense<8, 2, Softmax> }
//! }
//!
//! let xs: Vec<_> = (0..64).map(|i| SVector::<f32, 4>::from_fn(|j, _| ((i * 7 + j) % 5) as f32 / 5.0)).collect();
//! let ys: Vec<_> = (0..64).map(|i| SVector::<f32, 2>::from_fn(|j, _| (i % 2 == j) as u8 as f32)).collect();
//! let trained = |threads| {
//!     let mut net = Net::<f32>::new(1);
//!     let mut par = Parallel::<Net<f32>>::new(ParallelConfig::new().threads(threads).shard(8)).unwrap();
//!     let mut sgd = Sgd::new(0.1);
//!     for _ in 0..5 {
//!         par.train_batch::<CrossEntropy, _>(&mut net, &mut sgd, &xs, &ys).unwrap();
//!     }
//!     net
//! };
//! let (one, three) = (trained(1), trained(3));
//! assert!((0..2).all(|i| one.tensor(i) == three.tensor(i)));
//! ```

use crate::error::{Error, Operand};
use crate::fit::{Data, Evaluation};
use crate::float::Float;
use crate::loss::Loss;
use crate::metrics::{Metric, MetricState};
use crate::network::{Network, Params, Vector};
use crate::optim::Optimizer;
use crate::train::{check_loss, check_targets, Workspace};
use rayon::prelude::*;
use std::boxed::Box;
use std::vec::Vec;

/// The default shard size: large enough for the batched kernels to work on whole columns
/// blocks, small enough that a batch of 32 keeps two threads busy.
pub const DEFAULT_SHARD: usize = 16;

/// The default stack of a worker thread: a forward or backward pass keeps a layer's
/// temporaries there, as on the main thread (whose stack is usually 8 MiB); reserved, only
/// touched pages cost memory.
pub const WORKER_STACK: usize = 32 << 20;

/// Below this many elements a gradient tensor is reduced on the calling thread: waking the
/// pool costs more than adding it.
const PARALLEL_REDUCE: usize = 1 << 14;

/// How a [`Parallel`] engine splits work.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParallelConfig {
    /// Worker threads (0: the available cores).
    pub threads: usize,
    /// Samples a shard: the unit of work and of the fixed reduction order (at least 1).
    pub shard: usize,
    /// Bytes of each worker thread's stack ([`WORKER_STACK`] by default).
    pub stack: usize,
}

impl ParallelConfig {
    /// Every available core, shards of [`DEFAULT_SHARD`].
    pub const fn new() -> Self {
        ParallelConfig {
            threads: 0,
            shard: DEFAULT_SHARD,
            stack: WORKER_STACK,
        }
    }

    /// The same with `threads` worker threads (0: the available cores).
    pub const fn threads(mut self, threads: usize) -> Self {
        self.threads = threads;
        self
    }

    /// The same with shards of `shard` samples.
    pub const fn shard(mut self, shard: usize) -> Self {
        self.shard = shard;
        self
    }

    /// The same with worker stacks of `bytes` bytes (for very large layers).
    pub const fn stack(mut self, bytes: usize) -> Self {
        self.stack = bytes;
        self
    }

    /// The thread count this configuration resolves to.
    pub fn resolved_threads(&self) -> usize {
        match self.threads {
            0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
            t => t,
        }
    }
}

impl Default for ParallelConfig {
    fn default() -> Self {
        Self::new()
    }
}

/// Why a [`Parallel`] engine could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ParallelError {
    /// A shard of 0 samples.
    #[error("the shard size is 0; it must be at least 1")]
    ZeroShard,
    /// The operating system refused the worker threads.
    #[error("could not start the worker threads: {0}")]
    ThreadPool(#[source] rayon::ThreadPoolBuildError),
}

/// A data-parallel engine for one network type: a thread pool and one [`Workspace`] a shard.
/// See the [module documentation](self).
pub struct Parallel<N: Network> {
    pool: rayon::ThreadPool,
    config: ParallelConfig,
    threads: usize,
    shards: Vec<Box<Workspace<N>>>,
    losses: Vec<N::Scalar>,
}

impl<N: Network + Sync> Parallel<N>
where
    N::Input: Sync,
    N::Output: Send + Sync,
    Workspace<N>: Send + Sync,
{
    /// An engine with `config`'s threads, a workspace for each.
    pub fn new(config: ParallelConfig) -> Result<Self, ParallelError> {
        if config.shard == 0 {
            return Err(ParallelError::ZeroShard);
        }
        let threads = config.resolved_threads();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(|i| std::format!("dl-worker-{i}"))
            .stack_size(config.stack)
            .build()
            .map_err(ParallelError::ThreadPool)?;
        // Every worker runs once now, so the threads' own start-up (their allocations
        // included) is over before the first step.
        pool.broadcast(|_| ());
        let mut engine = Parallel {
            pool,
            config,
            threads,
            shards: Vec::new(),
            losses: Vec::new(),
        };
        engine.reserve(threads);
        Ok(engine)
    }

    /// The number of worker threads.
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// The configuration it was made with.
    pub fn config(&self) -> ParallelConfig {
        self.config
    }

    /// Makes workspaces for batches of up to `samples` samples now, so the first step of that
    /// size does not allocate.
    pub fn warm_up(&mut self, samples: usize) {
        self.reserve(samples.div_ceil(self.config.shard));
    }

    fn reserve(&mut self, shards: usize) {
        while self.shards.len() < shards {
            self.shards.push(Workspace::<N>::boxed());
        }
        if self.losses.len() < self.shards.len() {
            self.losses.resize(self.shards.len(), N::Scalar::ZERO);
        }
    }

    /// [`train_batch`](crate::train::train_batch) across the pool: the gradient averaged over
    /// the batch and applied once, with the same checks and errors (a non-finite loss or
    /// gradient leaves `net` as it was). The result depends on the shard size, never on the
    /// thread count.
    pub fn train_batch<L: Loss, O: Optimizer<N>>(
        &mut self,
        net: &mut N,
        opt: &mut O,
        xs: &[N::Input],
        ys: &[N::Output],
    ) -> Result<N::Scalar, Error> {
        if xs.len() != ys.len() {
            return Err(Error::BatchMismatch {
                inputs: xs.len(),
                targets: ys.len(),
            });
        }
        if xs.is_empty() {
            return Err(Error::EmptyBatch);
        }
        opt.validate()?;
        check_targets::<L, _, _>(ys)?;
        let (n, shard) = (xs.len(), self.config.shard);
        let count = n.div_ceil(shard);
        self.reserve(count);
        let per = count.div_ceil(self.threads);
        let (shards, losses) = (&mut self.shards[..count], &mut self.losses[..count]);
        let shared: &N = net;
        self.pool.install(|| {
            shards
                .par_chunks_mut(per)
                .zip(losses.par_chunks_mut(per))
                .enumerate()
                .for_each(|(group, (workspaces, losses))| {
                    for (j, (ws, loss)) in workspaces.iter_mut().zip(losses).enumerate() {
                        let start = (group * per + j) * shard;
                        let end = (start + shard).min(n);
                        *loss =
                            shard_gradient::<N, L>(shared, &xs[start..end], &ys[start..end], ws);
                    }
                });
        });
        let total = losses.iter().fold(N::Scalar::ZERO, |sum, &l| sum + l);
        let (first, rest) = shards.split_first_mut().ok_or(Error::EmptyBatch)?;
        reduce_in_order::<N>(&self.pool, &mut first.grads, rest);
        let inv = N::Scalar::ONE / N::Scalar::cast(n as f64);
        let loss = total * inv;
        check_loss(loss, &mut first.grads)?;
        opt.step_consume(net, &mut first.grads, inv)?;
        Ok(loss)
    }

    /// [`evaluate`](crate::fit::evaluate) across the pool: the same value bit for bit (each
    /// sample's loss is computed alone, then summed and counted in sample order).
    pub fn evaluate<L: Loss, M: Metric>(
        &mut self,
        net: &N,
        data: Data<'_, N::Input, N::Output>,
    ) -> Evaluation<N::Scalar> {
        let mut losses = std::vec![0.0f64; data.len()];
        let mut outputs = std::vec![<N::Output as Vector<N::Scalar>>::ZERO; data.len()];
        self.forward_losses::<L>(
            net,
            data.inputs(),
            data.targets(),
            &mut losses,
            &mut outputs,
        );
        let mut metric = M::State::<N::Scalar, N::Output>::new();
        for (o, y) in outputs.iter().zip(data.targets()) {
            metric.add(o, y);
        }
        let total = losses.iter().fold(0.0, |sum, l| sum + l);
        Evaluation {
            loss: N::Scalar::cast(total / data.len() as f64),
            metric: metric.value(),
        }
    }

    /// Each sample's loss `L` (as `f64`) and output, computed across the pool, in order.
    /// Slices beyond the shortest are ignored.
    pub fn forward_losses<L: Loss>(
        &mut self,
        net: &N,
        inputs: &[N::Input],
        targets: &[N::Output],
        losses: &mut [f64],
        outputs: &mut [N::Output],
    ) {
        let n = inputs
            .len()
            .min(targets.len())
            .min(losses.len())
            .min(outputs.len());
        if n == 0 {
            return;
        }
        let per = n.div_ceil(self.threads);
        let workspaces = &mut self.shards[..n.div_ceil(per)];
        self.pool.install(|| {
            workspaces
                .par_iter_mut()
                .zip(inputs[..n].par_chunks(per))
                .zip(targets[..n].par_chunks(per))
                .zip(losses[..n].par_chunks_mut(per))
                .zip(outputs[..n].par_chunks_mut(per))
                .for_each(|((((ws, xs), ys), losses), outputs)| {
                    for (((x, y), loss), out) in xs.iter().zip(ys).zip(losses).zip(outputs) {
                        net.forward_eval(x, &mut ws.cache);
                        *loss = N::loss::<L>(&ws.cache, y).as_f64();
                        out.clone_from(N::output(&ws.cache));
                    }
                });
        });
    }

    /// [`predict`](crate::fit::predict) across the pool: `outputs[i] = net.forward(inputs[i])`.
    ///
    /// Errors: [`Error::Length`] if `outputs` is not as long as `inputs`.
    pub fn predict(
        &self,
        net: &N,
        inputs: &[N::Input],
        outputs: &mut [N::Output],
    ) -> Result<(), Error> {
        if inputs.len() != outputs.len() {
            return Err(Error::Length {
                what: Operand::Outputs,
                expected: inputs.len(),
                found: outputs.len(),
            });
        }
        let per = inputs.len().div_ceil(self.threads).max(1);
        self.pool.install(|| {
            inputs
                .par_chunks(per)
                .zip(outputs.par_chunks_mut(per))
                .for_each(|(xs, ys)| {
                    for (x, y) in xs.iter().zip(ys) {
                        *y = net.forward(x);
                    }
                });
        });
        Ok(())
    }
}

/// One shard's summed loss, its gradient accumulated into `ws.grads` (zero on entry): the
/// per-sample path or the batched kernels, as [`train_batch`](crate::train::train_batch)
/// chooses them.
fn shard_gradient<N: Network, L: Loss>(
    net: &N,
    xs: &[N::Input],
    ys: &[N::Output],
    ws: &mut Workspace<N>,
) -> N::Scalar {
    let mut total = N::Scalar::ZERO;
    if xs.len() == 1 || N::BATCH <= 1 {
        for (x, y) in xs.iter().zip(ys) {
            net.forward_train(x, &mut ws.cache, &mut ws.masks);
            total += net.loss_backward::<L>(x, &ws.cache, y, &mut ws.grads, None);
        }
    } else {
        for (x, y) in xs.chunks(N::BATCH).zip(ys.chunks(N::BATCH)) {
            total +=
                net.loss_backward_batch::<L>(x, y, &mut ws.batch, &mut ws.masks, &mut ws.grads);
        }
    }
    total
}

/// `first += rest[0] + rest[1] + ...`, element by element in that order, then `rest` zeroed.
/// Large tensors are cut into element ranges across the pool; the order of each element's
/// sum is the same whoever adds it.
fn reduce_in_order<N: Network>(
    pool: &rayon::ThreadPool,
    first: &mut N::Gradient,
    rest: &mut [Box<Workspace<N>>],
) where
    Workspace<N>: Send + Sync,
{
    if rest.is_empty() {
        return;
    }
    const RANGE: usize = 1 << 12;
    let add = |dst: &mut [N::Scalar], offset: usize, rest: &[Box<Workspace<N>>], i: usize| {
        for ws in rest {
            let src = &ws.grads.tensor(i)[offset..offset + dst.len()];
            for (d, s) in dst.iter_mut().zip(src) {
                *d += *s;
            }
        }
    };
    for i in 0..<N::Gradient as Params<N::Scalar>>::TENSORS {
        let dst = first.tensor_mut(i);
        let shared: &[Box<Workspace<N>>] = rest;
        if dst.len() < PARALLEL_REDUCE {
            add(dst, 0, shared, i);
        } else {
            pool.install(|| {
                dst.par_chunks_mut(RANGE)
                    .enumerate()
                    .for_each(|(c, d)| add(d, c * RANGE, shared, i));
            });
        }
    }
    pool.install(|| {
        rest.par_iter_mut()
            .for_each(|ws| ws.grads.fill(N::Scalar::ZERO));
    });
}
