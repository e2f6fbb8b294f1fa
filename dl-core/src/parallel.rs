//! Data-parallel training, evaluation and prediction on every core, with results that do not
//! depend on the number of threads.
//!
//! A batch of `B` samples is cut into `S = ceil(B / shard)` *shards* of nearly equal size, at
//! most [`shard`](Parallel::shard) samples each: the first `B mod S` hold `floor(B / S) + 1`
//! samples, the others `floor(B / S)` (24 samples in shards of at most 16 are 12 + 12, not
//! 16 + 8, so two threads get equal work). The cut depends on `B` and the shard size alone,
//! never on the thread count ([`shard_range`]). Shard `s` always works in its own
//! [`Workspace`] `s`: its forward caches, its batched-pass buffers, its Dropout mask
//! generators and its gradient accumulator. Its Dropout masks are drawn from
//! [`shard_seed`]`(seed, k, s)`, where `k` is the optimizer's update count
//! ([`steps`](crate::optim::OptimizerBase::steps)) and `seed` [`ParallelConfig::seed`], so no
//! two shards or steps share masks, and a run resumed from a saved optimizer state draws what
//! the uninterrupted run drew. The threads of a [rayon] pool take the shards in contiguous
//! groups, so which thread computes a shard changes with the thread count but nothing it
//! computes does. The gradient is then reduced in a fixed order, element by element,
//!
//! `g = ((g_0 + g_1) + g_2) + ... + g_{S-1}`,
//!
//! (the element ranges themselves split over the threads, which does not change any sum), the
//! loss likewise, and the optimizer applies `g / B` once. So the weights after any number of
//! steps are **bit-identical for 1, 2, 3 or N threads** with the same shard size, seed and
//! data. (PyTorch makes no such promise: its reductions follow the thread count.) The shard
//! size, not the thread count, fixes the arithmetic; changing it changes the rounding.
//!
//! **The shard size.** [`ParallelConfig::shard`] (16 by default). By default
//! ([`ParallelConfig::auto_shard`]) the engine makes shards larger for a network whose work a
//! sample is small next to its gradient, where moving the gradient between cores costs more
//! than a shard's arithmetic saves ([`shard_size`]): the 784-128-10 MLP gets shards of 160,
//! so its batches of up to 160 are one shard, the serial step; the CIFAR-sized CNN keeps 16. [`Parallel::shard`] reports the choice. It
//! depends on the network type and the configuration alone, so it does not touch the
//! bit-identity.
//!
//! Workspaces are made when a batch first needs them (one per shard, at least one per
//! thread) and reused: after the first step of the largest batch, a step allocates nothing.
//! How many shards a batch has bounds how many threads it can use: `ceil(B / shard)`.
//!
//! **What the split costs.** A batch of one shard runs on the calling thread exactly as
//! [`train_batch`](crate::train::train_batch): the same arithmetic, no pool, no reduction, so
//! a small batch is never slower than the serial step. An engine of one thread runs its
//! shards on the calling thread too. (Both need the stack a serial step needs; an engine
//! whose workers get stacks larger than [`WORKER_STACK`], for a network whose passes need
//! them, always works on its workers.) Otherwise a step enters the pool once: the shards'
//! passes, then the reduction over element ranges (which clears each shard's gradient as it
//! reads it). An optimizer with an element-wise rule
//! ([`Optimizer::prepare_elementwise`]: plain SGD) is applied there too, fused with the last
//! shard's reduction, each thread updating the ranges it reduces (the `fused` module: same
//! bits as [`Optimizer::step_consume`]). An optimizer with state but an element-wise rule
//! ([`Optimizer::step_pieces`]: Adam, AdamW, RMSprop and Adagrad) steps on the caller
//! after, each of its passes
//! over a large tensor entering the pool once to be cut into ranges there (the `pieces`
//! module; the same bits again; also after a batch of one shard, on an engine of several
//! threads); any other optimizer steps on the caller alone (SGD with momentum: cut, its
//! memory-bound passes ran slower, see `optim::cut`).
//!
//! Why rayon: a pool of parked threads woken per step (a `std::thread::scope` per step would
//! spawn and join threads every batch, tens of microseconds and an allocation each), whose
//! fork-join calls keep their jobs on the stack. An own crew of `std` threads, the caller
//! taking the first shards itself and the workers spinning between steps instead of
//! sleeping, was measured against it (CIFAR-sized CNN, batch 32, 2 threads, alternating runs
//! on the shared machine): 1,720-2,059 samples/s against rayon's 1,820-1,866, CPU a step
//! 26.0-30.7 ms against 27.4-30.7, no difference the noise did not cover, so rayon stays.
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

