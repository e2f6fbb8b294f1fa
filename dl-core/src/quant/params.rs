//! TFLite's int8 quantisation scheme: `real = scale * (q - zero_point)`.
//!
//! Activations are int8 with a zero point in `-128..=127`; weights are int8, symmetric
//! (zero point 0, values in `-127..=127`), one scale per output channel; biases are int32 with
//! scale `input_scale * weight_scale[c]` and zero point 0. A fused ReLU or identity is the clamp
//! of the requantised output to `[act_min, act_max]`, computed as TFLite's
//! `CalculateActivationRangeQuantized` does.

/// Scale and zero point of an int8 tensor.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct QuantParams {
    /// `scale > 0`.
    pub scale: f32,
    /// In `-128..=127`.
    pub zero_point: i32,
}

impl QuantParams {
    /// Checked parameters: a finite scale above zero and a zero point an int8 can hold.
    pub fn new(scale: f32, zero_point: i32) -> Option<QuantParams> {
        (scale.is_finite() && scale > 0.0 && (-128..=127).contains(&zero_point))
            .then_some(QuantParams { scale, zero_point })
    }

    /// The parameters TFLite's converter chooses for an observed range `[min, max]`: the range
    /// is widened to hold 0, `scale = (max - min) / 255` and the zero point is
    /// `-128 - min / scale` rounded and clamped (TFLite's `ChooseQuantizationParams`, nudged).
    /// `None` for a non-finite range.
    pub fn from_range(min: f32, max: f32) -> Option<QuantParams> {
        if !(min.is_finite() && max.is_finite()) || min > max {
            return None;
        }
        let (min, max) = (min.min(0.0) as f64, max.max(0.0) as f64);
        if max == min {
            return QuantParams::new(1.0, 0);
        }
        let scale = (max - min) / 255.0;
        let zero_from_min = -128.0 - min / scale;
        let zero_from_max = 127.0 - max / scale;
        let err_min = 128.0f64.abs() + (min / scale).abs();
        let err_max = 127.0f64.abs() + (max / scale).abs();
        let zero = if err_min < err_max {
            zero_from_min
        } else {
            zero_from_max
        };
        let zero = libm::round(zero.clamp(-128.0, 127.0)) as i32;
        QuantParams::new(scale as f32, zero)
    }

    /// `zero_point + round(x / scale)` clamped to int8: TFLite's `AffineQuantize` (float
    /// division, ties away from zero).
    #[inline]
    pub fn quantize(self, x: f32) -> i8 {
        let q = libm::roundf(x / self.scale) as i32 + self.zero_point;
        q.clamp(-128, 127) as i8
    }

    /// `scale * (q - zero_point)`: TFLite's `Dequantize`.
    #[inline]
    pub fn dequantize(self, q: i8) -> f32 {
        self.scale * (q as i32 - self.zero_point) as f32
    }
}

/// The activation fused into a quantised layer: the clamp of its int8 output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FusedActivation {
    /// No clamp beyond int8's range.
    Identity,
    /// Outputs below real 0 clamp to the zero point.
    Relu,
    /// Real outputs clamp to `[0, 6]`.
    Relu6,
}

impl FusedActivation {
    /// `[act_min, act_max]` for an output quantised by `out`: TFLite's
    /// `CalculateActivationRangeQuantized` for int8.
    pub fn range(self, out: QuantParams) -> (i8, i8) {
        match self {
            FusedActivation::Identity => (-128, 127),
            FusedActivation::Relu => (out.quantize(0.0), 127),
            FusedActivation::Relu6 => (out.quantize(0.0), out.quantize(6.0)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantize_rounds_away_from_zero_and_saturates() {
        let p = QuantParams::new(0.5, -3).unwrap();
        assert_eq!(p.quantize(0.25), -2);
        assert_eq!(p.quantize(-0.25), -4);
        assert_eq!(p.quantize(1e9), 127);
        assert_eq!(p.quantize(-1e9), -128);
        assert_eq!(p.dequantize(-1), 1.0);
        assert!(QuantParams::new(0.0, 0).is_none());
        assert!(QuantParams::new(1.0, 128).is_none());
        assert!(QuantParams::new(f32::NAN, 0).is_none());
    }

    #[test]
    fn ranges_hold_zero_exactly() {
        let p = QuantParams::from_range(-1.0, 3.0).unwrap();
        assert!((p.scale - 4.0 / 255.0).abs() < 1e-7);
        assert_eq!(p.dequantize(p.zero_point as i8), 0.0);
        assert_eq!(QuantParams::from_range(0.0, 0.0).unwrap().scale, 1.0);
        assert!(QuantParams::from_range(f32::NAN, 1.0).is_none());
        let relu = FusedActivation::Relu.range(p);
        assert_eq!(relu, (p.zero_point as i8, 127));
    }
}
