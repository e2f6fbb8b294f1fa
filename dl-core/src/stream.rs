//! Data larger than memory: samples loaded on demand from a [`Source`], decoded ahead on
//! background threads into a bounded number of batch buffers, and fed to the data-parallel
//! [`Parallel`] engine.
//!
//! [`fit_stream`], [`evaluate_stream`] and [`predict_stream`] are `fit`, `evaluate` and
//! `predict` for a source that need not fit in memory (an image folder, `images::ImageFolder` with the `images` feature, or
//! any type implementing [`Source`]); in-memory [`Data`] streams through [`InMemory`].
//!
//! **Memory.** `loaders` threads each fill batches `k, k + loaders, ...` of the epoch's order
//! and queue them, at most `ceil(prefetch / loaders)` each; the training loop takes them in
//! order and hands each emptied buffer back to its loader for reuse. So at most
//! `loaders * (ceil(prefetch / loaders) + 1) + 1` batches exist at once, however large the
//! data set: peak memory is bounded by the prefetch depth.
//!
//! **Determinism.** The epoch's order is a seeded shuffle ([`Rng`]; epoch `e` draws from the
//! generator after epochs `1..e`), batches reach the engine in that order whichever loader
//! made them, and a sample's augmentation draws from a generator seeded by `(seed, epoch,
//! index)` alone, so the number of loader threads changes nothing, and neither (see
//! [`Parallel`]) does the number of training threads.

use crate::error::{Divergence, Error, Operand};
use crate::fit::{Callback, Control, Data, EarlyStoppingState, Epoch, Evaluation, MetricValues};
use crate::float::Float;
use crate::loss::Loss;
use crate::metrics::{Metric, MetricState};
use crate::network::{Network, Vector};
use crate::optim::Optimizer;
use crate::parallel::Parallel;
use crate::rng::Rng;
use crate::train::Workspace;
use std::boxed::Box;

use std::vec::Vec;

mod config;
mod prefetch;
mod source;

use crate::fit::Patience;

pub use config::StreamConfig;
pub use prefetch::{for_each_batch, sample_rng, LoadedBatch};
pub use source::{InMemory, Loaded, Source};