use crate::error::Error;
use crate::float::Float;
use crate::loss::Loss;
use crate::network::Network;
use crate::optim::{ElementwiseStep, Optimizer};
use crate::train::{accumulate_batch, check_loss, check_targets, Workspace};
use rayon::prelude::*;
use std::boxed::Box;
use std::vec::Vec;

mod config;
mod fused;
mod inference;
mod pieces;
mod plan;
mod reduce;
mod seeds;
mod split;

pub use config::{ParallelConfig, ParallelError, DEFAULT_SHARD, WORKER_STACK};
pub use plan::{shard_size, work_per_sample, SHARD_WORK};
pub use seeds::shard_seed;
pub use split::shard_range;

use fused::reduce_and_step;
use pieces::PoolPieces;
use reduce::reduce_in_order;

/// A data-parallel engine for one network type: a thread pool and one [`Workspace`] a shard.
/// See the [module documentation](self).
pub struct Parallel<N: Network> {
    pool: rayon::ThreadPool,
    config: ParallelConfig,
    threads: usize,
    shard: usize,
    shards: Vec<Box<Workspace<N>>>,
    losses: Vec<N::Scalar>,
}

/// One step's shards: the batch, the shard size, and where the Dropout masks come from.
struct Step<'a, N: Network> {
    xs: &'a [N::Input],
    ys: &'a [N::Output],
    shard: usize,
    seed: u64,
    updates: u64,
}

impl<N: Network> Step<'_, N> {
    /// Shard `s`'s summed loss, its gradient accumulated into `ws.grads` (zero: the optimizer
    /// cleared shard 0's, the last reduction every other's), its masks seeded for this step.
    fn run<L: Loss>(&self, net: &N, s: usize, ws: &mut Workspace<N>) -> N::Scalar {
        let range = shard_range(self.xs.len(), self.shard, s);
        let (start, end) = (range.start, range.end);
        ws.seed_dropout(shard_seed(self.seed, self.updates, s));
        accumulate_batch::<N, L>(net, &self.xs[start..end], &self.ys[start..end], ws)
    }
}

/// What follows a step's shards: the optimizer's element-wise rule if it has one
/// ([`Optimizer::prepare_elementwise`]), and `1 / batch`.
#[derive(Clone, Copy)]
struct Tail<T> {
    rule: Option<ElementwiseStep>,
    inv: T,
}

impl<T: crate::float::Float> Tail<T> {
    /// The batch's mean loss, and the shards' gradients reduced in order: with a rule and a
    /// finite loss, fused with the update ([`reduce_and_step`], its result in `Some`; every
    /// gradient zero after); otherwise into the first shard's, for the optimizer (`None`).
    /// `split` spreads the element ranges over the current pool (call it inside `install`).
    fn finish<N: Network<Scalar = T> + Send>(
        self,
        net: &mut N,
        shards: &mut [Box<Workspace<N>>],
        losses: &[T],
        split: bool,
    ) -> (T, Option<Result<(), Error>>)
    where
        Workspace<N>: Send,
    {
        let loss = losses.iter().fold(T::ZERO, |sum, &l| sum + l) * self.inv;
        match self.rule {
            Some(rule) if loss.finite() => {
                let result = reduce_and_step(net, shards, rule, self.inv, split);
                (loss, Some(result))
            }
            _ => {
                if let Some((first, rest)) = shards.split_first_mut() {
                    reduce_in_order::<N>(&mut first.grads, rest, split);
                }
                (loss, None)
            }
        }
    }
}

