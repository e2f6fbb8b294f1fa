//! `fit` / `evaluate` / `predict` in the shape Keras made familiar, without a heap.
//!
//! [`fit_with`] trains for a number of epochs over a training set in batches of a chosen size:
//! the whole set ([`BatchSize::Full`], batch gradient descent), one sample ([`BatchSize::Stochastic`])
//! or `B` samples ([`BatchSize::Mini`]). Each epoch reshuffles the samples with a seeded
//! [`Rng`], and each batch goes through [`train_batch`], which averages the
//! gradient over the batch, so whatever makes `train_batch` faster makes `fit` faster. At the
//! end of each epoch it calls the optimizer's
//! [`end_epoch`](crate::optim::OptimizerBase::end_epoch), which advances per-epoch schedules.
//! After every epoch it evaluates the optional validation data, calls a callback, records an
//! [`Epoch`] in a [`History`], and applies early stopping.
//!
//! All memory is the caller's: a [`Scratch`] holds the index buffer for shuffling, the batch
//! buffers the shuffled samples are gathered into, a checkpoint copy of the network and, for
//! early stopping, a copy of the best weights; the history's epochs go to a slice of the
//! caller's ([`EpochLog`]). With the `std` feature, `fit` allocates them, builds the copies in
//! place on the heap, and returns a history that grows with the epochs.
//!
//! Divergence is caught: if a batch's loss or gradient is NaN or infinite, or its update would
//! make a weight or the optimizer's state non-finite, training stops with [`Error::Diverged`]
//! naming the epoch and batch, and the weights are those before that batch ([`train_batch`]
//! refuses such a step whole). Should the weights still be non-finite after a step, they go
//! back to the checkpoint taken at the start of the epoch. No NaN weight is ever handed back.
//!
//! ```
//! use dl_core::prelude::*;
//!
//! network! {
//!     struct Xor { Dense<2, 4, Tanh>, Dense<4, 1, Sigmoid> }
//! }
//!
//! let xs = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]].map(SVector::<f32, 2>::from);
//! let ys = [[0.0], [1.0], [1.0], [0.0]].map(SVector::<f32, 1>::from);
//! let data = Data::new(&xs, &ys)?;
//!
//! // Every byte of memory is here, on the stack: no heap anywhere.
//! let mut net = Xor::<f32>::new(3);
//! let (mut checkpoint, mut best) = (Xor::<f32>::ZERO, Xor::<f32>::ZERO);
//! let mut ws = Workspace::new();
//! let (mut order, mut bx, mut by) = ([0; 4], [SVector::zeros(); 2], [SVector::zeros(); 2]);
//! let mut epochs = [Epoch::BLANK; 1500];
//! let scratch = Scratch {
//!     workspace: &mut ws,
//!     order: &mut order,
//!     batch_inputs: &mut bx,
//!     batch_targets: &mut by,
//!     checkpoint: &mut checkpoint,
//!     best: Some(&mut best),
//! };
//! let config = FitConfig::new(1500, BatchSize::Mini(2))
//!     .seed(7)
//!     .early_stopping(EarlyStopping::new(50));
//! let history = fit_with::<BinaryCrossEntropy, Accuracy, _, _, _>(
//!     &mut net, &mut Adam::new(0.05), data, None, &config, scratch, &mut epochs[..], keep_going,
//! )?;
//! let result = evaluate::<BinaryCrossEntropy, Accuracy, _>(&net, data);
//! assert_eq!(result.metric, 1.0, "after {} epochs", history.len());
//! # Ok::<(), dl_core::error::Error>(())
//! ```

use crate::error::{Divergence, Error};
use crate::float::Float;
use crate::loss::Loss;
use crate::metrics::{Metric, MetricState};
use crate::network::{Network, Vector};
use crate::optim::Optimizer;
use crate::rng::Rng;
use crate::stack::ByValue;
use crate::train::{train_batch, Workspace};
use core::marker::PhantomData;

