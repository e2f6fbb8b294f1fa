//! [`Trainer`]: `fit` as a builder, every type inferred from the values given.

use super::{BatchSize, Callback, Control, Data, EarlyStopping, EarlyStoppingState};
use super::{Epoch, EpochLog, FitConfig};
use super::{History, OnEpoch, Run, Scratch};
use crate::error::Error;
use crate::loss::Loss;
use crate::metrics::Metrics;
use crate::network::Network;
use crate::optim::Optimizer;
use core::marker::PhantomData;

/// The loss of a [`Trainer`] before [`Trainer::loss`] names one: it is not a [`Loss`], so
/// running a trainer without a loss is a compile error.
#[derive(Clone, Copy, Debug)]
pub struct NoLoss;

/// Keras's `model.fit(...)` as a builder: the network, optimizer and training data first,
/// then the loss and metrics as values (`.loss(CrossEntropy)`, `.metrics((Accuracy, F1))`),
/// the settings, the callbacks, and `run` (with `alloc`; [`run_with`](Trainer::run_with)
/// without a heap). Every type is inferred, the epoch
/// count is said once, and the network's shapes are checked at compile time as everywhere.
///
#[cfg_attr(feature = "alloc", doc = "```")]
#[cfg_attr(not(feature = "alloc"), doc = "```ignore")]
/// use dl_core::prelude::*;
/// use dl_core::metrics::F1;
///
/// network! {
///     struct Xor { Dense<2, 4, Tanh>, Dense<4, 1, Sigmoid> }
/// }
///
/// let xs = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]].map(SVector::<f32, 2>::from);
/// let ys = [[0.0], [1.0], [1.0], [0.0]].map(SVector::<f32, 1>::from);
/// let data = Data::new(&xs, &ys)?;
/// let mut net = Xor::<f32>::new(3);
/// let mut best_accuracy = 0.0;
/// let history = Trainer::new(&mut net, &mut Adam::new(0.05), data)
///     .loss(BinaryCrossEntropy)
///     .metrics((Accuracy, F1))
///     .epochs(1500)
///     .batch(BatchSize::Mini(2))
///     .seed(7)
///     .validation(data)
///     .early_stopping(EarlyStopping::new(50))
///     .on_epoch(|epoch, net| {
///         // Callbacks see the network: here its accuracy on one sample.
///         let right = net.forward(&xs[1])[0] > 0.5;
///         best_accuracy = epoch.val_metric().unwrap_or(0.0).max(best_accuracy);
///         if right && best_accuracy == 1.0 { Control::Stop } else { Control::Continue }
///     })
///     .run()?;
/// assert_eq!(history.metric_names(), ["accuracy", "f1"]);
/// assert_eq!(history.last().unwrap().val_metrics.unwrap().as_slice(), [1.0, 1.0]);
/// # Ok::<(), dl_core::error::Error>(())
/// ```
///
/// A trainer without a loss does not compile:
///
/// ```compile_fail
/// use dl_core::prelude::*;
/// network! { struct Net { Dense<1, 1, Identity> } }
/// let xs = [SVector::<f32, 1>::zeros()];
/// let mut net = Net::<f32>::ZERO;
/// Trainer::new(&mut net, &mut Sgd::new(0.1), Data::new(&xs, &xs).unwrap()).run();
/// ```
#[must_use = "a trainer does nothing until `run`"]
pub struct Trainer<'a, N: Network, O, L = NoLoss, M = (), C = ()> {
    net: &'a mut N,
    opt: &'a mut O,
    train: Data<'a, N::Input, N::Output>,
    validation: Option<Data<'a, N::Input, N::Output>>,
    config: FitConfig,
    callbacks: C,
    resumed_best: Option<&'a N>,
    kinds: PhantomData<(L, M)>,
}

impl<'a, N: Network, O: Optimizer<N>> Trainer<'a, N, O> {
    /// Training `net` with `opt` on `train`: Keras's defaults until told otherwise, one
    /// epoch of shuffled mini-batches of 32, seed 0, no validation data, no metric.
    pub fn new(net: &'a mut N, opt: &'a mut O, train: Data<'a, N::Input, N::Output>) -> Self {
        Trainer {
            net,
            opt,
            train,
            validation: None,
            config: FitConfig::new(1, BatchSize::Mini(32)),
            callbacks: (),
            resumed_best: None,
            kinds: PhantomData,
        }
    }
}

