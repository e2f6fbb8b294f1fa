//! `const fn` ports of the `libm` crate's (0.2) `expf`, `expm1f`, `tanhf` and `roundf`, bit
//! for bit, so that the int8 Sigmoid and Tanh tables ([`super::lookup`]) can be filled in the
//! compiler (`#[tflite("m.tflite")]` on a network with Sigmoid or Tanh) and are the same tables
//! the run-time import fills.
//!
//! They are libm's (FreeBSD's msun) code, statement for statement, its constants given by
//! their bits: the same f32 operations in
//! the same order, so under IEEE 754 round-to-nearest (what rustc's const evaluator and every
//! target compute) each result is the same float. The only changes are what `const fn`
//! requires (`while` for nothing, no `force_eval!`, which only raises floating-point flags).
//! The tests compare them with `libm` over dense sweeps of the inputs the tables use.

/// `x * 2^n` (libm's generic `scalbn` for f32: pre-scaling by 2^127, or by 2^-102, so that
/// a result near the ends of the range is rounded once).
const fn scalbnf(mut x: f32, mut n: i32) -> f32 {
    const EXP_MAX: i32 = 127;
    const EXP_MIN: i32 = -126;
    let f_exp_max = f32::from_bits(254 << 23); // 2^127
    let mul = f32::from_bits(1 << 23) * f32::from_bits((24 + 127) << 23); // 2^-126 * 2^24
    let add = -EXP_MIN - 24;
    if n > EXP_MAX {
        x *= f_exp_max;
        n -= EXP_MAX;
        if n > EXP_MAX {
            x *= f_exp_max;
            n -= EXP_MAX;
            if n > EXP_MAX {
                n = EXP_MAX;
            }
        }
    } else if n < EXP_MIN {
        x *= mul;
        n += add;
        if n < EXP_MIN {
            x *= mul;
            n += add;
            if n < EXP_MIN {
                n = EXP_MIN;
            }
        }
    }
    x * f32::from_bits(((127 + n) as u32) << 23)
}

/// `e^x` (libm's `expf`: reduction to `x = k ln2 + r`, `|r| <= ln2 / 2`, a degree-2 rational
/// approximation of `e^r`, then `2^k`).
pub const fn expf(mut x: f32) -> f32 {
    const HALF: [f32; 2] = [0.5, -0.5];
    const LN2_HI: f32 = f32::from_bits(0x3f317200); // 6.9314575195e-01
    const LN2_LO: f32 = f32::from_bits(0x35bfbe8e); // 1.4286067653e-06
    const INV_LN2: f32 = f32::from_bits(0x3fb8aa3b); // 1.4426950216e+00
    const P1: f32 = f32::from_bits(0x3e2aaa8f); // 1.6666625440e-1
    const P2: f32 = f32::from_bits(0xbb355215); // -2.7667332906e-3
    let x1p127 = f32::from_bits(0x7f000000);
    let mut hx = x.to_bits();
    let sign = (hx >> 31) as i32;
    let signb = sign != 0;
    hx &= 0x7fffffff;
    if hx >= 0x42aeac50 {
        if hx > 0x7f800000 {
            return x; // NaN
        }
        if hx >= 0x42b17218 && !signb {
            return x * x1p127; // overflow
        }
        if signb && hx >= 0x42cff1b5 {
            return 0.0; // underflow
        }
    }
    let k: i32;
    let hi: f32;
    let lo: f32;
    if hx > 0x3eb17218 {
        if hx > 0x3f851592 {
            k = (INV_LN2 * x + HALF[sign as usize]) as i32;
        } else {
            k = 1 - sign - sign;
        }
        let kf = k as f32;
        hi = x - kf * LN2_HI;
        lo = kf * LN2_LO;
        x = hi - lo;
    } else if hx > 0x39000000 {
        k = 0;
        hi = x;
        lo = 0.0;
    } else {
        return 1.0 + x;
    }
    let xx = x * x;
    let c = x - xx * (P1 + xx * P2);
    let y = 1.0 + (x * c / (2.0 - c) - lo + hi);
    if k == 0 {
        y
    } else {
        scalbnf(y, k)
    }
}

