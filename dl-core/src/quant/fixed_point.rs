//! TFLite's integer rescaling, bit for bit: gemmlowp's `SaturatingRoundingDoublingHighMul` and
//! `RoundingDivideByPOT`, TFLite's (double-rounding) `MultiplyByQuantizedMultiplier` and
//! `QuantizeMultiplier`.
//!
//! A real multiplier `m > 0` is held as `q * 2^(shift - 31)` with `q` in `[2^30, 2^31)`; an
//! int32 accumulator `x` is rescaled as
//! `RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(x * 2^max(shift, 0), q), max(-shift, 0))`.
//! Both roundings are to nearest: the high multiply rounds ties up (towards +inf), the shift
//! rounds ties away from zero. This is TFLite's default build (`TFLITE_SINGLE_ROUNDING` off):
//! TFLite Micro's reference kernels, and LiteRT's `CONV_2D`.
//!
//! LiteRT's int8 `FULLY_CONNECTED` (even with the reference op resolver, measured on the
//! fixtures of `tests/fixtures/tflite`) rounds once instead: `(x * q + 2^(30 - shift)) >>
//! (31 - shift)`, ties up, the `TFLITE_SINGLE_ROUNDING` form ([`Multiplier::apply_single`]).
//! The two differ by one output step on ties of the first rounding (6 of 11,520 outputs of the
//! digits MLP's first layer); dl's dense layer rounds once, its convolution twice, so both
//! equal LiteRT.

use super::params::round_ties_away;

/// `(a * b * 2 + 2^31 / 2) / 2^32`, the high 32 bits of the doubled product rounded to
/// nearest (ties up), saturating the one overflowing case `a = b = i32::MIN` to `i32::MAX`.
#[inline]
pub const fn saturating_rounding_doubling_high_mul(a: i32, b: i32) -> i32 {
    if a == b && a == i32::MIN {
        return i32::MAX;
    }
    let ab = a as i64 * b as i64;
    let nudge: i64 = if ab >= 0 { 1 << 30 } else { 1 - (1 << 30) };
    // C++ integer division truncates towards zero, as Rust's does.
    ((ab + nudge) / (1i64 << 31)) as i32
}

/// `x / 2^exponent` rounded to nearest, ties away from zero (`exponent` in `0..=31`).
#[inline]
pub const fn rounding_divide_by_pot(x: i32, exponent: u32) -> i32 {
    let mask = ((1i64 << exponent) - 1) as i32;
    let remainder = x & mask;
    let threshold = (mask >> 1) + (x < 0) as i32;
    (x >> exponent) + (remainder > threshold) as i32
}

/// A real multiplier as TFLite's fixed-point pair: `m = multiplier * 2^(shift - 31)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Multiplier {
    multiplier: i32,
    shift: i32,
}

impl Multiplier {
    /// The rescale by 0.
    pub const ZERO: Multiplier = Multiplier {
        multiplier: 0,
        shift: 0,
    };

    /// The pair `(q, shift)`, checked: `q >= 0` and `shift` in `-31..=30` (the ranges TFLite's
    /// kernels assume). `const`, for weights compiled into flash.
    pub const fn new(multiplier: i32, shift: i32) -> Option<Multiplier> {
        if multiplier < 0 || shift < -31 || shift > 30 {
            return None;
        }
        Some(Multiplier { multiplier, shift })
    }

    /// `q`, in `[2^30, 2^31)` (or 0 for `m = 0`).
    pub const fn multiplier(self) -> i32 {
        self.multiplier
    }

    /// The power of two; positive shifts left before the high multiply.
    pub const fn shift(self) -> i32 {
        self.shift
    }

