//! What a training run measured: one [`Epoch`] an epoch, kept in a [`History`].

use super::EarlyStoppingState;
use crate::float::Float;
use core::marker::PhantomData;

/// The most metrics one run measures together: the longest metric tuple
/// ([`Metrics`](crate::metrics::Metrics) is implemented up to 7).
pub const MAX_METRICS: usize = 7;

/// The values of a run's metrics after one epoch, in the order the run names them
/// ([`History::metric_names`]): a fixed array, no heap.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MetricValues<T> {
    values: [T; MAX_METRICS],
    len: usize,
}

impl<T: Float> MetricValues<T> {
    /// The first `MAX_METRICS` of `values`.
    pub fn from_slice(values: &[T]) -> Self {
        let len = values.len().min(MAX_METRICS);
        let mut all = [T::ZERO; MAX_METRICS];
        all[..len].copy_from_slice(&values[..len]);
        MetricValues { values: all, len }
    }

    /// The values, one a metric.
    pub fn as_slice(&self) -> &[T] {
        &self.values[..self.len]
    }

    /// The first metric's value (the one progress bars and charts show), if there is one.
    pub fn first(&self) -> Option<T> {
        self.as_slice().first().copied()
    }
}

/// What one epoch measured.
///
/// ```
/// use dl_core::prelude::*;
/// let e = Epoch { epoch: 3, train_loss: 0.5, val_loss: Some(0.7), ..Epoch::<f32>::BLANK };
/// assert_eq!(e.monitored_loss(), 0.7); // what early stopping watches: validation first
/// assert_eq!((e.train_metric(), e.val_metric()), (None, None));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Epoch<T> {
    /// The epoch, counted from 1.
    pub epoch: usize,
    /// The training loss averaged over the epoch's batches (weighted by batch size), each
    /// measured before its update, as Keras reports it.
    pub train_loss: T,
    /// The metrics on the training set after the epoch, if
    /// [`FitConfig::train_metric`](super::FitConfig::train_metric).
    pub train_metrics: Option<MetricValues<T>>,
    /// The loss on the validation data after the epoch, if there is any.
    pub val_loss: Option<T>,
    /// The metrics on the validation data after the epoch, if there is any.
    pub val_metrics: Option<MetricValues<T>>,
}

impl<T: Float> Epoch<T> {
    /// An epoch not yet trained (epoch 0, zero loss): fills the caller's history slice.
    pub const BLANK: Self = Epoch {
        epoch: 0,
        train_loss: T::ZERO,
        train_metrics: None,
        val_loss: None,
        val_metrics: None,
    };

    /// The first metric on the training set, if it was measured.
    pub fn train_metric(&self) -> Option<T> {
        self.train_metrics.and_then(|m| m.first())
    }

    /// The first metric on the validation data, if there is any.
    pub fn val_metric(&self) -> Option<T> {
        self.val_metrics.and_then(|m| m.first())
    }

    /// The loss early stopping and checkpoints watch: the validation loss, or the training
    /// loss when there is no validation data.
    pub fn monitored_loss(&self) -> T {
        self.val_loss.unwrap_or(self.train_loss)
    }
}

/// Where a [`History`] keeps its epochs: a slice of the caller's (any capacity, no heap; a
/// run longer than it is refused before training), or, with the `alloc` feature, a `Vec`
/// that grows with the epochs.
///
/// ```
/// use dl_core::prelude::*;
/// // A slice of the caller's holds a fixed number of epochs without a heap.
/// let mut buffer = [Epoch::<f32>::BLANK; 3];
/// let mut log = &mut buffer[..];
/// assert_eq!(log.capacity(), Some(3));
/// log.record(0, Epoch { epoch: 1, train_loss: 0.5, ..Epoch::BLANK });
/// assert_eq!(log.held()[0].train_loss, 0.5);
/// ```
pub trait EpochLog<T> {
    /// How many epochs fit, or `None` if it grows.
    fn capacity(&self) -> Option<usize>;
    /// Records epoch number `index` (from 0; `index` is the number already recorded).
    fn record(&mut self, index: usize, epoch: Epoch<T>);
    /// The epochs held (the recorded ones first).
    fn held(&self) -> &[Epoch<T>];
}

impl<T> EpochLog<T> for &mut [Epoch<T>] {
    fn capacity(&self) -> Option<usize> {
        Some(self.len())
    }
    fn record(&mut self, index: usize, epoch: Epoch<T>) {
        self[index] = epoch;
    }
    fn held(&self) -> &[Epoch<T>] {
        self
    }
}

#[cfg(feature = "alloc")]
impl<T> EpochLog<T> for alloc::vec::Vec<Epoch<T>> {
    fn capacity(&self) -> Option<usize> {
        None
    }
    fn record(&mut self, index: usize, epoch: Epoch<T>) {
        self.truncate(index);
        self.push(epoch);
    }
    fn held(&self) -> &[Epoch<T>] {
        self
    }
}

