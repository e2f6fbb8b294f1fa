//! Errors for run-time input: lengths that do not fit, values that are not finite.

use core::fmt;

/// Why a run-time call refused its input. Shapes are checked at compile time; these are the
/// cases that only data can cause.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Error {
    /// A slice had the wrong length.
    Length {
        /// What the slice holds, e.g. `"input"`.
        what: &'static str,
        /// The length the network needs.
        expected: usize,
        /// The length given.
        found: usize,
    },
    /// A batch was empty.
    EmptyBatch,
    /// Inputs and targets differ in number.
    BatchMismatch {
        /// How many inputs.
        inputs: usize,
        /// How many targets.
        targets: usize,
    },
    /// A value was NaN or infinite.
    NonFinite {
        /// What held it, e.g. `"input"`.
        what: &'static str,
        /// Its index (the sample within a batch, or the element).
        index: usize,
    },
    /// The loss came out NaN or infinite; the parameters were left as they were.
    NonFiniteLoss,
    /// A gradient came out NaN or infinite (e.g. from an infinite input); the parameters were
    /// left as they were.
    NonFiniteGradient,
    /// Training stopped because `what` (`"loss"`, `"gradient"`, or `"weights"` after an update) became NaN
    /// or infinite in batch `batch` of epoch `epoch` (both counted from 1). The weights handed
    /// back are finite: those before that batch when the loss or gradient was bad, those at the start of
    /// the epoch when an update made the weights themselves non-finite.
    Diverged {
        /// The epoch, from 1.
        epoch: usize,
        /// The batch within the epoch, from 1.
        batch: usize,
        /// `"loss"`, `"gradient"` or `"weights"`.
        what: &'static str,
    },
    /// A caller-supplied buffer was too short (or missing, `found: 0`).
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
    InvalidHyperParameter {
        /// Its name, e.g. `"beta1"`.
        name: &'static str,
        /// The value given.
        value: f64,
        /// The range it must be in, e.g. `"in [0, 1)"`.
        expected: &'static str,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Error::Length {
                what,
                expected,
                found,
            } => write!(f, "{what} has length {found}, expected {expected}"),
            Error::EmptyBatch => f.write_str("the batch is empty"),
            Error::BatchMismatch { inputs, targets } => {
                write!(f, "{inputs} inputs but {targets} targets")
            }
            Error::NonFinite { what, index } => {
                write!(f, "{what} holds a non-finite value at index {index}")
            }
            Error::NonFiniteLoss => {
                f.write_str("the loss is not finite; the parameters were not updated")
            }
            Error::NonFiniteGradient => {
                f.write_str("a gradient is not finite; the parameters were not updated")
            }
            Error::Diverged { epoch, batch, what } => write!(
                f,
                "training diverged: the {what} became non-finite at epoch {epoch}, batch \
                 {batch}; {}",
                if what == "weights" {
                    "the weights were restored to those at the start of the epoch"
                } else {
                    "the weights are those before that batch, all finite"
                }
            ),
            Error::BufferTooSmall {
                what,
                needed,
                found,
            } => write!(
                f,
                "the {what} holds {found} elements but {needed} are needed"
            ),
            Error::InvalidHyperParameter {
                name,
                value,
                expected,
            } => write!(
                f,
                "the hyper-parameter {name} is {value}, expected {expected}"
            ),
        }
    }
}

impl core::error::Error for Error {}
