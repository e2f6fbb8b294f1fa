//! gemmlowp's fixed-point `exp` and reciprocal (`fixedpoint.h`), bit for bit: what TFLite's
//! int8 Softmax reference kernel computes with (LiteRT's `reference_ops::Softmax` and TFLite
//! Micro's).
//!
//! A fixed-point value with `b` integer bits is an `i32` raw `r` standing for `r / 2^(31 - b)`.
//! A product of two is `SaturatingRoundingDoublingHighMul` of the raws (integer bits add up);
//! additions wrap, as gemmlowp's do for 32-bit raws.

use super::fixed_point::{rounding_divide_by_pot, saturating_rounding_doubling_high_mul as mul};

/// `x * 2^e`: a saturating left shift for `e > 0`, a rounding right shift for `e < 0`
/// (gemmlowp's `SaturatingRoundingMultiplyByPOT`).
#[inline]
pub const fn multiply_by_pot(x: i32, e: i32) -> i32 {
    if e > 0 {
        let threshold = (1i32 << (31 - e)) - 1;
        if x > threshold {
            i32::MAX
        } else if x < -threshold {
            i32::MIN
        } else {
            x << e
        }
    } else if e < 0 {
        rounding_divide_by_pot(x, e.unsigned_abs())
    } else {
        x
    }
}

/// `(a + b) / 2` rounded to nearest, ties away from zero (gemmlowp's `RoundingHalfSum`).
#[inline]
const fn rounding_half_sum(a: i32, b: i32) -> i32 {
    let sum = a as i64 + b as i64;
    let sign = if sum >= 0 { 1 } else { -1 };
    ((sum + sign) / 2) as i32
}

/// `exp(a)` for `a` in `[-1/4, 0)`, both Q0.31: the Taylor expansion around -1/8.
const fn exp_on_interval_between_negative_one_quarter_and_0_excl(a: i32) -> i32 {
    const EXP_MINUS_ONE_EIGHTH: i32 = 1_895_147_668;
    const ONE_THIRD: i32 = 715_827_883;
    let x = a.wrapping_add(1 << 28);
    let x2 = mul(x, x);
    let x3 = mul(x2, x);
    let x4 = mul(x2, x2);
    let x4_over_4 = multiply_by_pot(x4, -2);
    let poly = multiply_by_pot(
        mul(x4_over_4.wrapping_add(x3), ONE_THIRD).wrapping_add(x2),
        -1,
    );
    EXP_MINUS_ONE_EIGHTH.wrapping_add(mul(EXP_MINUS_ONE_EIGHTH, x.wrapping_add(poly)))
}

/// `exp(a)` for `a <= 0` with `integer_bits` integer bits (in `0..=30`), as Q0.31: `a` is
/// split into a multiple of 1/4 and a rest in `[-1/4, 0)`; the rest goes to the Taylor
/// expansion and each set bit of the multiple multiplies by `exp(-2^k)`.
pub const fn exp_on_negative_values(a: i32, integer_bits: i32) -> i32 {
    /// `(k, exp(-2^k))` in Q0.31.
    const BARREL: [(i32, i32); 7] = [
        (-2, 1_672_461_947),
        (-1, 1_302_514_674),
        (0, 790_015_084),
        (1, 290_630_308),
        (2, 39_332_535),
        (3, 720_401),
        (4, 242),
    ];
    let fractional_bits = 31 - integer_bits;
    let one_quarter = 1i32 << (fractional_bits - 2);
    let mask = one_quarter - 1;
    let a_mod_quarter_minus_one_quarter = (a & mask).wrapping_sub(one_quarter);
    let mut result = exp_on_interval_between_negative_one_quarter_and_0_excl(multiply_by_pot(
        a_mod_quarter_minus_one_quarter,
        integer_bits,
    ));
    let remainder = a_mod_quarter_minus_one_quarter.wrapping_sub(a);
    let mut i = 0;
    while i < BARREL.len() {
        let (k, factor) = BARREL[i];
        if integer_bits > k && remainder & (1 << (fractional_bits + k)) != 0 {
            result = mul(result, factor);
        }
        i += 1;
    }
    if integer_bits > 5 && a < -(1 << (36 - integer_bits)) {
        result = 0;
    }
    if a == 0 {
        result = i32::MAX;
    }
    result
}

