//! The scalar types a network can be instantiated in: `f32` for speed, `f64` for gradient
//! checks and reference comparisons.

use nalgebra::RealField;

/// A floating-point scalar: `f32` or `f64`.
///
/// Math functions (`exp`, `ln`, `tanh`, `sqrt`) come from nalgebra's [`RealField`] through
/// `libm`, so they exist without `std`.
pub trait Float: RealField + Copy + Default + core::fmt::Debug + core::fmt::Display {
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
    /// `self * a + b`, as one fused multiply-add instruction when the build targets FMA
    /// (`-C target-cpu=native` on this machine) and links `std`, whose `mul_add` becomes
    /// `vfmadd`; otherwise as a multiply and an add (`core` has no vectorisable fused form, and
    /// `libm`'s `fma` is a scalar call). Used by the matrix kernels in [`crate::kernel`].
    fn mul_add_fast(self, a: Self, b: Self) -> Self;
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
    #[inline(always)]
    fn mul_add_fast(self, a: Self, b: Self) -> Self {
        #[cfg(all(feature = "std", target_feature = "fma"))]
        return std::primitive::f32::mul_add(self, a, b);
        #[cfg(not(all(feature = "std", target_feature = "fma")))]
        return self * a + b;
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
    #[inline(always)]
    fn mul_add_fast(self, a: Self, b: Self) -> Self {
        #[cfg(all(feature = "std", target_feature = "fma"))]
        return std::primitive::f64::mul_add(self, a, b);
        #[cfg(not(all(feature = "std", target_feature = "fma")))]
        return self * a + b;
    }
}
