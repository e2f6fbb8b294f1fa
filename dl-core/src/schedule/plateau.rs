//! Keras's `ReduceLROnPlateau`: multiply the learning rate by `factor` when the monitored loss
//! has not improved for `patience` epochs.
//!
//! The monitor is a `fit` callback ([`ReduceLrOnPlateau::observe`], or the plateau lent to a
//! [`Trainer`](crate::fit::Trainer): `.callback(&plateau)`) and the optimizer it drives is
//! wrapped ([`ReduceLrOnPlateau::wrap`]); the two share the decision through cells,
//! so `fit` needs nothing new and nothing is allocated.

use crate::error::{Error, HyperParameter};
use crate::fit::{Callback, Control, Epoch};
use crate::float::Float;
use crate::network::Network;
use crate::optim::{OptimizerBase, ParamsOptimizer, Regularization, Regularize};
use core::cell::Cell;

/// When and how much to cut the learning rate (Keras's defaults: factor 0.1, patience 10,
/// `min_delta` 1e-4 absolute, no cooldown, `min_lr` 0).
///
#[cfg_attr(feature = "alloc", doc = "```")]
#[cfg_attr(not(feature = "alloc"), doc = "```ignore")]
/// use dl_core::prelude::*;
///
/// network! {
///     struct Line { Dense<1, 1, Identity> }
/// }
///
/// let xs = [[0.0], [1.0], [2.0], [3.0]].map(SVector::<f64, 1>::from);
/// let ys = [[1.0], [3.0], [5.0], [7.0]].map(SVector::<f64, 1>::from);
/// let data = Data::new(&xs, &ys)?;
/// let plateau = ReduceLrOnPlateau::new(0.5, 3);
/// let mut opt = plateau.wrap(Sgd::new(0.05));
/// let mut net = Line::<f64>::new(1);
/// Trainer::new(&mut net, &mut opt, data)
///     .loss(Mse)
///     .epochs(200)
///     .batch(BatchSize::Full)
///     .callback(&plateau)
///     .run()?;
/// assert!(opt.learning_rate() <= 0.05);
/// # Ok::<(), dl_core::error::Error>(())
/// ```
#[derive(Debug)]
pub struct ReduceLrOnPlateau {
    /// What the learning rate is multiplied by on a plateau, in `(0, 1)`.
    pub factor: f64,
    /// Epochs without improvement before a cut.
    pub patience: usize,
    /// The smallest decrease of the monitored loss that counts as an improvement.
    pub min_delta: f64,
    /// Epochs after a cut during which plateaus are not counted.
    pub cooldown: usize,
    /// The learning rate is never cut below this.
    pub min_lr: f64,
    pub(super) best: Cell<f64>,
    pub(super) wait: Cell<usize>,
    pub(super) cooling: Cell<usize>,
    pub(super) scale: Cell<f64>,
}

impl ReduceLrOnPlateau {
    /// Cuts by `factor` after `patience` epochs without improvement.
    pub const fn new(factor: f64, patience: usize) -> Self {
        ReduceLrOnPlateau {
            factor,
            patience,
            min_delta: 1e-4,
            cooldown: 0,
            min_lr: 0.0,
            best: Cell::new(f64::INFINITY),
            wait: Cell::new(0),
            cooling: Cell::new(0),
            scale: Cell::new(1.0),
        }
    }

    /// The same with this improvement threshold.
    pub const fn min_delta(mut self, min_delta: f64) -> Self {
        self.min_delta = min_delta;
        self
    }

    /// The same with this cooldown.
    pub const fn cooldown(mut self, cooldown: usize) -> Self {
        self.cooldown = cooldown;
        self
    }

    /// The same with this floor.
    pub const fn min_lr(mut self, min_lr: f64) -> Self {
        self.min_lr = min_lr;
        self
    }

    /// Sees an epoch: the validation loss, or the training loss without validation data. A
    /// `fit` callback body; it never stops training.
    pub fn observe<T: Float>(&self, e: &Epoch<T>) -> Control {
        let loss = e.val_loss.unwrap_or(e.train_loss).as_f64();
        if self.cooling.get() > 0 {
            self.cooling.set(self.cooling.get() - 1);
            self.wait.set(0);
        }
        if loss < self.best.get() - self.min_delta {
            self.best.set(loss);
            self.wait.set(0);
        } else if self.cooling.get() == 0 {
            self.wait.set(self.wait.get() + 1);
            if self.wait.get() >= self.patience {
                self.scale.set(self.scale.get() * self.factor);
                self.wait.set(0);
                self.cooling.set(self.cooldown);
            }
        }
        Control::Continue
    }

