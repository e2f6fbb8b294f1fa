//! Errors for run-time input: lengths that do not fit, values that are not finite.

use crate::network::TensorKind;

/// Why a run-time call refused its input. Shapes are checked at compile time; these are the
/// cases that only data can cause.
///
/// ```
/// use dl_core::prelude::*;
/// let xs = [SVector::<f32, 2>::from([0.0, 1.0])];
/// let ys = [SVector::<f32, 1>::from([1.0]), SVector::from([0.0])];
/// let error = Data::new(&xs, &ys).unwrap_err();
/// assert_eq!(error, Error::BatchMismatch { inputs: 1, targets: 2 });
/// assert_eq!(error.to_string(), "1 inputs but 2 targets"); // thiserror's Display
/// ```
#[derive(Clone, Copy, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A slice had the wrong length.
    #[error("{what} has length {found}, expected {expected}")]
    Length {
        /// What the slice holds.
        what: Operand,
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
        /// What held it.
        what: Operand,
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
    /// An update would have made a parameter or a value of the optimizer's state NaN or
    /// infinite (an overflow, a `0 / 0` with `eps = 0`, a learning rate too large for the
    /// scalar type). Nothing was changed: the parameters and the optimizer's state are exactly
    /// those before the step.
    #[error(
        "the update would make the {what} of tensor {tensor} (`{module}.{name}`) non-finite; \
         the parameters and the optimizer's state were not changed"
    )]
    NonFiniteUpdate {
        /// The tensor, in [`Params::tensor`](crate::network::Params::tensor) order.
        tensor: usize,
        /// Its module in PyTorch's `nn.Sequential` numbering (see
        /// [`TensorLayout`](crate::layout::TensorLayout)).
        module: usize,
        /// Its kind, which is its name in that module (`weight` or `bias`).
        name: TensorKind,
        /// What would have gone bad: the parameters, or a tensor of the optimizer's state
        /// (e.g. [`UpdatedTensor::SecondMoment`]).
        what: UpdatedTensor,
    },
    /// A loss target is outside the loss's domain (a cross-entropy or binary cross-entropy
    /// target entry outside `[0, 1]`, a NaN); nothing was updated.
    #[error("target {sample} holds {value} at index {index}; {loss} targets must be {expected}")]
    TargetOutOfDomain {
        /// The loss, e.g. `"cross-entropy"`.
        loss: &'static str,
        /// The sample within the batch.
        sample: usize,
        /// The entry within the target.
        index: usize,
        /// The value found.
        value: f64,
        /// The domain, e.g. `"probabilities, in [0, 1]"`.
        expected: &'static str,
    },
    /// Training stopped because `what` became NaN or infinite in batch `batch` of epoch
    /// `epoch` (both counted from 1). The weights handed back are finite: those before that
    /// batch when the loss or gradient was bad or the update was refused, those at the start
    /// of the epoch when the weights themselves were found non-finite after a step.
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
        /// What the buffer is for.
        what: Operand,
        /// The length it needs.
        needed: usize,
        /// The length given.
        found: usize,
    },
    /// An optimizer or schedule hyper-parameter is out of its range (a negative learning rate,
    /// a beta of 1, a NaN); nothing was updated.
    #[error("the hyper-parameter {name} is {value}, expected {expected}")]
    InvalidHyperParameter {
        /// Which one, e.g. [`HyperParameter::Beta1`].
        name: HyperParameter,
        /// The value given.
        value: f64,
        /// The range it must be in, e.g. `"in [0, 1)"`.
        expected: &'static str,
    },
    /// A checkpoint callback could not write its file after epoch `epoch` (the callback
    /// keeps the file error, e.g. `SaveBest::error`); the
    /// weights are those trained so far.
    #[error("the checkpoint after epoch {epoch} could not be written")]
    Checkpoint {
        /// The epoch, from 1.
        epoch: usize,
    },
    /// A resumed run's early-stopping state
    /// ([`FitConfig::early_stopping_state`](crate::fit::FitConfig::early_stopping_state))
    /// cannot come from the epochs before it: its best epoch is past `initial_epoch`, or its
    /// wait is not the epochs from the best one (from the start without one) to
    /// `initial_epoch`.
    #[error(
        "the early-stopping state (best epoch {best_epoch:?}, {waited} epochs waited) cannot \
         follow epoch {initial_epoch}"
    )]
    ResumedEarlyStopping {
        /// The state's best epoch.
        best_epoch: Option<usize>,
        /// The state's epochs waited.
        waited: usize,
        /// The run's `initial_epoch`.
        initial_epoch: usize,
    },
}

/// What became NaN or infinite when training diverged ([`Error::Diverged`]).
///
/// ```
/// use dl_core::prelude::*;
/// let e = Error::Diverged { epoch: 3, batch: 2, what: Divergence::Loss };
/// // The message names what diverged and which weights training handed back.
/// let message = e.to_string();
/// assert!(message.contains("loss") && message.contains("epoch 3"), "{message}");
/// assert_eq!(Divergence::Weights.to_string(), "weights");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Divergence {
    /// The loss of a batch.
    #[error("loss")]
    Loss,
    /// A gradient of a batch.
    #[error("gradient")]
    Gradient,
    /// The update of a batch: it would have made a weight or the optimizer's state
    /// non-finite ([`Error::NonFiniteUpdate`]) and was refused.
    #[error("update")]
    Update,
    /// The weights, after an update.
    #[error("weights")]
    Weights,
}

