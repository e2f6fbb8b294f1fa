//! Learning-rate schedules: the rate as a function of the step (or epoch) count `t = 0, 1, ...`.
//!
//! A [`Schedule`] is a pure function of `t`; [`Scheduled`] wraps any optimizer and sets its
//! learning rate from a schedule before every update ([`Scheduled::per_step`], as the PyTorch
//! fixtures do) or at every epoch ([`Scheduled::per_epoch`], advanced by
//! [`OptimizerBase::end_epoch`](crate::optim::OptimizerBase::end_epoch)).

mod constant;
mod cosine;
mod exponential;
mod plateau;
mod plateau_state;
mod scheduled;
mod step;

pub use constant::Constant;
pub use cosine::CosineDecay;
pub use exponential::ExponentialDecay;
pub use plateau::{OnPlateau, ReduceLrOnPlateau};
pub use scheduled::{Per, Scheduled};
pub use step::StepDecay;

/// A learning rate for each step (or epoch) `t`, counted from 0.
///
/// ```
/// use dl_core::prelude::*;
///
/// /// Halves the rate every epoch, down to 1/1024 of it.
/// struct Halving(f64);
///
/// impl Schedule for Halving {
///     fn learning_rate(&self, t: u64) -> f64 {
///         self.0 / (1u64 << t.min(10)) as f64
///     }
/// }
///
/// let mut sgd = Scheduled::per_epoch(Sgd::<f32>::new(0.0), Halving(0.1));
/// assert_eq!(sgd.learning_rate(), 0.1);
/// sgd.end_epoch(); // what `fit` calls after every epoch
/// assert_eq!((sgd.learning_rate(), sgd.position()), (0.05, 1));
/// ```
pub trait Schedule {
    /// The learning rate at `t`.
    fn learning_rate(&self, t: u64) -> f64;
}
