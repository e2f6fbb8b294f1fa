//! Errors for run-time input: lengths that do not fit, values that are not finite.

/// Why a run-time call refused its input. Shapes are checked at compile time; these are the
/// cases that only data can cause.
#[derive(Clone, Copy, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A slice had the wrong length.
    #[error("{what} has length {found}, expected {expected}")]
    Length {
        /// What the slice holds, e.g. `"input"`.
        what: &'static str,
        /// The length the network needs.
        expected: usize,
        /// The length given.
        found: usize,
    },
    /// A batch was empty.
    #[error("the batch is empty")]
    EmptyBatch,
    /// Inputs and targets differ in number.
    #[error("{inputs} inputs but {targets} targets")]
    BatchMismatch {
        /// How many inputs.
        inputs: usize,
        /// How many targets.
        targets: usize,
    },
    /// A value was NaN or infinite.
    #[error("{what} holds a non-finite value at index {index}")]
    NonFinite {
        /// What held it, e.g. `"input"`.
        what: &'static str,
        /// Its index (the sample within a batch, or the element).
        index: usize,
    },
    /// The loss came out NaN or infinite; the parameters were left as they were.
    #[error("the loss is not finite; the parameters were not updated")]
    NonFiniteLoss,
    /// A gradient came out NaN or infinite (e.g. from an infinite input); the parameters were
    /// left as they were.
    #[error("a gradient is not finite; the parameters were not updated")]
    NonFiniteGradient,
    /// Training stopped because `what` became NaN or infinite in batch `batch` of epoch
    /// `epoch` (both counted from 1). The weights handed back are finite: those before that
    /// batch when the loss or gradient was bad, those at the start of the epoch when an update
    /// made the weights themselves non-finite.
    #[error(
        "training diverged: the {what} became non-finite at epoch {epoch}, batch {batch}; {}",
        what.weights_kept()
    )]
    Diverged {
        /// The epoch, from 1.
        epoch: usize,
        /// The batch within the epoch, from 1.
        batch: usize,
        /// What became non-finite.
        what: Divergence,
    },
    /// A caller-supplied buffer was too short (or missing, `found: 0`).
    #[error("the {what} holds {found} elements but {needed} are needed")]
    BufferTooSmall {
        /// What the buffer is for, e.g. `"shuffle index buffer"`.
        what: &'static str,
        /// The length it needs.
        needed: usize,
        /// The length given.
        found: usize,
    },
    /// An optimizer or schedule hyper-parameter is out of its range (a negative learning rate,
    /// a beta of 1, a NaN); nothing was updated.
    #[error("the hyper-parameter {name} is {value}, expected {expected}")]
    InvalidHyperParameter {
        /// Its name, e.g. `"beta1"`.
        name: &'static str,
        /// The value given.
        value: f64,
        /// The range it must be in, e.g. `"in [0, 1)"`.
        expected: &'static str,
    },
}

/// What became NaN or infinite when training diverged ([`Error::Diverged`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Divergence {
    /// The loss of a batch.
    #[error("loss")]
    Loss,
    /// A gradient of a batch.
    #[error("gradient")]
    Gradient,
    /// The weights, after an update.
    #[error("weights")]
    Weights,
}

impl Divergence {
    /// Which weights training hands back after diverging this way.
    const fn weights_kept(self) -> &'static str {
        match self {
            Divergence::Weights => "the weights were restored to those at the start of the epoch",
            Divergence::Loss | Divergence::Gradient => {
                "the weights are those before that batch, all finite"
            }
        }
    }
}
