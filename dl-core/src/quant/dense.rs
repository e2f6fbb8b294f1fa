//! An int8 fully connected layer: TFLite's `FULLY_CONNECTED` with int8 input and output,
//! symmetric int8 weights (one scale per output) and int32 bias.

use super::fixed_point::Multiplier;
use super::params::{FusedActivation, QuantParams};
use super::weights::{dot_i8, per_channel_multipliers, QuantError};

/// `y[o] = clamp(z_out + M_o(b[o] + sum_i W[o][i] (x[i] - z_in)), act_min, act_max)`, where
/// `M_o` is the fixed-point rescale by `s_in * s_w[o] / s_out` ([`Multiplier`]), rounded once
/// ([`Multiplier::apply_single`]). This is LiteRT's int8 `FULLY_CONNECTED` (per-channel when
/// the scales differ) to the bit; TFLite Micro's reference kernel rounds twice and can differ
/// by one output step on ties (see [`super::fixed_point`]).
///
/// The input zero point is folded into the accumulator's start,
/// `acc0[o] = b[o] - z_in * sum_i W[o][i]`: the same int32 value, one subtraction fewer a
/// multiply-add (CMSIS-NN does the same).
#[derive(Clone, Debug, PartialEq)]
pub struct QDense<const I: usize, const O: usize> {
    /// `W` as TFLite stores it: `O` rows of `I` int8 values.
    pub weight: [[i8; I]; O],
    /// TFLite's int32 bias, scale `s_in * s_w[o]`.
    pub bias: [i32; O],
    /// The output rescale of each row.
    pub rescale: [Multiplier; O],
    /// Input scale and zero point.
    pub input: QuantParams,
    /// Output scale and zero point.
    pub output: QuantParams,
    /// Lower clamp of the output (the fused activation).
    pub act_min: i8,
    /// Upper clamp of the output.
    pub act_max: i8,
    acc0: [i32; O],
}

impl<const I: usize, const O: usize> QDense<I, O> {
    /// A layer from TFLite's quantities: int8 weights, int32 bias, one weight scale per output
    /// row (TFLite's per-tensor case repeats one scale), the input and output parameters, and
    /// the fused activation. The rescales are computed as TFLite computes them
    /// (`QuantizeMultiplier(s_in * s_w[o] / s_out)` in double precision).
    pub fn new(
        weight: [[i8; I]; O],
        bias: [i32; O],
        weight_scales: &[f32; O],
        input: QuantParams,
        output: QuantParams,
        activation: FusedActivation,
    ) -> Result<Self, QuantError> {
        let rescale = per_channel_multipliers(input, weight_scales, output)?;
        let (act_min, act_max) = activation.range(output);
        Ok(Self::from_raw(
            weight, bias, rescale, input, output, act_min, act_max,
        ))
    }

    /// A layer from every stored quantity, rescales included (what a byte image or a
    /// compile-time import holds); `const`, so a quantised network can be a `static` in flash.
    pub const fn from_raw(
        weight: [[i8; I]; O],
        bias: [i32; O],
        rescale: [Multiplier; O],
        input: QuantParams,
        output: QuantParams,
        act_min: i8,
        act_max: i8,
    ) -> Self {
        let mut acc0 = [0i32; O];
        let mut o = 0;
        while o < O {
            let mut sum = 0i32;
            let mut i = 0;
            while i < I {
                sum = sum.wrapping_add(weight[o][i] as i32);
                i += 1;
            }
            acc0[o] = bias[o].wrapping_sub(input.zero_point.wrapping_mul(sum));
            o += 1;
        }
        QDense {
            weight,
            bias,
            rescale,
            input,
            output,
            act_min,
            act_max,
            acc0,
        }
    }

    /// The int8 forward pass of one sample.
    #[inline]
    pub fn forward(&self, x: &[i8; I]) -> [i8; O] {
        let mut y = [0i8; O];
        for (o, y) in y.iter_mut().enumerate() {
            let acc = self.acc0[o].wrapping_add(dot_i8(&self.weight[o], x));
            let v = self.rescale[o]
                .apply_single(acc)
                .wrapping_add(self.output.zero_point);
            *y = v.clamp(self.act_min as i32, self.act_max as i32) as i8;
        }
        y
    }
}
