//! The settings of a training run: epochs, batch size, shuffling, early stopping, and where a
//! resumed run starts.

/// How many samples one gradient step averages over.
///
/// ```
/// use dl_core::prelude::*;
/// assert_eq!(BatchSize::Mini(32).size(100), 32);
/// assert_eq!(BatchSize::Mini(32).size(10), 10); // never more than the samples
/// assert_eq!((BatchSize::Full.size(100), BatchSize::Stochastic.size(100)), (100, 1));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BatchSize {
    /// Every sample: batch gradient descent, one step an epoch.
    Full,
    /// One sample: stochastic gradient descent.
    Stochastic,
    /// `B` samples (the last batch of an epoch holds the remainder): mini-batch descent.
    Mini(usize),
}

impl BatchSize {
    /// The batch size for a training set of `samples` samples (never more than `samples`).
    pub fn size(self, samples: usize) -> usize {
        match self {
            BatchSize::Full => samples,
            BatchSize::Stochastic => samples.min(1),
            BatchSize::Mini(b) => b.min(samples),
        }
    }
}

/// Stop when the monitored loss has not improved for `patience` epochs. The monitored loss is
/// the validation loss, or the training loss when there is no validation data.
///
/// ```
/// use dl_core::prelude::*;
/// // Keras's EarlyStopping(patience=5, min_delta=1e-3, restore_best_weights=True).
/// let rule = EarlyStopping { min_delta: 1e-3, ..EarlyStopping::new(5) };
/// let config = FitConfig::new(200, BatchSize::Mini(16)).early_stopping(rule);
/// assert!(config.early_stopping.is_some_and(|e| e.restore_best));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EarlyStopping {
    /// Epochs without improvement before stopping.
    pub patience: usize,
    /// The smallest decrease that counts as an improvement.
    pub min_delta: f64,
    /// Whether to hand back the weights of the best epoch (when training stops early, and at
    /// the end of training if the last epoch was not the best). Needs
    /// [`Scratch::best`](super::Scratch::best).
    pub restore_best: bool,
}

impl EarlyStopping {
    /// Early stopping with this patience, any decrease counting, restoring the best weights.
    pub const fn new(patience: usize) -> Self {
        EarlyStopping {
            patience,
            min_delta: 0.0,
            restore_best: true,
        }
    }
}

/// The settings of one training run (Keras's `fit` arguments).
///
/// ```
/// use dl_core::prelude::*;
/// let config = FitConfig::new(100, BatchSize::Mini(16)).seed(7).train_metric(true);
/// assert_eq!((config.epochs, config.shuffle, config.remaining_epochs()), (100, true, 100));
/// // Resuming after epoch 40 of the same run: epochs 41..=100, shuffled as they would have been.
/// assert_eq!(config.initial_epoch(40).remaining_epochs(), 60);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FitConfig {
    /// The epoch training ends after (counted from 1, as Keras's `epochs`).
    pub epochs: usize,
    /// How many samples a gradient step averages over.
    pub batch: BatchSize,
    /// Whether to reshuffle the training samples before every epoch.
    pub shuffle: bool,
    /// The seed of the shuffling and of the Dropout masks (each epoch's masks restart from
    /// this seed and the epoch number).
    pub seed: u64,
    /// Early stopping, if any.
    pub early_stopping: Option<EarlyStopping>,
    /// Whether to evaluate the metrics on the training set after every epoch (one extra
    /// forward pass over it); otherwise [`Epoch::train_metrics`](super::Epoch::train_metrics)
    /// is `None`.
    pub train_metric: bool,
    /// The epochs already trained (Keras's `initial_epoch`): a run resumed from a checkpoint
    /// taken after epoch `k` trains epochs `k + 1 ..= epochs`, shuffling them as the
    /// uninterrupted run would have and drawing the Dropout masks it would have drawn.
    pub initial_epoch: usize,
    /// A resumed run's early-stopping counters after epoch `initial_epoch`
    /// ([`EarlyStoppingState`](super::EarlyStoppingState), saved with the checkpoint); `None`
    /// starts the rule afresh. With `restore_best` and a best epoch, the best weights must be
    /// given too: in [`Scratch::best`](super::Scratch::best) for `fit_with`, through
    /// [`Trainer::resume_early_stopping`](super::Trainer::resume_early_stopping) otherwise.
    pub early_stopping_state: Option<super::EarlyStoppingState>,
}

impl FitConfig {
    /// `epochs` epochs of `batch`-sized steps, shuffled with seed 0, no early stopping.
    pub const fn new(epochs: usize, batch: BatchSize) -> Self {
        FitConfig {
            epochs,
            batch,
            shuffle: true,
            seed: 0,
            early_stopping: None,
            train_metric: false,
            initial_epoch: 0,
            early_stopping_state: None,
        }
    }

    /// The same with this shuffling seed.
    pub const fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// The same with shuffling on or off.
    pub const fn shuffle(mut self, shuffle: bool) -> Self {
        self.shuffle = shuffle;
        self
    }

    /// The same with early stopping.
    pub const fn early_stopping(mut self, early_stopping: EarlyStopping) -> Self {
        self.early_stopping = Some(early_stopping);
        self
    }

    /// The same with the metrics also measured on the training set.
    pub const fn train_metric(mut self, train_metric: bool) -> Self {
        self.train_metric = train_metric;
        self
    }

    /// The same resuming after epoch `initial_epoch` (see [`FitConfig::initial_epoch`]).
    pub const fn initial_epoch(mut self, initial_epoch: usize) -> Self {
        self.initial_epoch = initial_epoch;
        self
    }

    /// The same resuming early stopping from `state` (see
    /// [`FitConfig::early_stopping_state`]).
    pub const fn resume_early_stopping(mut self, state: super::EarlyStoppingState) -> Self {
        self.early_stopping_state = Some(state);
        self
    }

    /// How many epochs this run trains (at most).
    pub const fn remaining_epochs(&self) -> usize {
        self.epochs.saturating_sub(self.initial_epoch)
    }

    /// Whether samples are gathered into the batch buffers (shuffled, and more than one batch).
    pub(crate) fn gathers(&self, samples: usize) -> bool {
        self.shuffle && self.batch.size(samples) < samples
    }
}
