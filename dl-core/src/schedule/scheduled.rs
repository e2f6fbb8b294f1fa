use super::Schedule;
use crate::error::Error;
use crate::optim::{OptimizerBase, ParamsOptimizer, Regularization, Regularize};

/// When a [`Scheduled`] optimizer advances its schedule.
///
/// ```
/// use dl_core::prelude::*;
/// use dl_core::schedule::StepDecay;
/// // Halve the rate every 2 epochs (Keras's per-epoch schedules advance at end_epoch).
/// let mut opt = Scheduled::new(Sgd::<f32>::new(0.0), StepDecay::new(0.2, 2, 0.5), Per::Epoch);
/// for _ in 0..2 {
///     opt.end_epoch();
/// }
/// assert_eq!(opt.learning_rate(), 0.1);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Per {
    /// After every update (PyTorch schedulers stepped with the optimizer).
    Step,
    /// At every [`end_epoch`](OptimizerBase::end_epoch) (Keras's per-epoch schedules).
    Epoch,
}

/// An optimizer whose learning rate comes from a schedule: update `k` (or every update of
/// epoch `k`) uses `schedule.learning_rate(k)`, `k` counted from 0.
///
/// ```
/// use dl_core::prelude::*;
/// use dl_core::schedule::{Scheduled, StepDecay};
/// # network! { struct Net { Dense<2, 1, Sigmoid> } }
/// let opt = Scheduled::per_step(Sgd::<f32>::new(0.0), StepDecay::new(0.2, 5, 0.5));
/// assert_eq!(opt.learning_rate(), 0.2);
/// ```
#[derive(Clone, Debug)]
pub struct Scheduled<O, S> {
    /// The optimizer whose learning rate is set.
    pub optimizer: O,
    /// The schedule.
    pub schedule: S,
    per: Per,
    t: u64,
}

impl<O: OptimizerBase, S: Schedule> Scheduled<O, S> {
    /// Takes `optimizer`'s learning rate from `schedule`, advancing it every `per`.
    pub fn new(mut optimizer: O, schedule: S, per: Per) -> Self {
        optimizer.set_learning_rate(schedule.learning_rate(0));
        Scheduled {
            optimizer,
            schedule,
            per,
            t: 0,
        }
    }

    /// Advances the schedule after every update.
    pub fn per_step(optimizer: O, schedule: S) -> Self {
        Self::new(optimizer, schedule, Per::Step)
    }

    /// Advances the schedule at every end of epoch.
    pub fn per_epoch(optimizer: O, schedule: S) -> Self {
        Self::new(optimizer, schedule, Per::Epoch)
    }

    /// The schedule's position: updates (or epochs) so far.
    pub const fn position(&self) -> u64 {
        self.t
    }

    /// Moves the schedule to position `t` (a resumed run's) and sets the rate it gives.
    pub fn set_position(&mut self, t: u64) {
        self.t = t;
        let lr = self.schedule.learning_rate(t);
        self.optimizer.set_learning_rate(lr);
    }

    /// Advances a per-step schedule after an update the optimizer applied; hands back its
    /// result.
    #[inline]
    fn advance_if_applied(
        &mut self,
        result: Option<Result<(), Error>>,
    ) -> Option<Result<(), Error>> {
        if matches!(result, Some(Ok(()))) && self.per == Per::Step {
            self.advance();
        }
        result
    }

    fn advance(&mut self) {
        self.t += 1;
        let lr = self.schedule.learning_rate(self.t);
        self.optimizer.set_learning_rate(lr);
    }
}

impl<O: OptimizerBase, S: Schedule> OptimizerBase for Scheduled<O, S> {
    const STATE_BYTES: usize = O::STATE_BYTES;

    #[inline]
    fn learning_rate(&self) -> f64 {
        self.optimizer.learning_rate()
    }

    /// Overrides the rate until the schedule next advances.
    #[inline]
    fn set_learning_rate(&mut self, lr: f64) {
        self.optimizer.set_learning_rate(lr);
    }

    #[inline]
    fn steps(&self) -> u64 {
        self.optimizer.steps()
    }

    /// Clears the optimizer's state and restarts the schedule at 0.
    fn reset(&mut self) {
        self.optimizer.reset();
        self.t = 0;
        let lr = self.schedule.learning_rate(0);
        self.optimizer.set_learning_rate(lr);
    }

    fn end_epoch(&mut self) {
        self.optimizer.end_epoch();
        if self.per == Per::Epoch {
            self.advance();
        }
    }

    /// Validates the optimizer with the rate the schedule gave it.
    fn validate(&self) -> Result<(), Error> {
        self.optimizer.validate()
    }

    /// The wrapped optimizer's (which holds the schedule's current rate).
    #[inline]
    fn sgd_rate(&self) -> Option<f64> {
        self.optimizer.sgd_rate()
    }

    /// Counts the update in the wrapped optimizer and advances a per-step schedule, as
    /// `update` does.
    #[inline]
    fn sgd_applied(&mut self) {
        self.optimizer.sgd_applied();
        if self.per == Per::Step {
            self.advance();
        }
    }
}

impl<O: Regularize, S> Regularize for Scheduled<O, S> {
    fn regularization_mut(&mut self) -> &mut Regularization {
        self.optimizer.regularization_mut()
    }
}

impl<P, G, O: ParamsOptimizer<P, G>, S: Schedule> ParamsOptimizer<P, G> for Scheduled<O, S> {
    #[inline]
    fn update(&mut self, params: &mut P, grads: &G) {
        self.optimizer.update(params, grads);
        if self.per == Per::Step {
            self.advance();
        }
    }

    #[inline]
    fn update_consume(
        &mut self,
        params: &mut P,
        grads: &mut G,
        scale: f64,
    ) -> Option<Result<(), Error>> {
        let result = self.optimizer.update_consume(params, grads, scale);
        self.advance_if_applied(result)
    }

    /// The wrapped optimizer's own discarding form (plain SGD's one swap pass, which
    /// [`train_sample`](crate::train::train_sample) takes), not the zeroing one.
    #[inline]
    fn update_discard(
        &mut self,
        params: &mut P,
        grads: &mut G,
        scale: f64,
    ) -> Option<Result<(), Error>> {
        let result = self.optimizer.update_discard(params, grads, scale);
        self.advance_if_applied(result)
    }

    #[inline]
    fn check_update(&self, params: &P, grads: &G, scale: f64) -> Result<(), Error> {
        self.optimizer.check_update(params, grads, scale)
    }

    #[inline]
    fn prepare(&mut self) {
        self.optimizer.prepare();
    }
}
