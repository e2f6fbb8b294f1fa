//! The training loop in the caller's memory: epochs of shuffled batches through
//! [`train_batch`], measured, reported to the callbacks, stopped early.

use super::{evaluate::measure_with, Callback, Control, Data, Epoch, EpochLog, EpochOnly};
use super::{EarlyStoppingState, FitConfig, History, Patience};
use crate::error::{Divergence, Error, Operand};
use crate::float::Float;
use crate::loss::Loss;
use crate::metrics::Metrics;
use crate::network::{Network, Vector};
use crate::optim::Optimizer;
use crate::rng::Rng;
use crate::train::{train_batch, Workspace};

/// The memory [`fit_with`] works in, all of it the caller's.
///
/// ```
/// use dl_core::prelude::*;
/// network! { struct Line { Dense<1, 1, Identity> } }
/// let xs = [[0.0], [1.0], [2.0]].map(SVector::<f64, 1>::from);
/// let mut net = Line::<f64>::new(1);
/// let (mut ws, mut checkpoint) = (Workspace::new(), Line::<f64>::ZERO);
/// let (mut order, mut bx, mut by) = ([0; 2], [SVector::zeros(); 2], [SVector::zeros(); 2]);
/// // Shuffled batches of 2 from 3 samples need a shuffle buffer of 3: refused, untouched.
/// let scratch = Scratch {
///     workspace: &mut ws,
///     order: &mut order,
///     batch_inputs: &mut bx,
///     batch_targets: &mut by,
///     checkpoint: &mut checkpoint,
///     best: None,
/// };
/// let config = FitConfig::new(5, BatchSize::Mini(2));
/// let mut epochs = [Epoch::BLANK; 5];
/// let result = fit_with::<Mse, MeanAbsoluteError, _, _, _>(
///     &mut net, &mut Sgd::new(0.1), Data::new(&xs, &xs)?, None, &config, scratch, &mut epochs[..],
///     keep_going,
/// );
/// let needed = Error::BufferTooSmall { what: Operand::ShuffleIndices, needed: 3, found: 2 };
/// assert_eq!(result.map(|h| h.len()), Err(needed));
/// # Ok::<(), dl_core::error::Error>(())
/// ```
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