/// Why streaming stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StreamError<E> {
    /// The source could not load a sample (its error names it).
    #[error("loading a sample failed: {0}")]
    Source(#[source] E),
    /// A training or data error: an empty source or batch of 0 ([`Error::EmptyBatch`]), a
    /// non-finite loaded value ([`Error::NonFinite`] with the sample's index in the source),
    /// divergence ([`Error::Diverged`]).
    #[error("{0}")]
    Training(#[from] Error),
}

/// What [`fit_stream`] measured: one [`Epoch`] an epoch trained, and the samples skipped.
#[derive(Clone, Debug, PartialEq)]
pub struct StreamHistory<T> {
    /// Every epoch trained, in order.
    pub epochs: Vec<Epoch<T>>,
    /// Training samples the source skipped, over all epochs.
    pub skipped: usize,
    /// With early stopping: the epoch (from 1) with the lowest monitored loss.
    pub best_epoch: Option<usize>,
    /// Whether early stopping or the callback ended training before the last epoch.
    pub stopped_early: bool,
    /// With early stopping: its counters after the last epoch trained, to save with a
    /// checkpoint and resume from ([`StreamConfig::resume_early_stopping`]).
    pub early_stopping: Option<EarlyStoppingState>,
}

/// Trains `net` with `opt` on `train` until epoch `config.epochs` in `config.batch`-sized
/// steps through `engine`, loading ahead as the module documentation says; after every
/// epoch, evaluates `validation` (if any) and calls `callback` with the epoch's record and the
/// network (the [`Callback`] of the [`Trainer`](crate::fit::Trainer): `()` for none, a
/// `SaveBest` checkpoint (feature `safetensors`), [`OnEpoch`](crate::fit::OnEpoch) or
/// [`EpochOnly`](crate::fit::EpochOnly) around a closure), which may stop training or end it
/// with an error ([`StreamError::Training`]).
///
/// A run resumed after epoch `k` ([`StreamConfig::initial_epoch`], with the weights and the
/// optimizer's saved state of epoch `k`) trains epochs `k + 1 ..= epochs` as the
/// uninterrupted run did: the shuffles of the first `k` epochs are drawn again (and not
/// used), augmentation draws from `(seed, epoch, index)`, and the engine's Dropout masks from
/// the optimizer's update count.
///
/// Early stopping ([`StreamConfig::early_stopping`]) is `fit`'s: training stops when the
/// validation loss (the training loss without validation data) has not decreased by more
/// than `min_delta` for `patience` epochs, and with `restore_best` the best epoch's weights
/// (kept in one heap copy of the network) are handed back at the end unless the last epoch
/// was the best. [`StreamHistory`] records the best epoch, whether training stopped early and
/// the rule's counters; a run resumed with them is [`fit_stream_resumed`].
///
/// Like [`fit`](crate::fit::fit_with): the epoch's training loss is the mean of the batch
/// losses weighted by batch size; a non-finite loss or gradient stops training with
/// [`Error::Diverged`] and the weights before that batch, an update that makes a weight
/// non-finite with the weights at the start of the epoch. The trained weights do not depend
/// on the number of loader or training threads.
pub fn fit_stream<L, M, N, O, S>(
    engine: &mut Parallel<N>,
    net: &mut N,
    opt: &mut O,
    train: &S,
    validation: Option<&S>,
    config: &StreamConfig,
    callback: impl Callback<N>,
) -> Result<StreamHistory<N::Scalar>, StreamError<S::Error>>
where
    L: Loss,
    M: Metric,
    N: Network + Sync + Send,
    N::Input: Send + Sync,
    N::Output: Send + Sync,
    Workspace<N>: Send + Sync,
    O: Optimizer<N>,
    S: Source<N::Input, N::Output>,
    S::Error: Send,
{
    let data = (train, validation);
    fit_stream_resumed::<L, M, N, O, S>(engine, (net, None), opt, data, config, callback)
}

/// [`fit_stream`] resuming early stopping ([`StreamConfig::resume_early_stopping`]) with the
/// best weights of the run so far, `best` (needed when the rule restores them and the state
/// has a best epoch: [`Error::BufferTooSmall`] for [`Operand::BestWeights`] without them),
/// as `fit`'s [`Trainer::resume_early_stopping`](crate::fit::Trainer::resume_early_stopping).
/// A state whose epochs waited do not follow from its best epoch and `initial_epoch` is
/// [`Error::ResumedEarlyStopping`].
pub fn fit_stream_resumed<L, M, N, O, S>(
    engine: &mut Parallel<N>,
    (net, resumed_best): (&mut N, Option<&N>),
    opt: &mut O,
    (train, validation): (&S, Option<&S>),
    config: &StreamConfig,
    mut callback: impl Callback<N>,
) -> Result<StreamHistory<N::Scalar>, StreamError<S::Error>>
where
    L: Loss,
    M: Metric,
    N: Network + Sync + Send,
    N::Input: Send + Sync,
    N::Output: Send + Sync,
    Workspace<N>: Send + Sync,
    O: Optimizer<N>,
    S: Source<N::Input, N::Output>,
    S::Error: Send,
{
    let n = train.len();
    if n == 0 || config.batch == 0 {
        return Err(Error::EmptyBatch.into());
    }
    if !net.all_finite() {
        return Err(Error::NonFinite {
            what: Operand::InitialWeights,
            index: 0,
        }
        .into());
    }
    engine.warm_up(config.batch);
    let mut order: Vec<usize> = (0..n).collect();
    let mut rng = Rng::new(config.seed);
    let mut checkpoint = crate::zeroed::boxed::<N>();
    let mut patience = resumed_patience(config, resumed_best.is_some())?;
    let restore_best = config.early_stopping.is_some_and(|e| e.restore_best);
    let mut best: Option<Box<N>> = restore_best.then(crate::zeroed::boxed::<N>);
    if let (Some(from), Some(to)) = (resumed_best, best.as_deref_mut()) {
        to.copy_from(from);
    }
    let mut history = StreamHistory {
        epochs: Vec::with_capacity(config.epochs.saturating_sub(config.initial_epoch)),
        skipped: 0,
        best_epoch: patience.as_ref().and_then(Patience::best_epoch),
        stopped_early: false,
        early_stopping: patience.as_ref().map(Patience::state),
    };
    if config.shuffle {
        // A resumed run shuffles as the uninterrupted one: each epoch's shuffle continues
        // from the last, so the first `initial_epoch` are drawn again.
        for _ in 0..config.initial_epoch.min(config.epochs) {
            rng.shuffle(&mut order);
        }
    }
    for epoch in config.initial_epoch + 1..=config.epochs {
        checkpoint.copy_from(net);
        if config.shuffle {
            rng.shuffle(&mut order);
        }
        let (mut total, mut seen) = (0.0, 0usize);
        for_each_batch(
            train,
            &order,
            config,
            Some((config.seed, epoch)),
            |b, batch| {
                history.skipped += batch.skipped;
                if batch.inputs.is_empty() {
                    return Ok(());
                }
                let diverged = |what| Error::Diverged {
                    epoch,
                    batch: b + 1,
                    what,
                };
                let loss = engine
                    .train_batch::<L, O>(net, opt, &batch.inputs, &batch.targets)
                    .map_err(|e| match e {
                        Error::NonFiniteLoss => diverged(Divergence::Loss),
                        Error::NonFiniteGradient => diverged(Divergence::Gradient),
                        Error::NonFiniteUpdate { .. } => diverged(Divergence::Update),
                        e => e,
                    })?;
                total += loss.as_f64() * batch.inputs.len() as f64;
                seen += batch.inputs.len();
                if !net.all_finite() {
                    net.copy_from(&checkpoint);
                    return Err(diverged(Divergence::Weights).into());
                }
                Ok(())
            },
        )?;
        opt.end_epoch();
        let val = match validation {
            Some(v) => Some(evaluate_stream::<L, M, N, S>(engine, net, v, config)?.evaluation),
            None => None,
        };
        let record = Epoch {
            epoch,
            train_loss: N::Scalar::cast(total / seen.max(1) as f64),
            train_metrics: None,
            val_loss: val.map(|v| v.loss),
            val_metrics: val.map(|v| MetricValues::from_slice(&[v.metric])),
        };
        history.epochs.push(record);
        let mut stop = callback.on_epoch(&record, net)? == Control::Stop;
        if let Some(patience) = patience.as_mut() {
            stop |= patience.keep_best(&record, net, best.as_deref_mut());
            history.best_epoch = patience.best_epoch();
            history.early_stopping = Some(patience.state());
        }
        if stop {
            history.stopped_early = epoch < config.epochs;
            break;
        }
    }
    if let Some(patience) = &patience {
        patience.restore_best(history.epochs.last().map(|e| e.epoch), net, best.as_deref());
    }
    Ok(history)
}

/// Early stopping's rule for a run of `config`, resumed from its saved state if it has one
/// (checked against `initial_epoch`); whether the best weights were handed over is
/// `have_best`.
fn resumed_patience(config: &StreamConfig, have_best: bool) -> Result<Option<Patience>, Error> {
    let Some(rule) = config.early_stopping else {
        return Ok(None);
    };
    let state = config.early_stopping_state;
    if let Some(state) = state {
        state.check_resume(config.initial_epoch)?;
        if rule.restore_best && state.best_epoch.is_some() && !have_best {
            // The best weights before the resume are needed, and were not given.
            return Err(Error::BufferTooSmall {
                what: Operand::BestWeights,
                needed: 1,
                found: 0,
            });
        }
    }
    Ok(Some(Patience::resume(
        rule,
        state.unwrap_or(EarlyStoppingState::START),
    )))
}

/// What [`evaluate_stream`] measured.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Evaluated<T> {
    /// The mean loss and the metric over the samples that loaded.
    pub evaluation: Evaluation<T>,
    /// The samples the source skipped.
    pub skipped: usize,
}