impl<'a, N: Network, O: Optimizer<N>, L, M, C: Callback<N>> Trainer<'a, N, O, L, M, C> {
    /// The loss minimised, e.g. `.loss(CrossEntropy)`.
    pub fn loss<L2: Loss>(self, _loss: L2) -> Trainer<'a, N, O, L2, M, C> {
        self.retype()
    }

    /// The metrics measured after every epoch: one (`.metrics(Accuracy)`) or a tuple
    /// (`.metrics((Accuracy, Precision, Recall, F1))`), in [`Epoch::val_metrics`] in order.
    pub fn metrics<M2: Metrics>(self, _metrics: M2) -> Trainer<'a, N, O, L, M2, C> {
        self.retype()
    }

    /// Adds a callback, run after those added before it.
    pub fn callback<C2: Callback<N>>(self, callback: C2) -> Trainer<'a, N, O, L, M, (C, C2)> {
        let Trainer {
            net,
            opt,
            train,
            validation,
            config,
            callbacks,
            resumed_best,
            kinds,
        } = self;
        Trainer {
            net,
            opt,
            train,
            validation,
            config,
            callbacks: (callbacks, callback),
            resumed_best,
            kinds,
        }
    }

    /// Adds a closure callback that sees each epoch's record and the network.
    pub fn on_epoch<F>(self, f: F) -> Trainer<'a, N, O, L, M, (C, OnEpoch<F>)>
    where
        F: FnMut(&Epoch<N::Scalar>, &N) -> Control,
    {
        self.callback(OnEpoch(f))
    }

    /// Trains until epoch `epochs` (from 1).
    pub fn epochs(mut self, epochs: usize) -> Self {
        self.config.epochs = epochs;
        self
    }

    /// How many samples a gradient step averages over.
    pub fn batch(mut self, batch: BatchSize) -> Self {
        self.config.batch = batch;
        self
    }

    /// The seed of the shuffling and of the Dropout masks.
    pub fn seed(mut self, seed: u64) -> Self {
        self.config.seed = seed;
        self
    }

    /// Shuffling on or off.
    pub fn shuffle(mut self, shuffle: bool) -> Self {
        self.config.shuffle = shuffle;
        self
    }

    /// Early stopping on the monitored loss.
    pub fn early_stopping(mut self, rule: EarlyStopping) -> Self {
        self.config.early_stopping = Some(rule);
        self
    }

    /// Whether the metrics are also measured on the training set after each epoch.
    pub fn train_metrics(mut self, on: bool) -> Self {
        self.config.train_metric = on;
        self
    }

    /// Resumes after epoch `epoch` ([`FitConfig::initial_epoch`]).
    pub fn initial_epoch(mut self, epoch: usize) -> Self {
        self.config.initial_epoch = epoch;
        self
    }

    /// Resumes early stopping from `state` ([`FitConfig::resume_early_stopping`]), with the
    /// best weights before the resume when the rule restores them and `state` has a best
    /// epoch (`None` is then refused with [`Error::BufferTooSmall`] by `run`;
    /// [`run_with`](Self::run_with) keeps its [`Scratch::best`](super::Scratch::best)).
    pub fn resume_early_stopping(mut self, state: EarlyStoppingState, best: Option<&'a N>) -> Self {
        self.config.early_stopping_state = Some(state);
        self.resumed_best = best;
        self
    }

    /// Every setting at once.
    pub fn config(mut self, config: FitConfig) -> Self {
        self.config = config;
        self
    }

    /// Data measured after every epoch, watched by early stopping and checkpoints.
    pub fn validation(mut self, data: Data<'a, N::Input, N::Output>) -> Self {
        self.validation = Some(data);
        self
    }

    /// The settings as they stand.
    pub fn settings(&self) -> &FitConfig {
        &self.config
    }

    fn retype<L2, M2>(self) -> Trainer<'a, N, O, L2, M2, C> {
        Trainer {
            net: self.net,
            opt: self.opt,
            train: self.train,
            validation: self.validation,
            config: self.config,
            callbacks: self.callbacks,
            resumed_best: self.resumed_best,
            kinds: PhantomData,
        }
    }
}

impl<N: Network, O: Optimizer<N>, L: Loss, M: Metrics, C: Callback<N>> Trainer<'_, N, O, L, M, C> {
    /// Trains, in the caller's memory (`scratch`, and `epochs` for the history): no heap.
    /// What [`fit_with`](super::fit_with) does, and refused for the same reasons.
    pub fn run_with<S: EpochLog<N::Scalar>>(
        self,
        scratch: Scratch<'_, N>,
        epochs: S,
    ) -> Result<History<N::Scalar, S>, Error> {
        let run = Run {
            train: self.train,
            validation: self.validation,
            config: &self.config,
            resumed_best: self.resumed_best,
        };
        run.train::<L, M, O, S, C>(self.net, self.opt, scratch, epochs, self.callbacks)
    }

    /// Trains with the scratch memory on the heap and returns the history: what
    /// [`fit`](super::fit) does, and refused for the same reasons.
    #[cfg(feature = "alloc")]
    pub fn run(self) -> Result<super::Log<N::Scalar>, Error> {
        let run = Run {
            train: self.train,
            validation: self.validation,
            config: &self.config,
            resumed_best: self.resumed_best,
        };
        run.train_on_heap::<L, M, O, C>(self.net, self.opt, self.callbacks)
    }
}