fn need(what: Operand, needed: usize, found: usize) -> Result<(), Error> {
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
/// `&mut buffer[..]`). `L` is the loss minimised and `M` the metric reported (one
/// [`Metric`](crate::metrics::Metric), or a tuple of them). After each epoch `on_epoch` sees
/// what it measured and may stop training. [`Trainer::run_with`](super::Trainer::run_with)
/// is the same with the types inferred and callbacks that see the network.
///
/// Errors: [`Error::BufferTooSmall`] if `epochs` holds fewer than the epochs to train or a
/// scratch buffer is too short
/// (or `best` is missing when early stopping restores the best weights);
/// [`Error::EmptyBatch`] for a batch size of 0; [`Error::NonFinite`] if the initial weights
/// are not finite; [`Error::Diverged`] if training diverges (see the module documentation).
///
/// ```
/// use dl_core::prelude::*;
/// network! { struct Line { Dense<1, 1, Identity> } }
/// let xs = [[0.0], [1.0], [2.0]].map(SVector::<f64, 1>::from);
/// let ys = [[1.0], [3.0], [5.0]].map(SVector::<f64, 1>::from); // y = 2x + 1
/// let mut net = Line::<f64>::new(1);
/// let (mut ws, mut checkpoint) = (Workspace::new(), Line::<f64>::ZERO);
/// // Full batches gather nothing: the shuffle and batch buffers may be empty.
/// let scratch = Scratch {
///     workspace: &mut ws,
///     order: &mut [],
///     batch_inputs: &mut [],
///     batch_targets: &mut [],
///     checkpoint: &mut checkpoint,
///     best: None,
/// };
/// let mut epochs = [Epoch::BLANK; 300];
/// let config = FitConfig::new(300, BatchSize::Full);
/// let data = Data::new(&xs, &ys)?;
/// let history = fit_with::<Mse, MeanAbsoluteError, _, _, _>(
///     &mut net, &mut Adam::new(0.1), data, None, &config, scratch, &mut epochs[..], keep_going,
/// )?;
/// assert_eq!(history.len(), 300);
/// assert!(history.last().unwrap().train_loss < 1e-3);
/// # Ok::<(), dl_core::error::Error>(())
/// ```
#[allow(clippy::too_many_arguments)]
pub fn fit_with<L: Loss, M: Metrics, N: Network, O: Optimizer<N>, S: EpochLog<N::Scalar>>(
    net: &mut N,
    opt: &mut O,
    train: Data<'_, N::Input, N::Output>,
    validation: Option<Data<'_, N::Input, N::Output>>,
    config: &FitConfig,
    scratch: Scratch<'_, N>,
    epochs: S,
    on_epoch: impl FnMut(&Epoch<N::Scalar>) -> Control,
) -> Result<History<N::Scalar, S>, Error> {
    let run = Run {
        train,
        validation,
        config,
        resumed_best: None,
    };
    run.train::<L, M, _, _, _>(net, opt, scratch, epochs, EpochOnly(on_epoch))
}

/// One run's data and settings.
pub(super) struct Run<'c, 'd, N: Network> {
    pub(super) train: Data<'d, N::Input, N::Output>,
    pub(super) validation: Option<Data<'d, N::Input, N::Output>>,
    pub(super) config: &'c FitConfig,
    /// A resumed run's best weights before it, for early stopping's `restore_best`: copied
    /// into [`Scratch::best`] (which keeps the caller's when `None`).
    pub(super) resumed_best: Option<&'c N>,
}

impl<N: Network> Run<'_, '_, N> {
    /// Refuses what cannot run before touching anything.
    fn check<S: EpochLog<N::Scalar>>(
        &self,
        net: &N,
        scratch: &Scratch<'_, N>,
        epochs: &S,
    ) -> Result<(), Error> {
        let config = self.config;
        let n = self.train.len();
        let size = config.batch.size(n);
        if let Some(capacity) = epochs.capacity() {
            need(Operand::History, config.remaining_epochs(), capacity)?;
        }
        if size == 0 {
            return Err(Error::EmptyBatch);
        }
        if config.gathers(n) {
            need(Operand::ShuffleIndices, n, scratch.order.len())?;
            need(Operand::BatchInputs, size, scratch.batch_inputs.len())?;
            need(Operand::BatchTargets, size, scratch.batch_targets.len())?;
        }
        let restore_best = config.early_stopping.is_some_and(|e| e.restore_best);
        if restore_best && scratch.best.is_none() {
            return Err(Error::BufferTooSmall {
                what: Operand::BestWeights,
                needed: 1,
                found: 0,
            });
        }
        if !net.all_finite() {
            return Err(Error::NonFinite {
                what: Operand::InitialWeights,
                index: 0,
            });
        }
        if let (Some(_), Some(state)) = (config.early_stopping, config.early_stopping_state) {
            state.check_resume(config.initial_epoch)?;
        }
        Ok(())
    }

    /// Early stopping's rule, resumed from the config's state if it has one.
    fn patience(&self) -> Option<Patience> {
        let config = self.config;
        let state = config.early_stopping_state;
        config
            .early_stopping
            .map(|rule| Patience::resume(rule, state.unwrap_or(EarlyStoppingState::START)))
    }

    /// The loop of [`fit_with`], reporting to `callback`.
    pub(super) fn train<L, M, O, S, C>(
        &self,
        net: &mut N,
        opt: &mut O,
        scratch: Scratch<'_, N>,
        epochs: S,
        mut callback: C,
    ) -> Result<History<N::Scalar, S>, Error>
    where
        L: Loss,
        M: Metrics,
        O: Optimizer<N>,
        S: EpochLog<N::Scalar>,
        C: Callback<N>,
    {
        self.check(net, &scratch, &epochs)?;
        let config = self.config;
        let n = self.train.len();
        let gathers = config.gathers(n);
        let Scratch {
            workspace: ws,
            order,
            checkpoint,
            mut best,
            ..
        } = scratch;
        let mut batches = Batches {
            train: self.train,
            size: config.batch.size(n),
            gathers,
            inputs: scratch.batch_inputs,
            targets: scratch.batch_targets,
        };
        let mut rng = Rng::new(config.seed);
        if gathers {
            // A resumed run draws the shuffles the epochs before it drew, to shuffle as the
            // uninterrupted run: each shuffle of `n` samples takes the same draws.
            for _ in 0..config.initial_epoch.min(config.epochs) {
                shuffle(&mut rng, &mut order[..n]);
            }
        }
        let mut history = History::new(epochs, L::NAME, M::NAMES);
        let mut patience = self.patience();
        if let (Some(from), Some(to)) = (self.resumed_best, best.as_deref_mut()) {
            to.copy_from(from);
        }
        history.early_stopping = patience.as_ref().map(Patience::state);
        history.best_epoch = patience.as_ref().and_then(Patience::best_epoch);

        for epoch in config.initial_epoch + 1..=config.epochs {
            checkpoint.copy_from(net);
            ws.seed_dropout(dropout_seed(config.seed, epoch));
            if gathers {
                shuffle(&mut rng, &mut order[..n]);
            }
            let total = batches.epoch::<L, O>(net, opt, ws, &order[..], checkpoint, epoch)?;

            // Per-epoch learning-rate schedules advance here.
            opt.end_epoch();

            let train_metrics = config
                .train_metric
                .then(|| measure_with::<L, M, N>(net, self.train, &mut ws.cache).1);
            let val = self
                .validation
                .map(|data| measure_with::<L, M, N>(net, data, &mut ws.cache));
            let record = Epoch {
                epoch,
                train_loss: N::Scalar::cast(total / n as f64),
                train_metrics,
                val_loss: val.map(|v| v.0),
                val_metrics: val.map(|v| v.1),
            };
            history.push(record);
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
            patience.restore_best(history.last().map(|e| e.epoch), net, best.as_deref());
        }
        Ok(history)
    }
}

/// The seed of epoch `epoch`'s Dropout masks: a function of the run's seed and the epoch
/// alone, so a run resumed after epoch `k` draws, from epoch `k + 1` on, the masks the
/// uninterrupted run drew, with nothing but the seed and `initial_epoch` carried over.
fn dropout_seed(seed: u64, epoch: usize) -> u64 {
    Rng::new(Rng::new(seed).next_u64() ^ epoch as u64).next_u64()
}

/// `order` set to `0..n` and shuffled.
fn shuffle(rng: &mut Rng, order: &mut [usize]) {
    for (i, slot) in order.iter_mut().enumerate() {
        *slot = i;
    }
    rng.shuffle(order);
}

/// An epoch's batches: slices of the training set, or samples gathered in shuffled order.
struct Batches<'d, 's, N: Network> {
    train: Data<'d, N::Input, N::Output>,
    size: usize,
    gathers: bool,
    inputs: &'s mut [N::Input],
    targets: &'s mut [N::Output],
}

impl<N: Network> Batches<'_, '_, N> {
    /// Trains one epoch and returns the sum of the batch losses weighted by batch size.
    fn epoch<L: Loss, O: Optimizer<N>>(
        &mut self,
        net: &mut N,
        opt: &mut O,
        ws: &mut Workspace<N>,
        order: &[usize],
        checkpoint: &N,
        epoch: usize,
    ) -> Result<f64, Error> {
        let (train, n) = (self.train, self.train.len());
        let mut total = 0.0;
        for (batch, start) in (0..n).step_by(self.size).enumerate() {
            let end = (start + self.size).min(n);
            let result = if self.gathers {
                let xs = &mut self.inputs[..end - start];
                let ys = &mut self.targets[..end - start];
                // Copied element by element: a `clone` may pass through the stack.
                for ((x, y), &i) in xs.iter_mut().zip(ys.iter_mut()).zip(&order[start..end]) {
                    x.as_mut_slice()
                        .copy_from_slice(train.inputs()[i].as_slice());
                    y.as_mut_slice()
                        .copy_from_slice(train.targets()[i].as_slice());
                }
                train_batch::<N, L, O>(net, opt, xs, ys, ws)
            } else {
                let (xs, ys) = (&train.inputs()[start..end], &train.targets()[start..end]);
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
        Ok(total)
    }
}

#[cfg(test)]
mod tests {
    use super::dropout_seed;

    #[test]
    fn every_seed_and_epoch_restarts_the_masks_elsewhere() {
        let mut seeds: std::vec::Vec<u64> = (0..4)
            .flat_map(|seed| (1..=1000).map(move |epoch| dropout_seed(seed, epoch)))
            .collect();
        seeds.sort_unstable();
        seeds.dedup();
        assert_eq!(seeds.len(), 4000);
    }
}
