use super::{clamped_ln, divisor_floor, Loss};
use crate::activation::{Activation, Kind};
use crate::float::Float;

/// Binary cross-entropy, `L = -(1/n) sum_i [y_i ln a_i + (1 - y_i) ln(1 - a_i)]`, the mean over
/// the `n` outputs (PyTorch's `BCELoss`).
///
/// After a [`Sigmoid`](crate::activation::Sigmoid) it is computed from the logits as
/// `max(z, 0) - z y + ln(1 + e^{-|z|})` (PyTorch's `BCEWithLogitsLoss`) with the fused gradient
/// `dL/dz = (a - y) / n`, both exact for any `z`. Otherwise logarithms are clamped at -100
/// and the gradient is `(a - y) / max(a (1 - a), 1e-12) / n`, as PyTorch does.
///
/// ```
/// use dl_core::prelude::*;
/// // From the sigmoid's logit: exact even where the probability rounds to 1.
/// let (z, y) = ([40.0], [0.0]);
/// let mut a = [0.0f64];
/// Sigmoid::forward(&z, &mut a);
/// let mut dz = [0.0];
/// let loss = BinaryCrossEntropy::value_and_gradient::<f64, Sigmoid>(&z, &a, &y, &mut dz);
/// assert!((loss - 40.0).abs() < 1e-12); // max(z, 0) - z y + ln(1 + e^-|z|)
/// assert_eq!(dz, [a[0] - y[0]]); // (a - y) / n
/// let from_output = BinaryCrossEntropy::of_output(&[0.5], &[1.0]);
/// assert!((from_output - 2f64.ln()).abs() < 1e-15);
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct BinaryCrossEntropy;

impl Loss for BinaryCrossEntropy {
    const NAME: &'static str = "binary cross-entropy";
    /// Targets are probabilities of the positive class.
    const TARGET_RANGE: Option<(f64, f64)> = Some((0.0, 1.0));
    const TARGET_DOMAIN: &'static str = "probabilities, in [0, 1]";

    #[inline]
    fn of_output<T: Float>(a: &[T], y: &[T]) -> T {
        let n = T::cast(a.len() as f64);
        let s = a.iter().zip(y).fold(T::ZERO, |s, (&a, &y)| {
            s - (y * clamped_ln(a) + (T::ONE - y) * clamped_ln(T::ONE - a))
        });
        s / n
    }

    #[inline]
    fn output_gradient<T: Float>(a: &[T], y: &[T], d: &mut [T]) {
        let n = T::cast(a.len() as f64);
        let floor = divisor_floor::<T>();
        for ((d, &a), &y) in d.iter_mut().zip(a).zip(y) {
            *d = (a - y) / ((T::ONE - a) * a).max(floor) / n;
        }
    }

    #[inline]
    fn value<T: Float, A: Activation>(z: &[T], a: &[T], y: &[T]) -> T {
        if A::KIND != Kind::Sigmoid {
            return Self::of_output(a, y);
        }
        let n = T::cast(a.len() as f64);
        let s = z.iter().zip(y).fold(T::ZERO, |s, (&z, &y)| {
            s + z.max(T::ZERO) - z * y + (T::ONE + (-z.abs()).exp()).ln()
        });
        s / n
    }

    #[inline]
    fn value_and_gradient<T: Float, A: Activation>(z: &[T], a: &[T], y: &[T], dz: &mut [T]) -> T {
        if A::KIND != Kind::Sigmoid {
            Self::output_gradient(a, y, dz);
            A::backward(z, a, dz);
            return Self::of_output(a, y);
        }
        let n = T::cast(a.len() as f64);
        for ((d, &a), &y) in dz.iter_mut().zip(a).zip(y) {
            *d = (a - y) / n;
        }
        Self::value::<T, A>(z, a, y)
    }
}