/// The mean loss `L` and the metric `M` of `net` over `source` (in order, no augmentation),
/// loaded as `config` says (its `epochs`, `shuffle` and `seed` are not used), and the number
/// of samples skipped. Errors: an empty source, or all samples skipped
/// ([`Error::EmptyBatch`]), or the source's.
pub fn evaluate_stream<L, M, N, S>(
    engine: &mut Parallel<N>,
    net: &N,
    source: &S,
    config: &StreamConfig,
) -> Result<Evaluated<N::Scalar>, StreamError<S::Error>>
where
    L: Loss,
    M: Metric,
    N: Network + Sync + Send,
    N::Input: Send + Sync,
    N::Output: Send + Sync,
    Workspace<N>: Send + Sync,
    S: Source<N::Input, N::Output>,
    S::Error: Send,
{
    let order: Vec<usize> = (0..source.len()).collect();
    let mut metric = M::State::<N::Scalar, N::Output>::new();
    let (mut total, mut count, mut skipped) = (0.0, 0usize, 0usize);
    let mut losses = std::vec![0.0f64; config.batch];
    let mut outputs = std::vec![<N::Output as Vector<N::Scalar>>::ZERO; config.batch];
    for_each_batch(source, &order, config, None, |_, batch| {
        let m = batch.inputs.len();
        skipped += batch.skipped;
        engine.forward_losses::<L>(
            net,
            &batch.inputs,
            &batch.targets,
            &mut losses[..m],
            &mut outputs[..m],
        );
        for ((o, y), l) in outputs.iter().zip(&batch.targets).zip(&losses[..m]) {
            metric.add(o, y);
            total += l;
        }
        count += m;
        Ok(())
    })?;
    if count == 0 {
        return Err(Error::EmptyBatch.into());
    }
    let evaluation = Evaluation {
        loss: N::Scalar::cast(total / count as f64),
        metric: metric.value(),
    };
    Ok(Evaluated {
        evaluation,
        skipped,
    })
}

