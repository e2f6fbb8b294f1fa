//! int8 Softmax: TFLite's `SOFTMAX` (beta 1) with int8 input and output, as its reference
//! kernel computes it (`reference_ops::Softmax`, LiteRT's reference op resolver and TFLite
//! Micro alike), in gemmlowp's fixed point ([`super::exp`]).
//!
//! For each input `x[c]`, the difference `d = x[c] - max(x)` (an int8 step count, `<= 0`) is
//! rescaled to Q5.26 by the multiplier of `s_in * 2^26` ([`Multiplier`], a left shift), its
//! `exp` taken in Q0.31 and summed in Q12.19; differences below `diff_min` (where `exp` is
//! under one output step) count as 0. Each output is `exp(d) / sum`, scaled to 256 steps and
//! shifted by -128: scale 1/256, zero point -128.
//!
//! LiteRT's optimised kernel computes the exponentials from a float table instead; on the
//! fixtures of `tests/fixtures/tflite` (11,056 outputs) it gives the same outputs as this.

use super::exp::{exp_on_negative_values, multiply_by_pot, reciprocal};
use super::fixed_point::{
    rounding_divide_by_pot, saturating_rounding_doubling_high_mul as mul, Multiplier,
};
use super::params::QuantParams;
use super::weights::QuantError;

/// Integer bits of the rescaled differences (Q5.26).
const DIFF_INTEGER_BITS: i32 = 5;
/// Integer bits of the sum of exponentials (Q12.19).
const SUM_INTEGER_BITS: i32 = 12;

/// See the module documentation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct QSoftmax<const N: usize> {
    /// Input scale and zero point (the previous layer's output).
    pub input: QuantParams,
    /// Output scale and zero point: 1/256 and -128.
    pub output: QuantParams,
    /// The rescale of a difference to Q5.26, `s_in * 2^26` (a shift of 0 or more).
    pub rescale: Multiplier,
    /// The smallest difference whose exponential counts (`<= 0`).
    pub diff_min: i32,
}

impl<const N: usize> QSoftmax<N> {
    /// The output quantisation of TFLite's int8 Softmax.
    pub const OUTPUT: QuantParams = QuantParams {
        scale: 1.0 / 256.0,
        zero_point: -128,
    };

    /// The layer for an input quantised by `input`, as TFLite's `SoftmaxPrepare` computes it
    /// (`PreprocessSoftmaxScaling` with beta 1: `QuantizeMultiplierGreaterThanOne(min(s_in *
    /// 2^26, 2^31 - 1))`; `diff_min = -floor(31 * 2^26 / 2^shift)`). An input scale below
    /// 2^-26 or above 32 has no such multiplier (no real model has one).
    pub const fn new(input: QuantParams) -> Result<Self, QuantError> {
        let (real, cap) = (
            input.scale as f64 * (1u64 << 26) as f64,
            ((1u64 << 31) - 1) as f64,
        );
        match Multiplier::from_real(if real < cap { real } else { cap }) {
            Some(rescale) if rescale.shift() >= 0 => Ok(Self::from_raw(input, rescale)),
            _ => Err(QuantError::Rescale { channel: 0 }),
        }
    }

    /// The layer from its stored rescale; `const`, for weights in flash. A rescale that
    /// shifts right (none from [`Self::new`]) is read as a shift of 0.
    pub const fn from_raw(input: QuantParams, rescale: Multiplier) -> Self {
        // The input radius: (2^5 - 1) * 2^26 / 2^shift, floored (exact in f64, so integer).
        let shift = if rescale.shift() > 0 {
            rescale.shift() as u32
        } else {
            0
        };
        QSoftmax {
            input,
            output: Self::OUTPUT,
            rescale,
            diff_min: -(((31i64 << 26) >> shift) as i32),
        }
    }

    /// `exp(d)` in Q0.31 for a difference `d` (`diff_min <= d <= 0`).
    #[inline]
    fn exp(&self, d: i32) -> i32 {
        let shift = self.rescale.shift().max(0) as u32;
        let scaled = mul(d.wrapping_mul(1 << shift), self.rescale.multiplier());
        exp_on_negative_values(scaled, DIFF_INTEGER_BITS)
    }

    /// The int8 forward pass of one vector.
    pub fn forward(&self, x: &[i8; N]) -> [i8; N] {
        let max = x.iter().fold(i8::MIN, |m, &v| m.max(v)) as i32;
        let mut sum = 0i32;
        for &v in x {
            let d = v as i32 - max;
            if d >= self.diff_min {
                sum = sum.wrapping_add(multiply_by_pot(self.exp(d), -SUM_INTEGER_BITS));
            }
        }
        let (scale, bits_over_unit) = reciprocal(sum, SUM_INTEGER_BITS);
        // 0..=31 for any sum of at most 2^12 exponentials (the largest is 1).
        let exponent = (bits_over_unit + 31 - 8).clamp(0, 31) as u32;
        x.map(|v| {
            let d = v as i32 - max;
            if d < self.diff_min {
                return i8::MIN;
            }
            let unsat = rounding_divide_by_pot(mul(scale, self.exp(d)), exponent);
            (unsat - 128).clamp(-128, 127) as i8
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outputs_are_probabilities() {
        let input = QuantParams::new(0.1, 0).unwrap();
        let s = QSoftmax::<4>::new(input).unwrap();
        let x = [10i8, 0, -10, 20];
        let y = s.forward(&x);
        let e = x.map(|v| libm::exp(v as f64 * 0.1));
        let sum: f64 = e.iter().sum();
        for (y, e) in y.iter().zip(&e) {
            let p = (*y as f64 + 128.0) / 256.0;
            assert!((p - e / sum).abs() <= 1.0 / 256.0, "{p} vs {}", e / sum);
        }
        // Equal inputs share the mass.
        assert_eq!(s.forward(&[5, 5, 5, 5]), [-64; 4]);
        assert!(QSoftmax::<4>::new(QuantParams::new(1e-9, 0).unwrap()).is_err());
    }
}
