//! The scalar types a network can be instantiated in: `f32` for speed, `f64` for gradient
//! checks and reference comparisons.

use nalgebra::RealField;

/// A floating-point scalar: `f32` or `f64`.
///
/// Math functions (`exp`, `ln`, `tanh`, `sqrt`) come from nalgebra's [`RealField`]: in `std`
/// builds the platform's (`libm`'s `expf` was 45% of an XOR training step; see BENCHMARKS.md
/// for the step with the platform's), without `std` `libm`'s, so they exist on firmware. Both are
/// accurate to about one unit in the last place, but not always the same one: a network can
/// differ from its firmware build in the last bits of a result (the gradient checks and
/// PyTorch fixtures, which run in `std` builds, pass at their unchanged tolerances).
///
/// ```
/// use dl_core::prelude::*;
/// // Code written once for f32 and f64.
/// fn mean<T: Float>(v: &[T]) -> T {
///     let sum: f64 = v.iter().map(|x| x.as_f64()).sum();
///     T::cast(sum / v.len() as f64)
/// }
/// assert_eq!(mean(&[1.0f32, 2.0, 6.0]), 3.0);
/// assert_eq!(mean(&[0.5f64, 1.5]), 1.0);
/// assert!(!f32::NAN.finite() && <f64 as Float>::NAME == "f64");
/// ```
pub trait Float:
    RealField
    + Copy
    + Default
    + core::fmt::Debug
    + core::fmt::Display
    + crate::kernel::Kernels
    + crate::kernel::tiles::Scalar
    + crate::zeroed::Zeroable
{
    /// `0`, usable in `const` items (for zero-initialised networks in `static`s).
    const ZERO: Self;
    /// `1`.
    const ONE: Self;
    /// The dtype's name, `"f32"` or `"f64"`.
    const NAME: &'static str;
    /// Converts from `f64`, rounding to nearest.
    fn cast(x: f64) -> Self;
    /// Converts to `f64` exactly.
    fn as_f64(self) -> f64;
    /// Neither infinite nor NaN.
    fn finite(self) -> bool;
    /// `e^self` as the activations (sigmoid, softmax) compute it: for `f32` in `std` builds
    /// the inlined, vectorisable [`exp_f32`](crate::exp::exp_f32) (at most 2 ulps from the
    /// exact value), otherwise [`exp`](nalgebra::ComplexField::exp) (the platform's, or
    /// `libm`'s without `std`; `f64`, which the gradient checks use, always).
    #[inline(always)]
    fn exp_activation(self) -> Self {
        <Self as nalgebra::ComplexField>::exp(self)
    }
    /// `v[i] = v[i].exp_activation()` for every element (for `f32` in `std` builds, several
    /// at a time: [`exp_in_place_f32`](crate::exp::exp_in_place_f32)).
    #[inline(always)]
    fn exp_activation_in_place(v: &mut [Self]) {
        for x in v {
            *x = x.exp_activation();
        }
    }
}

impl Float for f32 {
    const ZERO: Self = 0.0;
    const ONE: Self = 1.0;
    const NAME: &'static str = "f32";
    #[inline(always)]
    fn cast(x: f64) -> Self {
        x as f32
    }
    #[inline(always)]
    fn as_f64(self) -> f64 {
        self as f64
    }
    #[inline(always)]
    fn finite(self) -> bool {
        self.is_finite()
    }
    #[cfg(feature = "std")]
    #[inline(always)]
    fn exp_activation(self) -> Self {
        crate::exp::exp_f32(self)
    }
    #[cfg(feature = "std")]
    #[inline(always)]
    fn exp_activation_in_place(v: &mut [Self]) {
        crate::exp::exp_in_place_f32(v);
    }
}

impl Float for f64 {
    const ZERO: Self = 0.0;
    const ONE: Self = 1.0;
    const NAME: &'static str = "f64";
    #[inline(always)]
    fn cast(x: f64) -> Self {
        x
    }
    #[inline(always)]
    fn as_f64(self) -> f64 {
        self
    }
    #[inline(always)]
    fn finite(self) -> bool {
        self.is_finite()
    }
}

/// Whether every element of `v` is finite, without a branch an element: `x * 0` is 0 for
/// finite `x` and NaN for an infinity or NaN, and independent sums of those products vectorise
/// (in [`crate::kernel`], so a `std` build on x86-64 runs them with AVX-512 or AVX2). (A short-circuiting `all(is_finite)` runs one scalar compare an element; the
/// training steps check every gradient this way, so on a 100k-parameter network it costs as
/// much as a small layer.)
#[inline]
pub fn all_finite<T: Float>(v: &[T]) -> bool {
    crate::kernel::all_finite(v)
}

/// Multiplies every element of `v` by `s` and tells whether all results are finite: the
/// batch mean of a gradient and its finiteness check in one pass (see [`all_finite`] for the
/// trick). For a finite `s` with `|s| <= 1` the answer is the same as checking before scaling.
#[inline]
pub fn scale_all_finite<T: Float>(v: &mut [T], s: T) -> bool {
    crate::kernel::scale_all_finite(v, s)
}

#[cfg(test)]
mod tests {
    use super::{all_finite, scale_all_finite};

    #[test]
    fn scale_all_finite_scales_and_finds_every_non_finite_position() {
        let mut v = [3.0f32; 37];
        assert!(scale_all_finite(&mut v, 0.5));
        assert!(v.iter().all(|&x| x == 1.5));
        for bad in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
            for i in [0, 15, 16, 31, 32, 36] {
                let mut w = [1.0f32; 37];
                w[i] = bad;
                assert!(!scale_all_finite(&mut w, 0.25), "{bad} at {i}");
                assert_eq!(w[(i + 1) % 37], 0.25);
            }
        }
        assert!(scale_all_finite::<f64>(&mut [], 0.5));
    }

    #[test]
    fn all_finite_finds_every_non_finite_position() {
        let mut v = [1.5e38f32; 37];
        assert!(all_finite(&v));
        for bad in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
            for i in [0, 15, 16, 31, 32, 36] {
                let keep = v[i];
                v[i] = bad;
                assert!(!all_finite(&v), "{bad} at {i}");
                v[i] = keep;
            }
        }
        assert!(all_finite::<f64>(&[]));
        assert!(all_finite(&[-0.0f64, f64::MAX, f64::MIN_POSITIVE]));
    }
}
