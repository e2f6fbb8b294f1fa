//! An `f32` exponential the compiler inlines and vectorises, for the activations' `e^z`.
//!
//! The platform's `expf` is a function call per element: in an XOR training step (12
//! exponentials for 17 weights) the calls were 45% of the time, and a softmax of 10 outputs
//! is 10 calls that no loop around them can vectorise. This is the same computation as
//! Cephes' `expf` written as straight-line arithmetic:
//!
//! - `n = round(x log2 e)`, by adding and subtracting `1.5 * 2^23` (round to nearest even,
//!   SSE2 has no rounding instruction);
//! - `r = x - n ln 2` in two steps (Cody and Waite: `ln 2` split so `n * LN2_HI` is exact),
//!   `|r| <= ln 2 / 2`;
//! - `e^r = 1 + r + r^2 P(r)`, `P` Cephes' degree-5 minimax polynomial;
//! - `e^x = e^r 2^n`, with `2^n` applied as two powers of two `2^(n/2) 2^(n - n/2)` so
//!   results that overflow become infinity and results below `2^-126` come out subnormal
//!   (then zero), as IEEE arithmetic rounds them.
//!
//! Error: at most 2 units in the last place against the exact (`f64`) value over every input
//! whose result is normal (tested on a dense sweep of `[-87.3, 88.7]` below). `NaN` stays
//! `NaN`, `-inf` gives 0 and `+inf` gives infinity.
//!
//! Only `std` builds use it ([`Float::exp_activation`](crate::float::Float::exp_activation));
//! `no_std` builds keep `libm`'s `expf`, so firmware results do not move. The two differ in
//! the last bits; the gradient checks and PyTorch fixtures run in `f64`, which keeps the
//! platform's `exp`.

/// `log2 e`.
const LOG2_E: f32 = core::f32::consts::LOG2_E;
/// `ln 2 = LN2_HI + LN2_LO`, `LN2_HI` with few enough bits that `n * LN2_HI` is exact for
/// every `|n| <= 150` (Cephes' split).
const LN2_HI: f32 = 0.693_359_4;
const LN2_LO: f32 = -2.121_944_4e-4;
/// Adding and subtracting `1.5 * 2^23` rounds an `|x| < 2^22` to the nearest integer.
const ROUND: f32 = 12_582_912.0;
/// Inputs are clamped to `[LOW, HIGH]` first: below `LOW` the result is 0 and above `HIGH`
/// infinity anyway, and the clamp keeps `n` in `[-150, 128]`, where both halves of `2^n`
/// are normal `f32`s.
const LOW: f32 = -104.0;
const HIGH: f32 = 88.8;

/// `2^k` for `-126 <= k <= 127`, built from its exponent bits (other `k`, only for a NaN
/// input, give some number).
#[inline(always)]
fn pow2(k: i32) -> f32 {
    f32::from_bits((k.wrapping_add(127) as u32) << 23)
}

/// `e^x` for `f32` (see the module docs for the method and the error bound).
#[inline(always)]
pub fn exp_f32(x: f32) -> f32 {
    // Comparisons written so a NaN falls through both (`f32::clamp` would be the same, but
    // this form is what the vectoriser turns into two selects).
    let x = if x < LOW { LOW } else { x };
    let x = if x > HIGH { HIGH } else { x };
    let t = x * LOG2_E + ROUND;
    let n = t - ROUND;
    // `n` as an integer from the low bits of `t` (`t = 1.5 * 2^23 + n` exactly): integer
    // arithmetic that vectorises, where `n as i32` (saturating) does not.
    let k = (t.to_bits() as i32).wrapping_sub(ROUND.to_bits() as i32);
    let r = (x - n * LN2_HI) - n * LN2_LO;
    // `P(r)` by Estrin's scheme, `(c0 + c1 r) + r^2 ((c2 + c3 r) + r^2 (c4 + c5 r))`: three
    // dependent multiply-adds after `r^2` instead of Horner's five (a softmax's latency).
    let r2 = r * r;
    let p01 = 1.666_666_5e-1 * r + 0.5;
    let p23 = 8.333_452e-3 * r + 4.166_579_6e-2;
    let p45 = 1.987_569_1e-4 * r + 1.398_199_9e-3;
    let p = (p45 * r2 + p23) * r2 + p01;
    let e = (p * r2 + r) + 1.0;
    // For a NaN `x`, `k` is meaningless, but `e` is NaN already.
    let half = k >> 1;
    e * pow2(half) * pow2(k.wrapping_sub(half))
}

