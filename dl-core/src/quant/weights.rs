//! What every quantised layer with weights shares: the int8 dot product, the per-channel
//! rescales, symmetric per-channel weight quantisation, and the errors of building a layer.

use super::fixed_point::Multiplier;
use super::params::QuantParams;

/// Why a quantised layer could not be built from its parameters.
#[derive(Clone, Copy, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum QuantError {
    /// A scale was zero, negative or not finite, or a zero point did not fit int8.
    #[error(
        "{what} {index} is out of range (scale must be finite and > 0, zero point in -128..=127)"
    )]
    Params {
        /// Which quantity, e.g. `"weight scale"`.
        what: &'static str,
        /// Its index (the channel), 0 for a per-tensor quantity.
        index: usize,
    },
    /// The rescale `s_in * s_w / s_out` is too large for TFLite's fixed-point form (above 2^30).
    #[error("the output rescale of channel {channel} is too large for a fixed-point multiplier")]
    Rescale {
        /// The output channel.
        channel: usize,
    },
    /// A value to quantise (a weight, a bias or calibration data) was NaN or infinite.
    #[error("{what} {index} is NaN or infinite")]
    NonFinite {
        /// What held it.
        what: &'static str,
        /// Its index.
        index: usize,
    },
}

/// `sum_i w[i] * x[i]` in int32, four products a step (the accumulator of every int8 layer;
/// int8 products summed over fewer than 2^17 terms cannot overflow).
#[inline]
pub fn dot_i8<const N: usize>(w: &[i8; N], x: &[i8; N]) -> i32 {
    let mut acc = 0i32;
    let (w4, wr) = w.as_chunks::<4>();
    let (x4, xr) = x.as_chunks::<4>();
    for (w, x) in w4.iter().zip(x4) {
        acc += w[0] as i32 * x[0] as i32
            + w[1] as i32 * x[1] as i32
            + w[2] as i32 * x[2] as i32
            + w[3] as i32 * x[3] as i32;
    }
    for (w, x) in wr.iter().zip(xr) {
        acc += *w as i32 * *x as i32;
    }
    acc
}

/// `QuantizeMultiplier(s_in * s_w[c] / s_out)` for each channel, in double precision as
/// TFLite's `PopulateConvolutionQuantizationParams` computes it; `const`.
pub const fn per_channel_multipliers<const C: usize>(
    input: QuantParams,
    weight_scales: &[f32; C],
    output: QuantParams,
) -> Result<[Multiplier; C], QuantError> {
    let mut out = [Multiplier::ZERO; C];
    let mut c = 0;
    while c < C {
        let s = weight_scales[c];
        if !(s.is_finite() && s > 0.0) {
            return Err(QuantError::Params {
                what: "weight scale",
                index: c,
            });
        }
        let real = input.scale as f64 * s as f64 / output.scale as f64;
        out[c] = match Multiplier::from_real(real) {
            Some(m) => m,
            None => return Err(QuantError::Rescale { channel: c }),
        };
        c += 1;
    }
    Ok(out)
}

/// The symmetric scale of one output channel's float weights, `max |w| / 127` (1 for an
/// all-zero channel, so that every weight quantises to 0).
pub fn symmetric_scale(values: impl Iterator<Item = f32>) -> Result<f32, QuantError> {
    let mut max = 0f32;
    for (i, v) in values.enumerate() {
        if !v.is_finite() {
            return Err(QuantError::NonFinite {
                what: "weight",
                index: i,
            });
        }
        max = max.max(v.abs());
    }
    Ok(if max == 0.0 { 1.0 } else { max / 127.0 })
}

/// `round(w / scale)` clamped to `-127..=127`: a symmetric int8 weight.
#[inline]
pub fn quantize_weight(w: f32, scale: f32) -> i8 {
    (libm::roundf(w / scale) as i32).clamp(-127, 127) as i8
}

/// `round(b / (s_in * s_w))` as int32, saturating: a bias on its accumulator's scale.
#[inline]
pub fn quantize_bias(b: f32, input_scale: f32, weight_scale: f32) -> i32 {
    let q = libm::round(b as f64 / (input_scale as f64 * weight_scale as f64));
    q.clamp(i32::MIN as f64, i32::MAX as f64) as i32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_product_covers_the_tail() {
        let w = [1i8, -2, 3, -4, 5, -6, 127];
        let x = [-128i8, 127, 1, 1, 1, 1, -128];
        let want: i32 = w.iter().zip(&x).map(|(&a, &b)| a as i32 * b as i32).sum();
        assert_eq!(dot_i8(&w, &x), want);
    }

    #[test]
    fn symmetric_weights_refuse_non_finite_values() {
        assert_eq!(symmetric_scale([0.5, -1.27].into_iter()).unwrap(), 0.01);
        assert!(symmetric_scale([0.5, f32::NAN].into_iter()).is_err());
        assert_eq!(quantize_weight(-1.27, 0.01), -127);
        assert_eq!(quantize_weight(5.0, 0.01), 127);
        assert_eq!(quantize_bias(1.0, 0.5, 0.25), 8);
    }
}