/// How many samples one gradient step averages over.
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
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EarlyStopping {
    /// Epochs without improvement before stopping.
    pub patience: usize,
    /// The smallest decrease that counts as an improvement.
    pub min_delta: f64,
    /// Whether to hand back the weights of the best epoch (when training stops early, and at
    /// the end of training if the last epoch was not the best). Needs [`Scratch::best`].
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

/// The settings of one [`fit_with`] call (Keras's `fit` arguments).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FitConfig {
    /// How many passes over the training set.
    pub epochs: usize,
    /// How many samples a gradient step averages over.
    pub batch: BatchSize,
    /// Whether to reshuffle the training samples before every epoch.
    pub shuffle: bool,
    /// The seed of the shuffling.
    pub seed: u64,
    /// Early stopping, if any.
    pub early_stopping: Option<EarlyStopping>,
    /// Whether to evaluate the metric on the training set after every epoch (one extra
    /// forward pass over it); otherwise [`Epoch::train_metric`] is `None`.
    pub train_metric: bool,
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

    /// The same with the metric also measured on the training set.
    pub const fn train_metric(mut self, train_metric: bool) -> Self {
        self.train_metric = train_metric;
        self
    }

    /// Whether samples are gathered into the batch buffers (shuffled, and more than one batch).
    fn gathers(&self, samples: usize) -> bool {
        self.shuffle && self.batch.size(samples) < samples
    }
}

/// Inputs and their targets, checked to be equal in number, not empty, and finite.
#[derive(Debug)]
pub struct Data<'a, X, Y> {
    inputs: &'a [X],
    targets: &'a [Y],
}

impl<X, Y> Clone for Data<'_, X, Y> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<X, Y> Copy for Data<'_, X, Y> {}

impl<'a, X, Y> Data<'a, X, Y> {
    /// Pairs `inputs[i]` with `targets[i]`.
    ///
    /// Errors: [`Error::BatchMismatch`] if the counts differ, [`Error::EmptyBatch`] if there
    /// are none, [`Error::NonFinite`] (`"input"` or `"target"`, with the sample's index) if a
    /// value is NaN or infinite.
    pub fn new<T: Float>(inputs: &'a [X], targets: &'a [Y]) -> Result<Self, Error>
    where
        X: Vector<T>,
        Y: Vector<T>,
    {
        if inputs.len() != targets.len() {
            return Err(Error::BatchMismatch {
                inputs: inputs.len(),
                targets: targets.len(),
            });
        }
        if inputs.is_empty() {
            return Err(Error::EmptyBatch);
        }
        let finite = |v: &[T]| v.iter().all(|x| x.finite());
        if let Some(index) = inputs.iter().position(|x| !finite(x.as_slice())) {
            return Err(Error::NonFinite {
                what: "input",
                index,
            });
        }
        if let Some(index) = targets.iter().position(|y| !finite(y.as_slice())) {
            return Err(Error::NonFinite {
                what: "target",
                index,
            });
        }
        Ok(Data { inputs, targets })
    }

    /// The inputs.
    pub fn inputs(&self) -> &'a [X] {
        self.inputs
    }

    /// The targets.
    pub fn targets(&self) -> &'a [Y] {
        self.targets
    }

    /// The number of samples (never 0).
    pub fn len(&self) -> usize {
        self.inputs.len()
    }

    /// Always `false`: [`Data::new`] refuses empty data.
    pub fn is_empty(&self) -> bool {
        self.inputs.is_empty()
    }
}

/// A network's mean loss and a metric over a data set.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Evaluation<T> {
    /// The loss averaged over the samples.
    pub loss: T,
    /// The metric over the samples.
    pub metric: T,
}