/// Lanes [`exp_in_place_f32`] works on at a time.
const LANES: usize = 8;

/// `v[i] = e^v[i]` for every element, eight at a time through fixed-size arrays (the form the
/// compiler's straight-line vectoriser reliably turns into vector code: a softmax of 10 is two
/// passes of 8 lanes; as a loop of [`exp_f32`] calls it stayed scalar in the SSE2 build). The
/// last, partial group is padded with zeros.
#[inline(always)]
pub fn exp_in_place_f32(v: &mut [f32]) {
    let (groups, rest) = v.as_chunks_mut::<LANES>();
    for group in groups {
        *group = group.map(exp_f32);
    }
    match rest.len() {
        0 => {}
        1 => rest[0] = exp_f32(rest[0]),
        2..=4 => exp_padded::<4>(rest),
        _ => exp_padded::<LANES>(rest),
    }
}

/// `v[i] = e^v[i]` for the `v.len() <= N` elements, as one group of `N` lanes padded with
/// zeros.
#[inline(always)]
fn exp_padded<const N: usize>(v: &mut [f32]) {
    let mut padded = [0.0; N];
    padded[..v.len()].copy_from_slice(v);
    let done = padded.map(exp_f32);
    v.copy_from_slice(&done[..v.len()]);
}

#[cfg(test)]
mod tests {
    use super::{exp_f32, exp_in_place_f32};

    #[test]
    fn in_place_equals_one_at_a_time_at_every_length() {
        let xs: [f32; 20] = core::array::from_fn(|i| i as f32 * 1.7 - 15.0);
        for len in 0..=xs.len() {
            let mut v = xs;
            exp_in_place_f32(&mut v[..len]);
            for (i, (&got, &x)) in v.iter().zip(&xs).enumerate() {
                let want = if i < len { exp_f32(x) } else { x };
                assert_eq!(got, want, "length {len}, element {i}");
            }
        }
    }

    /// Units in the last place between `got` and the exact `want` (rounded to `f32`).
    fn ulps(got: f32, want: f64) -> u32 {
        let want = want as f32;
        (got.to_bits() as i64 - want.to_bits() as i64).unsigned_abs() as u32
    }

    #[test]
    fn within_two_ulps_of_the_exact_value_wherever_the_result_is_normal() {
        let mut worst = (0u32, 0f32);
        let (low, high) = (-87.33f32, 88.72f32);
        // Every 127th f32 of magnitude up to `high`, both signs: about 17 million inputs.
        for bits in (0u32..=high.to_bits()).step_by(127) {
            for x in [f32::from_bits(bits), -f32::from_bits(bits)] {
                if !(low..=high).contains(&x) {
                    continue;
                }
                let err = ulps(exp_f32(x), (x as f64).exp());
                if err > worst.0 {
                    worst = (err, x);
                }
            }
        }
        assert!(worst.0 <= 2, "{} ulps at x = {:e}", worst.0, worst.1);
    }

    #[test]
    fn special_values_and_the_ends_of_the_range() {
        assert!(exp_f32(f32::NAN).is_nan());
        assert_eq!(exp_f32(f32::NEG_INFINITY), 0.0);
        assert_eq!(exp_f32(f32::INFINITY), f32::INFINITY);
        assert_eq!(exp_f32(89.0), f32::INFINITY);
        assert_eq!(exp_f32(-104.0), 0.0);
        assert_eq!(exp_f32(0.0), 1.0);
        assert_eq!(exp_f32(-0.0), 1.0);
        // Subnormal results: within 1% of the exact value plus the subnormals' spacing.
        let spacing = f32::from_bits(1) as f64;
        for x in [-88.0f32, -95.0, -100.0, -103.0] {
            let want = (x as f64).exp();
            let got = exp_f32(x) as f64;
            let err = (got - want).abs();
            assert!(err <= 0.01 * want + spacing, "{x}: {got:e} vs {want:e}");
        }
        // The largest finite results.
        let top = exp_f32(88.72);
        assert!(top.is_finite() && ulps(top, (88.72f32 as f64).exp()) <= 2);
    }
}
