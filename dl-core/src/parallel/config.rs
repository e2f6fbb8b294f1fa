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