/// The history `fit` (with `alloc`) returns: its epochs in a `Vec` that grows with them.
///
/// ```
/// use dl_core::prelude::*;
/// network! { struct Line { Dense<1, 1, Identity> } }
/// let xs = [[0.0], [1.0]].map(SVector::<f64, 1>::from);
/// let ys = [[1.0], [3.0]].map(SVector::<f64, 1>::from);
/// let mut net = Line::<f64>::new(1);
/// let log: Log<f64> = Trainer::new(&mut net, &mut Sgd::new(0.1), Data::new(&xs, &ys)?)
///     .loss(Mse)
///     .epochs(5)
///     .batch(BatchSize::Full)
///     .run()?;
/// assert_eq!(log.len(), 5);
/// assert_eq!(log.epochs().iter().map(|e| e.epoch).collect::<Vec<_>>(), [1, 2, 3, 4, 5]);
/// # Ok::<(), dl_core::error::Error>(())
/// ```
#[cfg(feature = "alloc")]
pub type Log<T> = History<T, alloc::vec::Vec<Epoch<T>>>;

/// The per-epoch record of a training run, its epochs kept in `S` (see [`EpochLog`]).
///
#[cfg_attr(feature = "alloc", doc = "```")]
#[cfg_attr(not(feature = "alloc"), doc = "```ignore")]
/// use dl_core::prelude::*;
/// network! { struct Xor { Dense<2, 4, Tanh>, Dense<4, 1, Sigmoid> } }
/// let xs = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]].map(SVector::<f32, 2>::from);
/// let ys = [[0.0], [1.0], [1.0], [0.0]].map(SVector::<f32, 1>::from);
/// let data = Data::new(&xs, &ys)?;
/// let history = Trainer::new(&mut Xor::<f32>::new(3), &mut Adam::new(0.05), data)
///     .loss(BinaryCrossEntropy)
///     .metrics((Accuracy, Recall))
///     .epochs(400)
///     .batch(BatchSize::Full)
///     .validation(data)
///     .run()?;
/// assert_eq!((history.len(), history.loss_name()), (400, "binary cross-entropy"));
/// assert_eq!(history.metric_names(), ["accuracy", "recall"]);
/// let accuracy: Vec<Option<f32>> = history.val_series("accuracy").collect();
/// assert_eq!(accuracy[399], history.last().unwrap().val_metric());
/// # Ok::<(), dl_core::error::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct History<T, S> {
    epochs: S,
    len: usize,
    pub(super) best_epoch: Option<usize>,
    pub(super) stopped_early: bool,
    pub(super) early_stopping: Option<EarlyStoppingState>,
    loss: &'static str,
    metrics: &'static [&'static str],
    scalar: PhantomData<T>,
}

impl<T: Float, S: EpochLog<T>> History<T, S> {
    pub(super) fn new(epochs: S, loss: &'static str, metrics: &'static [&'static str]) -> Self {
        History {
            epochs,
            len: 0,
            best_epoch: None,
            stopped_early: false,
            early_stopping: None,
            loss,
            metrics,
            scalar: PhantomData,
        }
    }

    /// Appends an epoch's record.
    pub(super) fn push(&mut self, record: Epoch<T>) {
        self.epochs.record(self.len, record);
        self.len += 1;
    }

    /// Every epoch trained, in order.
    pub fn epochs(&self) -> &[Epoch<T>] {
        &self.epochs.held()[..self.len]
    }

    /// The last epoch trained.
    pub fn last(&self) -> Option<&Epoch<T>> {
        self.epochs().last()
    }

    /// The number of epochs trained.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no epoch was trained.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// With early stopping: the epoch (from 1) with the lowest monitored loss.
    pub fn best_epoch(&self) -> Option<usize> {
        self.best_epoch
    }

    /// With early stopping: its counters after the last epoch trained, what a run resumed
    /// from that epoch needs ([`FitConfig::resume_early_stopping`](super::FitConfig::resume_early_stopping)).
    pub fn early_stopping(&self) -> Option<EarlyStoppingState> {
        self.early_stopping
    }

    /// Whether early stopping or a callback ended training before the last epoch.
    pub fn stopped_early(&self) -> bool {
        self.stopped_early
    }

    /// The loss's name.
    pub fn loss_name(&self) -> &'static str {
        self.loss
    }

    /// The first metric's name (the one [`Epoch::val_metric`] gives), or `""` with none.
    pub fn metric_name(&self) -> &'static str {
        self.metrics.first().copied().unwrap_or("")
    }

    /// Every metric's name, in the order of [`MetricValues::as_slice`].
    pub fn metric_names(&self) -> &'static [&'static str] {
        self.metrics
    }

    /// Metric `name`'s value on the validation data after each epoch (`None` where it was not
    /// measured, and for every epoch if the run has no such metric).
    pub fn val_series(&self, name: &str) -> impl Iterator<Item = Option<T>> + use<'_, T, S> {
        let index = self.metrics.iter().position(|m| *m == name);
        self.epochs().iter().map(move |e| {
            let values = e.val_metrics?;
            values.as_slice().get(index?).copied()
        })
    }
}