    /// `x * m` rounded as TFLite's `MultiplyByQuantizedMultiplier` does: the left shift wraps as
    /// TFLite's does in practice (accumulators small enough never do), then the rounded high
    /// multiply, then the rounded right shift.
    #[inline]
    pub const fn apply(self, x: i32) -> i32 {
        let left = if self.shift > 0 { self.shift as u32 } else { 0 };
        let right = if self.shift > 0 {
            0
        } else {
            self.shift.unsigned_abs()
        };
        rounding_divide_by_pot(
            saturating_rounding_doubling_high_mul(x.wrapping_mul(1 << left), self.multiplier),
            right,
        )
    }

    /// `x * m` rounded once, to nearest with ties up: `TFLITE_SINGLE_ROUNDING`'s
    /// `MultiplyByQuantizedMultiplier`, what LiteRT's int8 `FULLY_CONNECTED` computes.
    #[inline]
    pub const fn apply_single(self, x: i32) -> i32 {
        let total = (31 - self.shift) as u32;
        let round = 1i64 << (total - 1);
        // Always in range for a rescale below 1 (every real layer: |y| <= |x|); above, a
        // product beyond int32 wraps, where TFLite's is undefined. Never a panic.
        ((x as i64 * self.multiplier as i64 + round) >> total) as i32
    }

    /// TFLite's `QuantizeMultiplier`: `frexp(m) = (f, e)` with `f` in `[0.5, 1)`,
    /// `q = round(f * 2^31)` (ties away from zero), renormalised if it rounds up to `2^31`;
    /// a shift below -31 flushes to zero. `None` if `m` is negative, not finite, or so large
    /// that the shift exceeds 30 (no int8 model has such a rescale).
    ///
    /// `const` (frexp from the bits, `round_ties_away`), so a compile-time import computes the
    /// rescales in the compiler, to the same bits.
    pub const fn from_real(m: f64) -> Option<Multiplier> {
        if !m.is_finite() || m < 0.0 {
            return None;
        }
        if m == 0.0 {
            return Some(Multiplier {
                multiplier: 0,
                shift: 0,
            });
        }
        let (f, mut shift) = frexp(m);
        let mut q = round_ties_away(f * (1u64 << 31) as f64);
        if q == 1 << 31 {
            q /= 2;
            shift += 1;
        }
        if shift < -31 {
            return Some(Multiplier {
                multiplier: 0,
                shift: 0,
            });
        }
        if shift > 30 {
            return None;
        }
        Some(Multiplier {
            multiplier: q as i32,
            shift,
        })
    }

    /// The real value `multiplier * 2^(shift - 31)`.
    pub fn to_real(self) -> f64 {
        self.multiplier as f64 * libm::exp2((self.shift - 31) as f64)
    }
}

