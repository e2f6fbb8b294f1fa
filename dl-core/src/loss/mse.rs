use super::Loss;
use crate::float::Float;

/// Mean squared error, `L = (1/n) sum_i (a_i - y_i)^2`, `dL/da_i = 2 (a_i - y_i) / n`.
///
/// The mean over the `n` outputs is PyTorch's `MSELoss` convention.
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
