//! Loss functions, with PyTorch's reductions: MSE and binary cross-entropy are means over the
//! output elements; cross-entropy is a sum over classes. Training averages every loss over
//! the mini-batch, as PyTorch's `reduction="mean"` does.
//!
//! A loss sees the last layer's pre-activations `z` as well as its outputs `a`, so it can use
//! the fused, numerically stable forms: softmax + cross-entropy gives `dL/dz = p - y`, sigmoid +
//! binary cross-entropy gives `dL/dz = (a - y) / n`, and both losses are computed from `z`
//! with a log-sum-exp, finite even for pre-activations of +-1000.

mod binary_cross_entropy;
mod cross_entropy;
mod mse;

pub use binary_cross_entropy::BinaryCrossEntropy;
pub use cross_entropy::CrossEntropy;
pub use mse::Mse;

use crate::activation::Activation;
use crate::float::Float;

/// A loss `L(a, y)` between a network's output and its target.
///
/// ```
/// use dl_core::prelude::*;
/// let (a, y) = ([0.5f64, 1.5], [1.0, 1.0]);
/// // PyTorch's MSELoss: the mean of the squared differences, and its gradient 2 (a - y) / n.
/// assert_eq!(Mse::of_output(&a, &y), 0.25);
/// let mut d = [0.0; 2];
/// Mse::output_gradient(&a, &y, &mut d);
/// assert_eq!(d, [-0.5, 0.5]);
/// assert_eq!((Mse::NAME, CrossEntropy::NAME), ("mse", "cross-entropy"));
/// ```
pub trait Loss {
    /// The loss's name, for tables and error messages.
    const NAME: &'static str;

    /// The closed range every target entry must lie in, if the loss has one (the training
    /// functions refuse other targets with
    /// [`Error::TargetOutOfDomain`](crate::error::Error::TargetOutOfDomain)); `None` for a
    /// loss defined for any finite target.
    const TARGET_RANGE: Option<(f64, f64)> = None;

    /// [`TARGET_RANGE`](Self::TARGET_RANGE) in words, for the error message.
    const TARGET_DOMAIN: &'static str = "finite";

    /// The loss from the output alone (used by inference-time evaluation).
    fn of_output<T: Float>(a: &[T], y: &[T]) -> T;

    /// `dL/da`, written into `d`.
    fn output_gradient<T: Float>(a: &[T], y: &[T], d: &mut [T]);

    /// The loss given the last layer's pre-activations `z` and outputs `a = A(z)`.
    /// Losses with a fused form for `A` override this to compute it from `z`.
    #[inline]
    fn value<T: Float, A: Activation>(_z: &[T], a: &[T], y: &[T]) -> T {
        Self::of_output(a, y)
    }

    /// The loss and `dL/dz`, written into `dz`. The default chains `dL/da` through
    /// `A::backward`; losses with a fused form for `A` override it.
    #[inline]
    fn value_and_gradient<T: Float, A: Activation>(z: &[T], a: &[T], y: &[T], dz: &mut [T]) -> T {
        Self::output_gradient(a, y, dz);
        A::backward(z, a, dz);
        Self::of_output(a, y)
    }
}

/// `ln x`, clamped below at -100 as PyTorch's `BCELoss` does, so `ln 0` stays finite.
#[inline]
pub(crate) fn clamped_ln<T: Float>(x: T) -> T {
    let floor = T::cast(-100.0);
    if x > T::ZERO {
        let l = x.ln();
        if l > floor {
            l
        } else {
            floor
        }
    } else {
        floor
    }
}

/// The floor PyTorch's `BCELoss` backward puts under the divisor `a (1 - a)`; we use it for
/// every division by a probability, so gradients stay finite (at most `1e12 |a - y|`).
#[inline]
pub(crate) fn divisor_floor<T: Float>() -> T {
    T::cast(1e-12)
}
