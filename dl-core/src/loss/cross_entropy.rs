use super::{clamped_ln, divisor_floor, Loss};
use crate::activation::{log_sum_exp, Activation, Kind};
use crate::float::Float;

/// Categorical cross-entropy, `L = -sum_i y_i ln p_i`, for a one-hot (or any probability)
/// target `y`.
///
/// After [`Softmax`](crate::activation::Softmax) it is computed from the logits as
/// `sum_i y_i (lse(z) - z_i)` with `lse(z) = ln sum_j e^{z_j}`, and its gradient is the fused
/// `dL/dz = p sum_i y_i - y`, which is `p - y` for a one-hot target: PyTorch's
/// `CrossEntropyLoss` on logits. Both are finite for any `z`. Without softmax, `ln p` is
/// clamped at -100 and `dL/dp = -y / max(p, 1e-12)`.
///
/// ```
/// use dl_core::prelude::*;
/// let (z, y) = ([0.0, 0.0], [0.0, 1.0]); // logits and a one-hot target
/// let mut p = [0.0f64; 2];
/// Softmax::forward(&z, &mut p);
/// let mut dz = [0.0; 2];
/// let loss = CrossEntropy::value_and_gradient::<f64, Softmax>(&z, &p, &y, &mut dz);
/// assert!((loss - 2f64.ln()).abs() < 1e-15); // -ln 0.5
/// assert!((dz[0] - 0.5).abs() < 1e-15 && (dz[1] + 0.5).abs() < 1e-15); // p - y
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct CrossEntropy;

impl Loss for CrossEntropy {
    const NAME: &'static str = "cross-entropy";
    /// Targets are probabilities: a one-hot class, or any distribution.
    const TARGET_RANGE: Option<(f64, f64)> = Some((0.0, 1.0));
    const TARGET_DOMAIN: &'static str = "probabilities, in [0, 1]";

    #[inline]
    fn of_output<T: Float>(a: &[T], y: &[T]) -> T {
        a.iter()
            .zip(y)
            .fold(T::ZERO, |s, (&a, &y)| s - y * clamped_ln(a))
    }

    #[inline]
    fn output_gradient<T: Float>(a: &[T], y: &[T], d: &mut [T]) {
        let floor = divisor_floor::<T>();
        for ((d, &a), &y) in d.iter_mut().zip(a).zip(y) {
            *d = -y / a.max(floor);
        }
    }

    #[inline]
    fn value<T: Float, A: Activation>(z: &[T], a: &[T], y: &[T]) -> T {
        if A::KIND != Kind::Softmax {
            return Self::of_output(a, y);
        }
        let lse = log_sum_exp(z);
        z.iter()
            .zip(y)
            .fold(T::ZERO, |s, (&z, &y)| s + y * (lse - z))
    }

    #[inline]
    fn value_and_gradient<T: Float, A: Activation>(z: &[T], a: &[T], y: &[T], dz: &mut [T]) -> T {
        if A::KIND != Kind::Softmax {
            Self::output_gradient(a, y, dz);
            A::backward(z, a, dz);
            return Self::of_output(a, y);
        }
        let total = y.iter().fold(T::ZERO, |s, &y| s + y);
        for ((d, &p), &y) in dz.iter_mut().zip(a).zip(y) {
            *d = p * total - y;
        }
        Self::value::<T, A>(z, a, y)
    }
}