/// `1 / (1 + a)` for `a` in `[0, 1)`, both Q0.31: three Newton-Raphson steps from
/// `48/17 - 32/17 d` on the half denominator `d`, in Q2.29.
pub const fn one_over_one_plus_x_for_x_in_0_1(a: i32) -> i32 {
    const C48_OVER_17: i32 = 1_515_870_810;
    const C_NEG_32_OVER_17: i32 = -1_010_580_540;
    const ONE_Q2: i32 = 1 << 29;
    let half_denominator = rounding_half_sum(a, i32::MAX);
    let mut x = C48_OVER_17.wrapping_add(mul(half_denominator, C_NEG_32_OVER_17));
    let mut i = 0;
    while i < 3 {
        let one_minus_half_denominator_times_x = ONE_Q2.wrapping_sub(mul(half_denominator, x));
        x = x.wrapping_add(multiply_by_pot(
            mul(x, one_minus_half_denominator_times_x),
            2,
        ));
        i += 1;
    }
    multiply_by_pot(x, 1)
}

/// TFLite's `GetReciprocal`: a positive `x` with `integer_bits` integer bits is
/// `(1 + f) 2^n` with `f` in `[0, 1)`; returns `(1 / (1 + f)` in Q0.31, `n)`, so that
/// `1 / x = s 2^-n`.
pub const fn reciprocal(x: i32, integer_bits: i32) -> (i32, i32) {
    let headroom_plus_one = (x as u32).leading_zeros();
    let bits_over_unit = integer_bits - headroom_plus_one as i32;
    let shifted_sum_minus_one = (x as u32)
        .wrapping_shl(headroom_plus_one)
        .wrapping_sub(1 << 31) as i32;
    (
        one_over_one_plus_x_for_x_in_0_1(shifted_sum_minus_one),
        bits_over_unit,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn real(raw: i32, integer_bits: i32) -> f64 {
        raw as f64 / (1u64 << (31 - integer_bits)) as f64
    }

    #[test]
    fn exp_is_close_to_the_real_exp() {
        for k in 0..=1000 {
            let x = -(k as f64) / 50.0; // down to -20
            let raw = (x * (1 << 26) as f64) as i32; // Q5.26
            let e = real(exp_on_negative_values(raw, 5), 0);
            assert!((e - libm::exp(real(raw, 5))).abs() < 1e-6, "exp({x}) = {e}");
        }
        assert_eq!(exp_on_negative_values(0, 5), i32::MAX);
    }

    #[test]
    fn reciprocal_is_close_to_the_real_one() {
        for k in 1..200 {
            let raw = (k as f64 * 0.37 * (1 << 19) as f64) as i32; // Q12.19
            let (s, n) = reciprocal(raw, 12);
            let (x, r) = (real(raw, 12), real(s, 0) * libm::exp2(-n as f64));
            assert!((r * x - 1.0).abs() < 1e-5, "1 / {x} = {r}");
        }
        // 1 / (1 + 0) is one, saturated.
        assert_eq!(one_over_one_plus_x_for_x_in_0_1(0), i32::MAX);
    }

    #[test]
    fn multiply_by_pot_saturates_and_rounds() {
        assert_eq!(multiply_by_pot(1 << 29, 2), i32::MAX);
        assert_eq!(multiply_by_pot(-(1 << 29) - 1, 2), i32::MIN);
        assert_eq!(multiply_by_pot(3, 1), 6);
        assert_eq!(multiply_by_pot(-6, -2), -2);
    }
}
