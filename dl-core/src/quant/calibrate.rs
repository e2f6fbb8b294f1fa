//! Post-training quantisation of float layers: activation ranges observed over calibration
//! data, and per-channel symmetric int8 weights with int32 biases.

use super::params::{FusedActivation, QuantParams};
use super::weights::{quantize_bias, quantize_weight, symmetric_scale, QuantError};
use super::{QConv2D, QDense};
use crate::activation::{Activation, Identity};
use crate::layer::{Conv2D, Dense, Layer};
use nalgebra::SVector;

/// The range of one activation (a network input or a layer output) seen over the calibration
/// data, always holding 0 (so that 0 and a ReLU's floor quantise exactly, as in TFLite).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Range {
    /// The smallest value seen, at most 0.
    pub min: f32,
    /// The largest value seen, at least 0.
    pub max: f32,
}

impl Default for Range {
    fn default() -> Self {
        Range { min: 0.0, max: 0.0 }
    }
}

impl Range {
    /// Widens the range to hold `values`; NaN or infinity is refused (`what`, and the index
    /// of the calibration sample).
    pub fn observe(
        &mut self,
        values: &[f32],
        what: &'static str,
        sample: usize,
    ) -> Result<(), QuantError> {
        for &v in values {
            if !v.is_finite() {
                return Err(QuantError::NonFinite {
                    what,
                    index: sample,
                });
            }
            self.min = self.min.min(v);
            self.max = self.max.max(v);
        }
        Ok(())
    }

    /// TFLite's scale and zero point for the range ([`QuantParams::from_range`]).
    pub fn params(self) -> QuantParams {
        // A finite range always gives parameters; the fallback is unreachable.
        QuantParams::from_range(self.min, self.max).unwrap_or(QuantParams {
            scale: 1.0,
            zero_point: 0,
        })
    }
}

/// `round(b / (s_in * s_w))` for output channel `o`, refusing a NaN or infinite bias.
fn finite_bias(b: f32, input: QuantParams, weight_scale: f32, o: usize) -> Result<i32, QuantError> {
    if !b.is_finite() {
        return Err(QuantError::NonFinite {
            what: "bias",
            index: o,
        });
    }
    Ok(quantize_bias(b, input.scale, weight_scale))
}

impl<const I: usize, const O: usize> QDense<I, O> {
    /// A float layer quantised: each weight row symmetric on its own scale `max |w| / 127`,
    /// each bias on `s_in * s_w[o]`, the output rescale and clamp as [`QDense::new`].
    pub fn from_float<A: Activation>(
        layer: &Dense<f32, I, O, A>,
        input: QuantParams,
        output: QuantParams,
        activation: FusedActivation,
    ) -> Result<Self, QuantError> {
        let mut weight = [[0i8; I]; O];
        let mut bias = [0i32; O];
        let mut scales = [0f32; O];
        for o in 0..O {
            let s = symmetric_scale((0..I).map(|i| layer.weight[(o, i)]))?;
            for (i, w) in weight[o].iter_mut().enumerate() {
                *w = quantize_weight(layer.weight[(o, i)], s);
            }
            bias[o] = finite_bias(layer.bias[o], input, s, o)?;
            scales[o] = s;
        }
        Self::new(weight, bias, &scales, input, output, activation)
    }
}

impl<
        const CI: usize,
        const CO: usize,
        const K: usize,
        const S: usize,
        const P: usize,
        const H: usize,
        const W: usize,
        const OH: usize,
        const OW: usize,
    > QConv2D<CI, CO, K, S, P, H, W, OH, OW>
{
    /// A float convolution quantised as [`QDense::from_float`], one scale an output channel.
    #[allow(clippy::type_complexity)]
    pub fn from_float<const PATCH: usize, const IN: usize, const OUT: usize, A: Activation>(
        layer: &Conv2D<f32, CI, H, W, CO, K, S, P, PATCH, IN, OUT, A>,
        input: QuantParams,
        output: QuantParams,
        activation: FusedActivation,
    ) -> Result<Self, QuantError> {
        let mut bias = [0i32; CO];
        let mut scales = [0f32; CO];
        for (o, (b, s)) in bias.iter_mut().zip(&mut scales).enumerate() {
            *s = symmetric_scale((0..PATCH).map(|j| layer.weight[(o, j)]))?;
            *b = finite_bias(layer.bias[o], input, *s, o)?;
        }
        let weight = Self::filter_from_fn(|o, c, u, v| {
            quantize_weight(layer.weight[(o, (c * K + u) * K + v)], scales[o])
        });
        Self::new(weight, bias, &scales, input, output, activation)
    }
}

/// A layer's output before its activation, `z = W x + b`: what calibration observes for a
/// layer whose Sigmoid or Tanh is an int8 layer of its own (its input's range is `z`'s).
pub trait PreActivation<const IN: usize, const OUT: usize> {
    /// `z` for one sample.
    fn pre_activation(&self, x: &SVector<f32, IN>) -> SVector<f32, OUT>;
}

impl<const I: usize, const O: usize, A: Activation> PreActivation<I, O> for Dense<f32, I, O, A> {
    fn pre_activation(&self, x: &SVector<f32, I>) -> SVector<f32, O> {
        self.weight * x + self.bias
    }
}

impl<
        const CI: usize,
        const H: usize,
        const W: usize,
        const CO: usize,
        const K: usize,
        const S: usize,
        const P: usize,
        const PATCH: usize,
        const IN: usize,
        const OUT: usize,
        A: Activation,
    > PreActivation<IN, OUT> for Conv2D<f32, CI, H, W, CO, K, S, P, PATCH, IN, OUT, A>
{
    /// The same kernels and biases with the identity for activation.
    fn pre_activation(&self, x: &SVector<f32, IN>) -> SVector<f32, OUT> {
        let z = Conv2D::<f32, CI, H, W, CO, K, S, P, PATCH, IN, OUT, Identity>::from_parts(
            self.weight,
            self.bias,
        );
        z.forward(x)
    }
}