impl Divergence {
    /// Which weights training hands back after diverging this way.
    const fn weights_kept(self) -> &'static str {
        match self {
            Divergence::Weights => "the weights were restored to those at the start of the epoch",
            Divergence::Loss | Divergence::Gradient | Divergence::Update => {
                "the weights are those before that batch, all finite"
            }
        }
    }
}

/// What a run-time check of data or memory found wrong ([`Error::Length`],
/// [`Error::NonFinite`], [`Error::BufferTooSmall`]): an enum, so code can tell an input from a
/// target without comparing strings. Its `Display` is the words the messages use.
///
/// ```
/// use dl_core::prelude::*;
/// let e = SVector::<f64, 2>::try_from_slice(&[1.0, f64::NAN], Operand::Input).unwrap_err();
/// assert_eq!(e, Error::NonFinite { what: Operand::Input, index: 1 });
/// assert_eq!(Operand::Input.to_string(), "input");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Operand {
    /// A network input.
    #[error("input")]
    Input,
    /// A target (what a loss compares the output with).
    #[error("target")]
    Target,
    /// The weights a training run starts from.
    #[error("initial weights")]
    InitialWeights,
    /// A caller's buffer for predictions.
    #[error("output buffer")]
    Outputs,
    /// `fit_with`'s per-epoch history.
    #[error("history")]
    History,
    /// `fit_with`'s shuffled sample order.
    #[error("shuffle index buffer")]
    ShuffleIndices,
    /// `fit_with`'s buffer of one batch's inputs.
    #[error("batch input buffer")]
    BatchInputs,
    /// `fit_with`'s buffer of one batch's targets.
    #[error("batch target buffer")]
    BatchTargets,
    /// `fit_with`'s copy of the best weights (early stopping).
    #[error("best-weights copy")]
    BestWeights,
}

/// A hyper-parameter [`Error::InvalidHyperParameter`] names: an enum, so code can tell the
/// learning rate from a beta without comparing strings. Its `Display` is the name the
/// messages use (PyTorch's argument name where it has one).
///
/// ```
/// use dl_core::prelude::*;
/// let err = Sgd::<f64>::new(-0.1).validate().unwrap_err();
/// assert!(matches!(
///     err,
///     Error::InvalidHyperParameter { name: HyperParameter::LearningRate, .. }
/// ));
/// assert_eq!(HyperParameter::L2.to_string(), "l2 (weight_decay)");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HyperParameter {
    /// The learning rate.
    #[error("lr")]
    LearningRate,
    /// Adagrad's learning-rate decay.
    #[error("lr_decay")]
    LearningRateDecay,
    /// The `eps` added to a denominator.
    #[error("eps")]
    Epsilon,
    /// Adagrad's initial value of the sum of squares.
    #[error("initial_accumulator")]
    InitialAccumulator,
    /// Adam's decay of the first moment.
    #[error("beta1")]
    Beta1,
    /// Adam's decay of the second moment.
    #[error("beta2")]
    Beta2,
    /// RMSprop's smoothing constant.
    #[error("alpha")]
    Alpha,
    /// The momentum factor.
    #[error("momentum")]
    Momentum,
    /// SGD's dampening of the momentum.
    #[error("dampening")]
    Dampening,
    /// The L1 penalty.
    #[error("l1")]
    L1,
    /// The L2 penalty (PyTorch's `weight_decay`).
    #[error("l2 (weight_decay)")]
    L2,
    /// AdamW's decoupled weight decay.
    #[error("decoupled weight decay")]
    DecoupledWeightDecay,
    /// The fraction of samples held out for validation.
    #[error("validation_split")]
    ValidationSplit,
    /// The factor a plateau schedule multiplies the learning rate by.
    #[error("factor")]
    PlateauFactor,
}

/// What an update refused by [`Error::NonFiniteUpdate`] would have made non-finite: the
/// parameters or a tensor of the optimizer's state, named as in the optimizer's documentation.
/// Its `Display` is the words the messages use.
///
/// ```
/// use dl_core::prelude::*;
/// // What a refused update names, in the words of the error message.
/// assert_eq!(UpdatedTensor::FirstMoment.to_string(), "first moment m");
/// assert_eq!(UpdatedTensor::Parameters.to_string(), "parameters");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UpdatedTensor {
    /// The parameters themselves.
    #[error("parameters")]
    Parameters,
    /// Adam's first moment `m`.
    #[error("first moment m")]
    FirstMoment,
    /// Adam's second moment `v`.
    #[error("second moment v")]
    SecondMoment,
    /// Adagrad's sum of squares.
    #[error("sum of squares")]
    SumOfSquares,
    /// RMSprop's square average `s`.
    #[error("square average s")]
    SquareAverage,
    /// RMSprop's (centered) average gradient `a`.
    #[error("average gradient a")]
    AverageGradient,
    /// SGD's momentum buffer.
    #[error("momentum buffer")]
    MomentumBuffer,
    /// RMSprop's momentum buffer `b`.
    #[error("momentum buffer b")]
    RmsPropMomentumBuffer,
}
