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
        }
    }
}

impl core::error::Error for Error {}