/// What one epoch measured.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Epoch<T> {
    /// The epoch, counted from 1.
    pub epoch: usize,
    /// The training loss averaged over the epoch's batches (weighted by batch size), each
    /// measured before its update, as Keras reports it.
    pub train_loss: T,
    /// The metric on the training set after the epoch, if [`FitConfig::train_metric`].
    pub train_metric: Option<T>,
    /// The loss on the validation data after the epoch, if there is any.
    pub val_loss: Option<T>,
    /// The metric on the validation data after the epoch, if there is any.
    pub val_metric: Option<T>,
}

impl<T: Float> Epoch<T> {
    /// An epoch not yet trained (epoch 0, zero loss): fills the caller's history slice.
    pub const BLANK: Self = Epoch {
        epoch: 0,
        train_loss: T::ZERO,
        train_metric: None,
        val_loss: None,
        val_metric: None,
    };
}

/// What the callback tells [`fit_with`] after an epoch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Control {
    /// Go on training.
    Continue,
    /// Stop after this epoch.
    Stop,
}

/// A callback that never stops training.
pub fn keep_going<T>(_: &Epoch<T>) -> Control {
    Control::Continue
}

/// Where a [`History`] keeps its epochs: a slice of the caller's (any capacity, no heap; a
/// run longer than it is refused before training), or, with the `alloc` feature, a `Vec`
/// that grows with the epochs.
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

/// The history `fit` (with `std`) returns: its epochs in a `Vec` that grows with them.
#[cfg(feature = "alloc")]
pub type Log<T> = History<T, alloc::vec::Vec<Epoch<T>>>;

/// The per-epoch record of a training run, its epochs kept in `S` (see [`EpochLog`]).
#[derive(Clone, Debug)]
pub struct History<T, S> {
    epochs: S,
    len: usize,
    best_epoch: Option<usize>,
    stopped_early: bool,
    loss: &'static str,
    metric: &'static str,
    scalar: PhantomData<T>,
}

impl<T: Float, S: EpochLog<T>> History<T, S> {
    fn new(epochs: S, loss: &'static str, metric: &'static str) -> Self {
        History {
            epochs,
            len: 0,
            best_epoch: None,
            stopped_early: false,
            loss,
            metric,
            scalar: PhantomData,
        }
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

    /// Whether early stopping or the callback ended training before the last epoch.
    pub fn stopped_early(&self) -> bool {
        self.stopped_early
    }

    /// The loss's name.
    pub fn loss_name(&self) -> &'static str {
        self.loss
    }

    /// The metric's name.
    pub fn metric_name(&self) -> &'static str {
        self.metric
    }
}

/// The memory [`fit_with`] works in, all of it the caller's.
pub struct Scratch<'a, N: Network> {
    /// The forward cache and gradient accumulator.
    pub workspace: &'a mut Workspace<N>,
    /// The shuffled sample order: at least as long as the training set when shuffling with
    /// more than one batch an epoch, otherwise unused (may be empty).
    pub order: &'a mut [usize],
    /// Where a shuffled batch's inputs are gathered: at least the batch size when shuffling
    /// with more than one batch an epoch, otherwise unused.
    pub batch_inputs: &'a mut [N::Input],
    /// Where a shuffled batch's targets are gathered, like `batch_inputs`.
    pub batch_targets: &'a mut [N::Output],
    /// The weights at the start of the current epoch, to go back to if an update produces
    /// non-finite weights.
    pub checkpoint: &'a mut N,
    /// The best epoch's weights, needed by early stopping with `restore_best`.
    pub best: Option<&'a mut N>,
}

fn need(what: &'static str, needed: usize, found: usize) -> Result<(), Error> {
    if found < needed {
        Err(Error::BufferTooSmall {
            what,
            needed,
            found,
        })
    } else {
        Ok(())
    }
}