    /// What the base learning rate is multiplied by now (1 until the first cut).
    pub fn scale(&self) -> f64 {
        self.scale.get()
    }

    /// `opt` with its learning rate cut by this monitor's decisions.
    pub fn wrap<O: OptimizerBase>(&self, opt: O) -> OnPlateau<'_, O> {
        OnPlateau {
            base_lr: opt.learning_rate(),
            optimizer: opt,
            plateau: self,
        }
    }
}

/// A lent plateau is a callback: `.callback(&plateau)`.
impl<N: Network> Callback<N> for &ReduceLrOnPlateau {
    fn on_epoch(&mut self, epoch: &Epoch<N::Scalar>, _: &N) -> Result<Control, Error> {
        Ok(self.observe(epoch))
    }
}

/// An optimizer whose learning rate is its base rate times a [`ReduceLrOnPlateau`]'s scale,
/// never below its `min_lr`.
///
/// ```
/// use dl_core::prelude::*;
/// let plateau = ReduceLrOnPlateau::new(0.5, 1);
/// let opt: OnPlateau<'_, Sgd<f64>> = plateau.wrap(Sgd::new(0.2));
/// let e = |loss| Epoch { train_loss: loss, ..Epoch::<f64>::BLANK };
/// plateau.observe(&e(1.0));
/// plateau.observe(&e(1.5)); // no better than 1.0 for 1 epoch: cut by half
/// assert_eq!(opt.learning_rate(), 0.1);
/// ```
#[derive(Debug)]
pub struct OnPlateau<'p, O> {
    /// The optimizer driven.
    pub optimizer: O,
    pub(super) base_lr: f64,
    pub(super) plateau: &'p ReduceLrOnPlateau,
}

impl<O: OptimizerBase> OnPlateau<'_, O> {
    pub(super) fn apply(&mut self) {
        let lr = self.learning_rate();
        self.optimizer.set_learning_rate(lr);
    }
}

impl<O: OptimizerBase> OptimizerBase for OnPlateau<'_, O> {
    const STATE_BYTES: usize = O::STATE_BYTES;

    fn learning_rate(&self) -> f64 {
        let p = self.plateau;
        (self.base_lr * p.scale()).max(p.min_lr.min(self.base_lr))
    }

    fn set_learning_rate(&mut self, lr: f64) {
        self.base_lr = lr;
        self.apply();
    }

    fn steps(&self) -> u64 {
        self.optimizer.steps()
    }

    fn reset(&mut self) {
        self.optimizer.reset();
        self.apply();
    }

    fn end_epoch(&mut self) {
        self.optimizer.end_epoch();
    }

    fn validate(&self) -> Result<(), Error> {
        let p = self.plateau;
        if !(p.factor > 0.0 && p.factor < 1.0) {
            return Err(Error::InvalidHyperParameter {
                name: HyperParameter::PlateauFactor,
                value: p.factor,
                expected: "in (0, 1)",
            });
        }
        self.optimizer.validate()
    }
}

impl<O: Regularize> Regularize for OnPlateau<'_, O> {
    fn regularization_mut(&mut self) -> &mut Regularization {
        self.optimizer.regularization_mut()
    }
}

impl<P, G, O: ParamsOptimizer<P, G>> ParamsOptimizer<P, G> for OnPlateau<'_, O> {
    #[inline]
    fn update(&mut self, params: &mut P, grads: &G) {
        self.apply();
        self.optimizer.update(params, grads);
    }

    #[inline]
    fn update_consume(
        &mut self,
        params: &mut P,
        grads: &mut G,
        scale: f64,
    ) -> Option<Result<(), Error>> {
        self.apply();
        self.optimizer.update_consume(params, grads, scale)
    }

    /// The wrapped optimizer's own discarding form (see [`ParamsOptimizer::update_discard`]).
    #[inline]
    fn update_discard(
        &mut self,
        params: &mut P,
        grads: &mut G,
        scale: f64,
    ) -> Option<Result<(), Error>> {
        self.apply();
        self.optimizer.update_discard(params, grads, scale)
    }

    /// Sets the plateau's rate on the optimizer, so the check sees the rate the update uses.
    #[inline]
    fn prepare(&mut self) {
        self.apply();
        self.optimizer.prepare();
    }

    #[inline]
    fn check_update(&self, params: &P, grads: &G, scale: f64) -> Result<(), Error> {
        self.optimizer.check_update(params, grads, scale)
    }
}
