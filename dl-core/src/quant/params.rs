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
    pub const fn new(scale: f32, zero_point: i32) -> Option<QuantParams> {
        if scale.is_finite() && scale > 0.0 && zero_point >= -128 && zero_point <= 127 {
            Some(QuantParams { scale, zero_point })
        } else {
            None
        }
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
    /// division, ties away from zero). An input beyond int32 steps saturates (it overflowed,
    /// a panic in debug builds, before `const_quantize_equals_quantize` tried 1e30).
    #[inline]
    pub fn quantize(self, x: f32) -> i8 {
        let q = (libm::roundf(x / self.scale) as i32).saturating_add(self.zero_point);
        q.clamp(-128, 127) as i8
    }

    /// `self == other` in a `const fn`.
    pub const fn same(self, other: QuantParams) -> bool {
        self.scale == other.scale && self.zero_point == other.zero_point
    }

    /// [`Self::quantize`] in a `const fn`, for a compile-time import: the same value for every
    /// `x` (rounded without libm, `round_ties_away`; slower, so inference keeps `quantize`).
    pub const fn quantize_const(self, x: f32) -> i8 {
        let q = round_ties_away((x / self.scale) as f64);
        let q = if q > i32::MAX as i64 {
            i32::MAX
        } else if q < i32::MIN as i64 {
            i32::MIN
        } else {
            q as i32
        };
        let q = q.saturating_add(self.zero_point);
        if q < -128 {
            -128
        } else if q > 127 {
            127
        } else {
            q as i8
        }
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
    pub const fn range(self, out: QuantParams) -> (i8, i8) {
        match self {
            FusedActivation::Identity => (-128, 127),
            FusedActivation::Relu => (out.quantize_const(0.0), 127),
            FusedActivation::Relu6 => (out.quantize_const(0.0), out.quantize_const(6.0)),
        }
    }

    /// The activation's name in a declaration.
    pub const fn name(self) -> &'static str {
        match self {
            FusedActivation::Identity => "Identity",
            FusedActivation::Relu => "Relu",
            FusedActivation::Relu6 => "Relu6",
        }
    }
}

/// `x` rounded to the nearest integer, ties away from zero (C's `round`, as libm's), in a
/// `const fn`; saturating, NaN to 0. Below 2^52 the fraction `x - trunc(x)` is exact.
pub const fn round_ties_away(x: f64) -> i64 {
    let t = x as i64;
    if x.is_nan() || x.abs() >= 4_503_599_627_370_496.0 {
        return t;
    }
    let frac = x - t as f64;
    if frac >= 0.5 {
        t + 1
    } else if frac <= -0.5 {
        t - 1
    } else {
        t
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

    /// The `const` rounding equals libm's on ties, halves, huge values and a sweep of ratios.
    #[test]
    fn const_quantize_equals_quantize() {
        let mut xs = std::vec![
            0.0f32,
            0.5,
            -0.5,
            1.5,
            -2.5,
            6.0,
            1e30,
            -1e30,
            f32::NAN,
            f32::INFINITY
        ];
        let mut s = 0x2545_f491_u32;
        for _ in 0..20_000 {
            s ^= s << 13;
            s ^= s >> 17;
            s ^= s << 5;
            xs.push(f32::from_bits(s) % 1000.0);
            xs.push((s % 4096) as f32 / 8.0 - 256.0);
        }
        for scale in [1.0f32, 0.5, 0.024_574_5, 3.0e-5, 7.1, 1e-38] {
            for z in [-128, -3, 0, 127] {
                let p = QuantParams::new(scale, z).unwrap();
                for &x in &xs {
                    assert_eq!(p.quantize_const(x), p.quantize(x), "{x} / {scale} + {z}");
                }
            }
        }
        for &x in &xs {
            let x = x as f64 * 1.37;
            let want = if x.is_nan() { 0 } else { libm::round(x) as i64 };
            assert_eq!(round_ties_away(x), want, "{x}");
        }
    }
}