/// `e^x - 1` (libm's `expm1f`).
pub const fn expm1f(mut x: f32) -> f32 {
    const LN2_HI: f32 = f32::from_bits(0x3f317180); // 6.9313812256e-01
    const LN2_LO: f32 = f32::from_bits(0x3717f7d1); // 9.0580006145e-06
    const INV_LN2: f32 = f32::from_bits(0x3fb8aa3b); // 1.4426950216e+00
    const Q1: f32 = f32::from_bits(0xbd088868); // -3.3333212137e-2
    const Q2: f32 = f32::from_bits(0x3acf3010); // 1.5807170421e-3
    let x1p127 = f32::from_bits(0x7f000000);
    let mut hx = x.to_bits();
    let sign = (hx >> 31) != 0;
    hx &= 0x7fffffff;
    if hx >= 0x4195b844 {
        if hx > 0x7f800000 {
            return x; // NaN
        }
        if sign {
            return -1.0;
        }
        if hx > 0x42b17217 {
            return x * x1p127;
        }
    }
    let k: i32;
    let mut c = 0f32;
    if hx > 0x3eb17218 {
        let (hi, lo);
        if hx < 0x3F851592 {
            if !sign {
                hi = x - LN2_HI;
                lo = LN2_LO;
                k = 1;
            } else {
                hi = x + LN2_HI;
                lo = -LN2_LO;
                k = -1;
            }
        } else {
            k = (INV_LN2 * x + (if sign { -0.5 } else { 0.5 })) as i32;
            let t = k as f32;
            hi = x - t * LN2_HI;
            lo = t * LN2_LO;
        }
        x = hi - lo;
        c = (hi - x) - lo;
    } else if hx < 0x33000000 {
        return x;
    } else {
        k = 0;
    }
    let hfx = 0.5 * x;
    let hxs = x * hfx;
    let r1 = 1.0 + hxs * (Q1 + hxs * Q2);
    let t = 3.0 - r1 * hfx;
    let mut e = hxs * ((r1 - t) / (6.0 - x * t));
    if k == 0 {
        return x - (x * e - hxs);
    }
    e = x * (e - c) - c;
    e -= hxs;
    if k == -1 {
        return 0.5 * (x - e) - 0.5;
    }
    if k == 1 {
        if x < -0.25 {
            return -2.0 * (e - (x + 0.5));
        }
        return 1.0 + 2.0 * (x - e);
    }
    let twopk = f32::from_bits(((0x7f + k) << 23) as u32);
    if k < 0 || k > 56 {
        let mut y = x - e + 1.0;
        if k == 128 {
            y = y * 2.0 * x1p127;
        } else {
            y *= twopk;
        }
        return y - 1.0;
    }
    let uf = f32::from_bits(((0x7f - k) << 23) as u32);
    if k < 23 {
        (x - e + (1.0 - uf)) * twopk
    } else {
        (x - (e + uf) + 1.0) * twopk
    }
}

/// `tanh(x)` (libm's `tanhf`, from `expm1f`).
pub const fn tanhf(mut x: f32) -> f32 {
    let mut ix = x.to_bits();
    let sign = (ix >> 31) != 0;
    ix &= 0x7fffffff;
    x = f32::from_bits(ix);
    let w = ix;
    let tt = if w > 0x3f0c9f54 {
        if w > 0x41200000 {
            1.0 + 0.0 / x
        } else {
            let t = expm1f(2.0 * x);
            1.0 - 2.0 / (t + 2.0)
        }
    } else if w > 0x3e82c578 {
        let t = expm1f(2.0 * x);
        t / (t + 2.0)
    } else if w >= 0x00800000 {
        let t = expm1f(-2.0 * x);
        -t / (t + 2.0)
    } else {
        x
    };
    if sign {
        -tt
    } else {
        tt
    }
}

/// `x` rounded to the nearest integer, ties away from zero (libm's `roundf`; an exact
/// operation, so any correct implementation gives the same float).
pub const fn roundf(x: f32) -> f32 {
    if x.is_nan() || x.abs() >= 8_388_608.0 {
        return x; // NaN, infinite, or already an integer (2^23 and above)
    }
    let r = super::params::round_ties_away(x as f64) as f32;
    if r == 0.0 && x.is_sign_negative() {
        -0.0
    } else {
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `step`th f32 from 0 up to `hi` (by bit pattern) and its negative, and `hi`.
    fn sweep(hi: f32, step: u32, mut check: impl FnMut(f32)) {
        for bits in (0..=hi.to_bits()).step_by(step as usize) {
            check(f32::from_bits(bits));
            check(-f32::from_bits(bits));
        }
        check(hi);
        check(-hi);
    }

    fn same(a: f32, b: f32) -> bool {
        a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
    }

    #[test]
    fn exp_equals_libm() {
        // Every input of an int8 table is s (q - z) with |q - z| <= 255: the sweep covers
        // [-200, 200] (and exp's whole range: under -103.97 is 0, over 88.72 infinite).
        sweep(200.0, 1009, |x| {
            assert!(same(expf(x), libm::expf(x)), "expf({x:e})");
            assert!(same(expm1f(x), libm::expm1f(x)), "expm1f({x:e})");
            assert!(same(tanhf(x), libm::tanhf(x)), "tanhf({x:e})");
        });
        for x in [
            f32::NAN,
            f32::INFINITY,
            -f32::INFINITY,
            0.0,
            -0.0,
            f32::MIN_POSITIVE,
        ] {
            assert!(same(expf(x), libm::expf(x)) && same(tanhf(x), libm::tanhf(x)));
        }
    }

    #[test]
    fn exp_equals_libm_in_the_compiler() {
        // The same functions evaluated by rustc's const evaluator.
        const X: [f32; 8] = [-103.9, -87.5, -20.25, -0.3, 0.0, 1e-5, 3.75, 88.5];
        const E: [f32; 8] = {
            let mut e = [0f32; 8];
            let mut i = 0;
            while i < 8 {
                e[i] = expf(X[i]) + tanhf(X[i]);
                i += 1;
            }
            e
        };
        for (x, e) in X.iter().zip(E) {
            assert!(same(e, libm::expf(*x) + libm::tanhf(*x)), "{x}");
        }
    }

    #[test]
    fn round_equals_libm() {
        sweep(1e9, 997, |x| {
            assert!(same(roundf(x), libm::roundf(x)), "{x}")
        });
        for x in [
            0.5f32,
            -0.5,
            1.5,
            -2.5,
            0.49999997,
            -0.49999997,
            8388607.5,
            f32::NAN,
        ] {
            assert!(same(roundf(x), libm::roundf(x)), "{x}");
        }
    }
}