impl<N: Network + Sync + Send> Parallel<N>
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
        let shard = shard_size(&N::SUMMARY, N::PARAMS, config.shard, config.auto_shard);
        let mut engine = Parallel {
            pool,
            config,
            threads,
            shard,
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

    /// The shard size it uses: [`ParallelConfig::shard`], or larger with
    /// [`ParallelConfig::auto_shard`] for a network whose work a sample is small next to its
    /// gradient ([`shard_size`]). A batch of at most this many samples
    /// trains on the calling thread alone, exactly as [`train_batch`](crate::train::train_batch).
    pub fn shard(&self) -> usize {
        self.shard
    }

    /// The configuration it was made with.
    pub fn config(&self) -> ParallelConfig {
        self.config
    }

    /// Makes workspaces for batches of up to `samples` samples now, so the first step of that
    /// size does not allocate.
    pub fn warm_up(&mut self, samples: usize) {
        self.reserve(samples.div_ceil(self.shard));
    }

    /// Whether work of `shards` shards runs on the calling thread: one shard, or one thread,
    /// unless the configuration asks for worker stacks larger than [`WORKER_STACK`] (a network
    /// whose passes need them may not fit the caller's stack).
    fn on_caller(&self, shards: usize) -> bool {
        (shards == 1 || self.threads == 1) && self.config.stack <= WORKER_STACK
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
    /// thread count; a batch of one shard trains bit for bit as `train_batch` (with the
    /// Dropout masks of [`shard_seed`]).
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
        let step = Step::<N> {
            xs,
            ys,
            shard: self.shard,
            seed: self.config.seed,
            updates: opt.steps(),
        };
        let count = xs.len().div_ceil(step.shard);
        self.reserve(count);
        let on_caller = self.on_caller(count);
        let tail = Tail {
            rule: opt.prepare_elementwise(),
            inv: N::Scalar::ONE / N::Scalar::cast(xs.len() as f64),
        };
        let shards = &mut self.shards[..count];
        let losses = &mut self.losses[..count];
        let (loss, fused) = if on_caller {
            for (s, (ws, loss)) in shards.iter_mut().zip(losses.iter_mut()).enumerate() {
                *loss = step.run::<L>(net, s, ws);
            }
            tail.finish(net, shards, losses, false)
        } else {
            let per = count.div_ceil(self.threads);
            self.pool.install(|| {
                let shared: &N = net;
                shards
                    .par_chunks_mut(per)
                    .zip(losses.par_chunks_mut(per))
                    .enumerate()
                    .for_each(|(group, (workspaces, losses))| {
                        for (j, (ws, loss)) in workspaces.iter_mut().zip(losses).enumerate() {
                            *loss = step.run::<L>(shared, group * per + j, ws);
                        }
                    });
                tail.finish(net, shards, losses, true)
            })
        };
        match fused {
            Some(Ok(())) => opt.commit_elementwise(),
            Some(Err(e)) => return Err(e),
            None => {
                let grads = &mut self.shards[0].grads;
                check_loss(loss, grads)?;
                // Even a batch of one shard, trained on the caller, has the other threads for
                // its optimizer's passes.
                let pieces = PoolPieces { pool: &self.pool };
                let stepped = match self.threads {
                    1 => None,
                    _ => opt.step_pieces(net, grads, tail.inv, &pieces),
                };
                match stepped {
                    Some(result) => result?,
                    None => opt.step_consume(net, grads, tail.inv)?,
                }
            }
        }
        Ok(loss)
    }
}
