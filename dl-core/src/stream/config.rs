//! How [`fit_stream`](super::fit_stream), [`evaluate_stream`](super::evaluate_stream) and
//! [`predict_stream`](super::predict_stream) cut a stream into batches and load them.

use crate::fit::{EarlyStopping, EarlyStoppingState};

/// How a stream is cut into batches and loaded.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StreamConfig {
    /// Passes over the source ([`fit_stream`](super::fit_stream) only).
    pub epochs: usize,
    /// Samples a batch (the last batch of an epoch holds the remainder).
    pub batch: usize,
    /// Whether [`fit_stream`](super::fit_stream) reshuffles the order every epoch.
    pub shuffle: bool,
    /// The seed of the shuffles and of the augmentation.
    pub seed: u64,
    /// Batches loaded ahead of the one being trained on.
    pub prefetch: usize,
    /// Background threads loading batches.
    pub loaders: usize,
    /// Early stopping ([`fit_stream`](super::fit_stream) only), with `fit`'s rule.
    pub early_stopping: Option<EarlyStopping>,
    /// The epochs already trained ([`fit_stream`](super::fit_stream) only; `fit`'s
    /// [`FitConfig::initial_epoch`](crate::fit::FitConfig::initial_epoch)): a run resumed from
    /// a checkpoint taken after epoch `k` trains epochs `k + 1 ..= epochs`, in the order the
    /// uninterrupted run would have shuffled them and with its augmentation.
    pub initial_epoch: usize,
    /// Early stopping's counters after epoch `initial_epoch` of the run being resumed
    /// ([`fit_stream`](super::fit_stream)(super::fit_stream) only; `fit`'s
    /// [`FitConfig::early_stopping_state`](crate::fit::FitConfig::early_stopping_state), saved
    /// from [`StreamHistory::early_stopping`](super::StreamHistory::early_stopping)); `None`
    /// starts the rule afresh.
    pub early_stopping_state: Option<EarlyStoppingState>,
}

impl StreamConfig {
    /// `epochs` epochs of batches of `batch`, shuffled with seed 0, 4 batches loaded ahead by
    /// 2 threads, no early stopping.
    pub const fn new(epochs: usize, batch: usize) -> Self {
        StreamConfig {
            epochs,
            batch,
            shuffle: true,
            seed: 0,
            prefetch: 4,
            loaders: 2,
            early_stopping: None,
            initial_epoch: 0,
            early_stopping_state: None,
        }
    }

    /// The same resuming early stopping from `state` (see
    /// [`StreamConfig::early_stopping_state`]; with [`initial_epoch`](Self::initial_epoch)).
    pub const fn resume_early_stopping(mut self, state: EarlyStoppingState) -> Self {
        self.early_stopping_state = Some(state);
        self
    }

    /// The same resuming after epoch `initial_epoch` (see [`StreamConfig::initial_epoch`]).
    pub const fn initial_epoch(mut self, initial_epoch: usize) -> Self {
        self.initial_epoch = initial_epoch;
        self
    }

    /// The same with early stopping.
    pub const fn early_stopping(mut self, early_stopping: EarlyStopping) -> Self {
        self.early_stopping = Some(early_stopping);
        self
    }

    /// The same with this seed.
    pub const fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// The same with shuffling on or off.
    pub const fn shuffle(mut self, shuffle: bool) -> Self {
        self.shuffle = shuffle;
        self
    }

    /// The same with `prefetch` batches loaded ahead by `loaders` threads (each at least 1).
    pub const fn prefetch(mut self, prefetch: usize, loaders: usize) -> Self {
        self.prefetch = prefetch;
        self.loaders = loaders;
        self
    }

    /// The most batches that exist at once while streaming (see the module documentation).
    pub const fn max_batches_in_memory(&self) -> usize {
        let loaders = if self.loaders == 0 { 1 } else { self.loaders };
        loaders * (self.prefetch.div_ceil(loaders) + 1) + 1
    }
}