/// Trains `net` with `opt` on `train` under `config`, in the caller's memory (`scratch`), and
/// returns the per-epoch [`History`], its epochs kept in `epochs` (a slice of the caller's:
/// `&mut buffer[..]`). `L` is the loss minimised and `M` the metric reported. After each epoch
/// `on_epoch` sees what it measured and may stop training.
///
/// Errors: [`Error::BufferTooSmall`] if `epochs` holds fewer than `config.epochs` epochs or a
/// scratch buffer is too short
/// (or `best` is missing when early stopping restores the best weights);
/// [`Error::EmptyBatch`] for a batch size of 0; [`Error::NonFinite`] if the initial weights
/// are not finite; [`Error::Diverged`] if training diverges (see the module documentation).
#[allow(clippy::too_many_arguments)]
pub fn fit_with<L: Loss, M: Metric, N: Network, O: Optimizer<N>, S: EpochLog<N::Scalar>>(
    net: &mut N,
    opt: &mut O,
    train: Data<'_, N::Input, N::Output>,
    validation: Option<Data<'_, N::Input, N::Output>>,
    config: &FitConfig,
    scratch: Scratch<'_, N>,
    epochs: S,
    mut on_epoch: impl FnMut(&Epoch<N::Scalar>) -> Control,
) -> Result<History<N::Scalar, S>, Error> {
    let n = train.len();
    let size = config.batch.size(n);
    let gathers = config.gathers(n);
    if let Some(capacity) = epochs.capacity() {
        need("history", config.epochs, capacity)?;
    }
    if size == 0 {
        return Err(Error::EmptyBatch);
    }
    if gathers {
        need("shuffle index buffer", n, scratch.order.len())?;
        need("batch input buffer", size, scratch.batch_inputs.len())?;
        need("batch target buffer", size, scratch.batch_targets.len())?;
    }
    let restore_best = config.early_stopping.is_some_and(|e| e.restore_best);
    if restore_best && scratch.best.is_none() {
        return Err(Error::BufferTooSmall {
            what: "best-weights copy",
            needed: 1,
            found: 0,
        });
    }
    if !net.all_finite() {
        return Err(Error::NonFinite {
            what: "initial weights",
            index: 0,
        });
    }

    let Scratch {
        workspace: ws,
        order,
        batch_inputs,
        batch_targets,
        checkpoint,
        mut best,
    } = scratch;
    let mut rng = Rng::new(config.seed);
    let mut history = History::new(epochs, L::NAME, M::NAME);
    let mut best_loss = f64::INFINITY;
    let mut waited = 0;

    for epoch in 1..=config.epochs {
        checkpoint.copy_from(net);
        if gathers {
            for (i, slot) in order[..n].iter_mut().enumerate() {
                *slot = i;
            }
            rng.shuffle(&mut order[..n]);
        }

        let mut total = 0.0;
        for (batch, start) in (0..n).step_by(size).enumerate() {
            let end = (start + size).min(n);
            let result = if gathers {
                let (xs, ys) = (
                    &mut batch_inputs[..end - start],
                    &mut batch_targets[..end - start],
                );
                // Copied element by element: a `clone` may pass through the stack.
                for ((x, y), &i) in xs.iter_mut().zip(ys.iter_mut()).zip(&order[start..end]) {
                    x.as_mut_slice().copy_from_slice(train.inputs[i].as_slice());
                    y.as_mut_slice()
                        .copy_from_slice(train.targets[i].as_slice());
                }
                train_batch::<N, L, O>(net, opt, xs, ys, ws)
            } else {
                let (xs, ys) = (&train.inputs[start..end], &train.targets[start..end]);
                train_batch::<N, L, O>(net, opt, xs, ys, ws)
            };
            let diverged = |what| Error::Diverged {
                epoch,
                batch: batch + 1,
                what,
            };
            match result {
                Ok(loss) => total += loss.as_f64() * (end - start) as f64,
                // `train_batch` did not update: the weights are the last (checked) finite ones.
                Err(Error::NonFiniteLoss) => return Err(diverged(Divergence::Loss)),
                Err(Error::NonFiniteGradient) => return Err(diverged(Divergence::Gradient)),
                Err(Error::NonFiniteUpdate { .. }) => return Err(diverged(Divergence::Update)),
                Err(e) => return Err(e),
            }
            if !net.all_finite() {
                net.copy_from(checkpoint);
                return Err(diverged(Divergence::Weights));
            }
        }

        // Per-epoch learning-rate schedules advance here.
        opt.end_epoch();

        let measure = |data: Data<'_, N::Input, N::Output>, ws: &mut Workspace<N>| {
            evaluate_with::<L, M, N>(net, data, &mut ws.cache)
        };
        let train_metric = if config.train_metric {
            Some(measure(train, ws).metric)
        } else {
            None
        };
        let val = validation.map(|data| measure(data, ws));
        let record = Epoch {
            epoch,
            train_loss: N::Scalar::cast(total / n as f64),
            train_metric,
            val_loss: val.map(|v| v.loss),
            val_metric: val.map(|v| v.metric),
        };
        history.epochs.record(epoch - 1, record);
        history.len = epoch;
        let mut stop = on_epoch(&record) == Control::Stop;

        if let Some(rule) = config.early_stopping {
            let monitored = record.val_loss.unwrap_or(record.train_loss).as_f64();
            if monitored.is_finite() && monitored < best_loss - rule.min_delta {
                best_loss = monitored;
                waited = 0;
                history.best_epoch = Some(epoch);
                if let Some(best) = best.as_deref_mut() {
                    best.copy_from(net);
                }
            } else {
                waited += 1;
                stop |= waited >= rule.patience;
            }
        }
        if stop {
            history.stopped_early = epoch < config.epochs;
            break;
        }
    }

    if let (true, Some(best), Some(best_epoch)) = (restore_best, best, history.best_epoch) {
        if best_epoch != history.len {
            net.copy_from(best);
        }
    }
    Ok(history)
}

