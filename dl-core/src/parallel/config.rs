//! How a [`Parallel`](super::Parallel) engine splits work, and why one could not be made.

/// The default shard size (grown for networks whose work a sample is small next to their
/// gradient, see [`ParallelConfig::auto_shard`]): large enough for the batched kernels to work on whole column
/// blocks, small enough that a batch of 32 keeps two threads busy. A batch of at most this
/// many samples is one shard, trained on the calling thread exactly as
/// [`train_batch`](crate::train::train_batch) trains it.
pub const DEFAULT_SHARD: usize = 16;

/// The default stack of a worker thread: a forward or backward pass keeps a layer's
/// temporaries there, as on the main thread (whose stack is usually 8 MiB); reserved, only
/// touched pages cost memory.
pub const WORKER_STACK: usize = 32 << 20;

/// How a [`Parallel`](super::Parallel) engine splits work.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParallelConfig {
    /// Worker threads (0: the available cores).
    pub threads: usize,
    /// Samples a shard: the unit of work and of the fixed reduction order (at least 1).
    pub shard: usize,
    /// Whether the engine may make shards larger than `shard` for a network whose work a
    /// sample is small next to its gradient ([`shard_size`](super::shard_size)); on by
    /// default, off once [`shard`](Self::shard) is set. The shard size the engine uses is
    /// [`Parallel::shard`](super::Parallel::shard).
    pub auto_shard: bool,
    /// Whether a batch of one shard of a Dense network is split by units over the threads
    /// instead of running on the calling thread (off by default: not yet faster, see
    /// [`units`](Self::units); the weights are the serial step's bit for bit either way).
    pub units: bool,
    /// Bytes of each worker thread's stack ([`WORKER_STACK`] by default).
    pub stack: usize,
    /// The seed of the Dropout masks: shard `s` of the step after `k` optimizer updates
    /// draws its masks from [`shard_seed(seed, k, s)`](super::shard_seed).
    pub seed: u64,
}

impl ParallelConfig {
    /// Every available core, shards of [`DEFAULT_SHARD`] or larger where splitting would not
    /// pay ([`auto_shard`](Self::auto_shard)), Dropout seed 0.
    pub const fn new() -> Self {
        ParallelConfig {
            threads: 0,
            shard: DEFAULT_SHARD,
            auto_shard: true,
            units: false,
            stack: WORKER_STACK,
            seed: 0,
        }
    }

    /// The same with `threads` worker threads (0: the available cores).
    pub const fn threads(mut self, threads: usize) -> Self {
        self.threads = threads;
        self
    }

    /// The same with shards of `shard` samples exactly (no [`auto_shard`](Self::auto_shard)).
    pub const fn shard(mut self, shard: usize) -> Self {
        self.shard = shard;
        self.auto_shard = false;
        self
    }

    /// The same with shards grown (`true`) or not (`false`) where the network's work a sample
    /// is small next to its gradient: at least [`SHARD_WORK`](super::SHARD_WORK) times the
    /// gradient's length in multiply-adds a shard ([`shard_size`](super::shard_size)).
    pub const fn auto_shard(mut self, auto: bool) -> Self {
        self.auto_shard = auto;
        self
    }

    /// The same with the unit split on (`true`) or off (`false`, the default). With it, an
    /// engine of two or more threads trains a batch of one shard (2 to 32 samples) of a
    /// network of Dense layers on the batched kernels, with plain SGD (an optimizer with
    /// [`prepare_elementwise`](crate::optim::Optimizer::prepare_elementwise)), split by
    /// output units: each thread owns a range of every layer's units (rows of `W`) and
    /// computes their outputs, gradient and update for the whole batch, in one pool region a
    /// step with spinning barriers between its phases; activations cross the cores, the
    /// gradient is never reduced (module `units`). Every element is computed by the code the
    /// serial step uses, so the weights are `train_batch`'s bit for bit at any thread count.
    /// It needs the row kernels (`f32` on AVX-512 CPUs); elsewhere the batch runs on the
    /// calling thread as before ([`Parallel::splits_units`](super::Parallel::splits_units)
    /// says which).
    ///
    /// Off by default because it is not faster yet: the 784-128-10 MLP at batch 32 on this
    /// project's 2-core VM ran at 0.5-0.85x of the serial step at 2 threads (load 3-5, other
    /// sessions' builds; BENCHMARKS.md, "Split by units"). Each thread's matrix products
    /// cost about its share of the serial ones, but its update of its rows of `W` cost 2.5x
    /// the whole serial update (the two cores' rows share every 512-byte column of `W`), and
    /// the barriers wait for a preempted partner.
    pub const fn units(mut self, on: bool) -> Self {
        self.units = on;
        self
    }

    /// The same with worker stacks of `bytes` bytes (for very large layers).
    pub const fn stack(mut self, bytes: usize) -> Self {
        self.stack = bytes;
        self
    }

    /// The same with this Dropout seed.
    pub const fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
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

/// Why a [`Parallel`](super::Parallel) engine could not be made.
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