/// C's `frexp` for a finite `x > 0`: `(f, e)` with `x = f * 2^e`, `f` in `[0.5, 1)`, read
/// from the bits (a subnormal is scaled by 2^54 first).
const fn frexp(x: f64) -> (f64, i32) {
    let (mut bits, mut adjust) = (x.to_bits(), 0);
    if (bits >> 52) & 0x7ff == 0 {
        bits = (x * 18_014_398_509_481_984.0).to_bits();
        adjust = -54;
    }
    let e = ((bits >> 52) & 0x7ff) as i32;
    let f = f64::from_bits((bits & !(0x7ff << 52)) | (1022 << 52));
    (f, e - 1022 + adjust)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `const` frexp and rounding give libm's multiplier on a sweep of magnitudes.
    #[test]
    fn const_quantize_multiplier_equals_libm() {
        let libm_form = |m: f64| {
            let (f, shift) = libm::frexp(m);
            (libm::round(f * (1u64 << 31) as f64) as i64, shift)
        };
        let mut s = 0x9e37_79b9_7f4a_7c15_u64;
        for i in 0..100_000 {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            let m = f64::from_bits(s >> 2) % 1e9 + if i % 2 == 0 { 0.0 } else { 1e-320 };
            if m > 0.0 && m.is_finite() {
                assert_eq!(frexp(m), libm::frexp(m), "{m:e}");
                let (f, _) = frexp(m);
                assert_eq!(round_ties_away(f * (1u64 << 31) as f64), libm_form(m).0);
            }
        }
    }

    #[test]
    fn high_mul_rounds_ties_up_and_saturates() {
        assert_eq!(
            saturating_rounding_doubling_high_mul(i32::MIN, i32::MIN),
            i32::MAX
        );
        // 2^30 * 2^30 * 2 / 2^32 = 2^29.
        assert_eq!(
            saturating_rounding_doubling_high_mul(1 << 30, 1 << 30),
            1 << 29
        );
        // 1 * 2^30 * 2 = 2^31 -> 0.5 rounds up to 1; -0.5 rounds to 0 (towards +inf).
        assert_eq!(saturating_rounding_doubling_high_mul(1, 1 << 30), 1);
        assert_eq!(saturating_rounding_doubling_high_mul(-1, 1 << 30), 0);
        assert_eq!(saturating_rounding_doubling_high_mul(-3, 1 << 30), -1);
    }

    #[test]
    fn divide_by_pot_rounds_ties_away_from_zero() {
        assert_eq!(rounding_divide_by_pot(5, 1), 3);
        assert_eq!(rounding_divide_by_pot(-5, 1), -3);
        assert_eq!(rounding_divide_by_pot(4, 2), 1);
        assert_eq!(rounding_divide_by_pot(-6, 2), -2);
        assert_eq!(rounding_divide_by_pot(-5, 2), -1);
        assert_eq!(rounding_divide_by_pot(7, 0), 7);
        assert_eq!(rounding_divide_by_pot(i32::MIN, 31), -1);
    }

    #[test]
    fn quantize_multiplier_matches_tflite_examples() {
        let half = Multiplier::from_real(0.5).unwrap();
        assert_eq!((half.multiplier(), half.shift()), (1 << 30, 0));
        let one = Multiplier::from_real(1.0).unwrap();
        assert_eq!((one.multiplier(), one.shift()), (1 << 30, 1));
        // frexp(0.75) = (0.75, 0): q = 0.75 * 2^31.
        let m = Multiplier::from_real(0.75).unwrap();
        assert_eq!((m.multiplier(), m.shift()), (1_610_612_736, 0));
        // Just below 1 rounds up to 2^31 and is renormalised.
        let m = Multiplier::from_real(1.0 - 1e-12).unwrap();
        assert_eq!((m.multiplier(), m.shift()), (1 << 30, 1));
        assert_eq!(Multiplier::from_real(1e-12).unwrap().multiplier(), 0);
        assert!(Multiplier::from_real(-1.0).is_none());
        assert!(Multiplier::from_real(f64::NAN).is_none());
        assert!(Multiplier::from_real(1e12).is_none());
    }

    #[test]
    fn apply_rescales_with_both_roundings() {
        let m = Multiplier::from_real(0.5).unwrap();
        assert_eq!(m.apply(3), 2); // 1.5 -> 2
                                   // -1.5: the high multiply rounds the tie up, to -1, and no shift follows.
        assert_eq!(m.apply(-3), -1);
        let m = Multiplier::from_real(0.25).unwrap(); // q = 2^30, shift -1
        assert_eq!(m.apply(6), 2); // 1.5 -> 2
        assert_eq!(m.apply(-6), -2);
        let m = Multiplier::from_real(3.0).unwrap(); // left shift 2
        assert_eq!(m.apply(7), 21);
        // Single rounding: 3 / 8 = 0.375 -> 0; ties go up.
        let m = Multiplier::from_real(0.125).unwrap();
        assert_eq!(
            (m.apply_single(3), m.apply_single(4), m.apply_single(-4)),
            (0, 1, 0)
        );
        // Double rounding: 3 / 8 = 0.375 becomes 1.5 after the high multiply, then 1.
        assert_eq!(Multiplier::from_real(0.125).unwrap().apply(3), 1);
        assert_eq!(Multiplier::from_real(0.125).unwrap().apply(-3), 0);
    }
}