/// [`fit_with`] with its scratch memory on the heap, the network copies built there in place
/// (no network-sized temporary on the stack), and a history that grows with the epochs.
#[cfg(feature = "alloc")]
pub fn fit<L: Loss, M: Metric, N: Network, O: Optimizer<N>>(
    net: &mut N,
    opt: &mut O,
    train: Data<'_, N::Input, N::Output>,
    validation: Option<Data<'_, N::Input, N::Output>>,
    config: &FitConfig,
    on_epoch: impl FnMut(&Epoch<N::Scalar>) -> Control,
) -> Result<Log<N::Scalar>, Error> {
    use crate::zeroed::{boxed, boxed_slice};

    let n = train.len();
    let (order_len, batch_len) = if config.gathers(n) {
        (n, config.batch.size(n))
    } else {
        (0, 0)
    };
    let mut workspace = Workspace::<N>::boxed();
    let mut order = alloc::vec![0usize; order_len];
    let mut batch_inputs = boxed_slice::<N::Input>(batch_len);
    let mut batch_targets = boxed_slice::<N::Output>(batch_len);
    let mut checkpoint = boxed::<N>();
    let mut best = config
        .early_stopping
        .filter(|e| e.restore_best)
        .map(|_| boxed::<N>());
    let scratch = Scratch {
        workspace: &mut workspace,
        order: &mut order,
        batch_inputs: &mut batch_inputs,
        batch_targets: &mut batch_targets,
        checkpoint: &mut checkpoint,
        best: best.as_deref_mut(),
    };
    let epochs = alloc::vec::Vec::new();
    fit_with::<L, M, N, O, _>(
        net, opt, train, validation, config, scratch, epochs, on_epoch,
    )
}

/// The mean loss `L` and the metric `M` of `net` on `data`, using `cache` (the caller's, e.g.
/// a workspace's) for the forward passes; the loss is computed from the pre-activations, as
/// in training. The form of [`evaluate`] that runs for any size without a heap.
pub fn evaluate_with<L: Loss, M: Metric, N: Network>(
    net: &N,
    data: Data<'_, N::Input, N::Output>,
    cache: &mut N::Cache,
) -> Evaluation<N::Scalar> {
    let mut metric = M::State::<N::Scalar, N::Output>::new();
    let mut total = 0.0;
    for (x, y) in data.inputs.iter().zip(data.targets) {
        net.forward_eval(x, cache);
        total += N::loss::<L>(cache, y).as_f64();
        metric.add(N::output(cache), y);
    }
    Evaluation {
        loss: N::Scalar::cast(total / data.len() as f64),
        metric: metric.value(),
    }
}

