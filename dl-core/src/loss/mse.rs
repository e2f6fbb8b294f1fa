use super::Loss;
use crate::float::Float;

/// Mean squared error, `L = (1/n) sum_i (a_i - y_i)^2`, `dL/da_i = 2 (a_i - y_i) / n`.
///
/// The mean over the `n` outputs is PyTorch's `MSELoss` convention.
///
/// ```
/// use dl_core::prelude::*;
/// let (a, y) = ([1.0, 3.0], [0.0, 1.0]);
/// assert_eq!(Mse::of_output::<f64>(&a, &y), 2.5); // ((1 - 0)^2 + (3 - 1)^2) / 2
/// let mut d = [0.0; 2];
/// Mse::output_gradient(&a, &y, &mut d);
/// assert_eq!(d, [1.0, 2.0]); // 2 (a - y) / n
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct Mse;

impl Loss for Mse {
    const NAME: &'static str = "mse";

    #[inline]
    fn of_output<T: Float>(a: &[T], y: &[T]) -> T {
        let n = T::cast(a.len() as f64);
        a.iter()
            .zip(y)
            .fold(T::ZERO, |s, (&a, &y)| s + (a - y) * (a - y))
            / n
    }

    #[inline]
    fn output_gradient<T: Float>(a: &[T], y: &[T], d: &mut [T]) {
        let k = T::cast(2.0 / a.len() as f64);
        for ((d, &a), &y) in d.iter_mut().zip(a).zip(y) {
            *d = k * (a - y);
        }
    }
}