/// `net`'s outputs over `source` (in order, no augmentation), a batch at a time:
/// `each(indices, outputs)` gets the source indices of the batch's loaded samples and their
/// outputs. Returns the number of samples skipped.
pub fn predict_stream<N, S>(
    engine: &mut Parallel<N>,
    net: &N,
    source: &S,
    config: &StreamConfig,
    mut each: impl FnMut(&[usize], &[N::Output]),
) -> Result<usize, StreamError<S::Error>>
where
    N: Network + Sync + Send,
    N::Input: Send + Sync,
    N::Output: Send + Sync,
    Workspace<N>: Send + Sync,
    S: Source<N::Input, N::Output>,
    S::Error: Send,
{
    let order: Vec<usize> = (0..source.len()).collect();
    let mut outputs = std::vec![<N::Output as Vector<N::Scalar>>::ZERO; config.batch];
    let mut skipped = 0;
    for_each_batch(source, &order, config, None, |_, batch| {
        let m = batch.inputs.len();
        skipped += batch.skipped;
        engine.predict(net, &batch.inputs, &mut outputs[..m])?;
        each(&batch.indices, &outputs[..m]);
        Ok(())
    })?;
    Ok(skipped)
}

/// In-memory data as a source: the same training, evaluation and prediction as a stream.
impl<'a, X, Y> From<Data<'a, X, Y>> for InMemory<'a, X, Y> {
    fn from(data: Data<'a, X, Y>) -> Self {
        InMemory(data)
    }
}