/// The mean loss `L` and the metric `M` of `net` on `data` (Keras's `evaluate`). Its cache
/// ([`EVALUATE_STACK_BYTES`](Network::EVALUATE_STACK_BYTES)) is on the stack under the
/// [stack budget](crate::stack), on the heap over it (with `alloc`; without, use
/// [`evaluate_with`]).
pub fn evaluate<L: Loss, M: Metric, N: Network + ByValue>(
    net: &N,
    data: Data<'_, N::Input, N::Output>,
) -> Evaluation<N::Scalar> {
    #[cfg(feature = "alloc")]
    if N::EVALUATE_STACK_BYTES > N::STACK_BUDGET {
        return evaluate_with::<L, M, N>(net, data, &mut crate::scratch::cache::<N>());
    }
    evaluate_on_stack::<L, M, N>(net, data)
}

/// [`evaluate`] with its cache on the stack: a function of its own, so that its frame is
/// only entered under the budget.
fn evaluate_on_stack<L: Loss, M: Metric, N: Network>(
    net: &N,
    data: Data<'_, N::Input, N::Output>,
) -> Evaluation<N::Scalar> {
    let mut cache = N::CACHE_ZERO;
    evaluate_with::<L, M, N>(net, data, &mut cache)
}

/// Writes `net`'s output for each of `inputs` into `outputs` (Keras's `predict`), through
/// [`Network::forward`]; over the stack budget (with `alloc`) all samples share one heap
/// cache.
///
/// Errors: [`Error::Length`] if `outputs` is not as long as `inputs`.
pub fn predict<N: Network + ByValue>(
    net: &N,
    inputs: &[N::Input],
    outputs: &mut [N::Output],
) -> Result<(), Error> {
    #[cfg(feature = "alloc")]
    if N::FORWARD_STACK_BYTES > N::STACK_BUDGET {
        return predict_with(net, inputs, outputs, &mut crate::scratch::cache::<N>());
    }
    same_length(inputs, outputs)?;
    for (x, y) in inputs.iter().zip(outputs) {
        *y = net.forward(x);
    }
    Ok(())
}

/// [`predict`] with the forward passes in `cache`, the caller's: any size, no heap.
///
/// Errors: [`Error::Length`] if `outputs` is not as long as `inputs`.
pub fn predict_with<N: Network>(
    net: &N,
    inputs: &[N::Input],
    outputs: &mut [N::Output],
    cache: &mut N::Cache,
) -> Result<(), Error> {
    same_length(inputs, outputs)?;
    for (x, y) in inputs.iter().zip(outputs) {
        net.forward_eval(x, cache);
        y.as_mut_slice()
            .copy_from_slice(N::output(cache).as_slice());
    }
    Ok(())
}

fn same_length<X, Y>(inputs: &[X], outputs: &[Y]) -> Result<(), Error> {
    if inputs.len() != outputs.len() {
        return Err(Error::Length {
            what: "output buffer",
            expected: inputs.len(),
            found: outputs.len(),
        });
    }
    Ok(())
}

/// `net`'s output for each of `inputs`, in a new vector ([`predict`] into it).
#[cfg(feature = "alloc")]
pub fn predict_all<N: Network + ByValue>(
    net: &N,
    inputs: &[N::Input],
) -> alloc::vec::Vec<N::Output> {
    let mut outputs = crate::zeroed::boxed_slice::<N::Output>(inputs.len()).into_vec();
    // The lengths agree by construction.
    let _ = predict(net, inputs, &mut outputs);
    outputs
}
