//! Standardisation of features with statistics that stay finite for any finite data.

use super::dataset::Dataset;
use super::error::DataError;
use crate::float::Float;
use nalgebra::SVector;
use std::vec::Vec;

/// Standardisation, `x' = (x - mean) / std` per feature, with the mean and the (population)
/// standard deviation of the rows it was fitted on, as scikit-learn's `StandardScaler`. A
/// constant feature keeps scale 1, so it maps to 0 instead of dividing by zero.
///
/// Fit it on the training rows only and apply it to every part: statistics of the test rows
/// must not leak into training.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Standardizer<T, const F: usize> {
    /// Each feature's mean.
    pub mean: SVector<T, F>,
    /// Each feature's standard deviation (1 where it is 0).
    pub scale: SVector<T, F>,
}

impl<T: Float, const F: usize> Standardizer<T, F> {
    /// The mean and standard deviation of each feature over `rows` (computed in `f64`, and
    /// finite for any finite data: see [`column_statistics`]).
    ///
    /// Errors: [`DataError::Empty`] if `rows` has no rows.
    pub fn fit(rows: &Dataset<T, F>) -> Result<Self, DataError> {
        if rows.is_empty() {
            return Err(DataError::Empty {
                path: rows.path.clone(),
            });
        }
        let mut mean = SVector::<T, F>::zeros();
        let mut scale = SVector::<T, F>::zeros();
        for j in 0..F {
            let (m, sd) = column_statistics(rows.samples.iter().map(|s| s.features[j].as_f64()));
            mean[j] = T::cast(m);
            // A deviation that rounds to 0 in `T` (f32 values one subnormal apart) counts as
            // a constant feature.
            let sd = T::cast(sd);
            scale[j] = if sd > T::ZERO { sd } else { T::ONE };
        }
        Ok(Standardizer { mean, scale })
    }

    /// One row, standardised: `(x - mean) / scale` in `T`; where that overflows (`x` and the
    /// mean near `T`'s largest values, of opposite signs), the same quotient from halved
    /// operands in `f64`, which is finite (at most `sqrt(n - 1)` for a row of the `n` it was
    /// fitted on).
    pub fn transform(&self, x: &SVector<T, F>) -> SVector<T, F> {
        let mut z = (x - self.mean).component_div(&self.scale);
        for ((z, &x), (&m, &s)) in z
            .iter_mut()
            .zip(x.iter())
            .zip(self.mean.iter().zip(self.scale.iter()))
        {
            if !z.finite() {
                let (x, m, s) = (x.as_f64(), m.as_f64(), s.as_f64());
                *z = T::cast((x / 2.0 - m / 2.0) / s * 2.0);
            }
        }
        z
    }

    /// Every row's features, standardised.
    pub fn apply(&self, rows: &Dataset<T, F>) -> Vec<SVector<T, F>> {
        rows.samples
            .iter()
            .map(|s| self.transform(&s.features))
            .collect()
    }
}

/// The mean and population standard deviation of `values` (all finite), both finite
/// whatever their size: the sums are taken over `x / 2^e`, with `2^e` the power of two at or
/// below the largest `|x|` (an exact scaling, so ordinary data gets the textbook result bit
/// for bit), and the results are clamped to the range the exact ones lie in (the mean between
/// the smallest and the largest value, the deviation at most half their spread). Summing
/// `1e308 + 1e308` directly gave an infinite mean and a NaN standardisation. `(0, 0)` for no
/// values.
pub fn column_statistics(values: impl Iterator<Item = f64> + Clone) -> (f64, f64) {
    let (mut n, mut low, mut high) = (0usize, f64::INFINITY, f64::NEG_INFINITY);
    for x in values.clone() {
        n += 1;
        low = low.min(x);
        high = high.max(x);
    }
    let largest = low.abs().max(high.abs());
    if n == 0 || largest == 0.0 {
        return (0.0, 0.0);
    }
    // 2^e <= largest < 2^(e + 1), e at most 1023; subnormal data is left unscaled.
    let exponent = ((largest.to_bits() >> 52) & 0x7ff) as i32 - 1023;
    let unit = if exponent > -1023 {
        f64::from_bits(((exponent + 1023) as u64) << 52)
    } else {
        1.0
    };
    let count = n as f64;
    let mean = values.clone().map(|x| x / unit).sum::<f64>() / count;
    let var = values
        .map(|x| (x / unit - mean) * (x / unit - mean))
        .sum::<f64>()
        / count;
    let mean = (mean * unit).clamp(low, high);
    let sd = (var.sqrt() * unit).min(high / 2.0 - low / 2.0);
    (mean, sd)
}
