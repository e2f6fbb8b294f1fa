//! Activation functions.
//!
//! Each activation is a zero-sized type. It maps pre-activations `z` to outputs `a` and turns
//! a gradient with respect to `a` into one with respect to `z`, in place. Both directions work
//! on slices of a fixed-size vector, so the compiler sees the length after inlining.

use crate::float::Float;
use crate::init::Init;

/// Which activation a type is; losses use it to pick a fused, numerically stable gradient
/// (softmax + cross-entropy gives `p - y`, sigmoid + binary cross-entropy gives `a - y`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `a = z`.
    Identity,
    /// `a = 1 / (1 + e^-z)`.
    Sigmoid,
    /// `a = tanh z`.
    Tanh,
    /// `a = max(z, 0)`.
    Relu,
    /// `a = z` for `z > 0`, else `slope * z`.
    LeakyRelu,
    /// `a_i = e^{z_i} / sum_j e^{z_j}`.
    Softmax,
}

/// An activation function applied to a whole layer.
///
/// ```
/// use dl_core::prelude::*;
/// // ReLU forward, then its backward turning dL/da into dL/dz.
/// let z = [-1.0f64, 0.5, 2.0];
/// let mut a = [0.0; 3];
/// Relu::forward(&z, &mut a);
/// assert_eq!(a, [0.0, 0.5, 2.0]);
/// let mut d = [1.0, 1.0, 1.0];
/// Relu::backward(&z, &a, &mut d);
/// assert_eq!(d, [0.0, 1.0, 1.0]);
/// ```
pub trait Activation: Copy + Default + 'static {
    /// Which function this is.
    const KIND: Kind;
    /// The initialisation that suits it.
    const INIT: Init;
    /// `a = f(z)`.
    fn forward<T: Float>(z: &[T], a: &mut [T]);
    /// Turns `d = dL/da` into `dL/dz` in place, given the cached `z` and `a`.
    fn backward<T: Float>(z: &[T], a: &[T], d: &mut [T]);
}

/// Elementwise activations: `a_i = f(z_i)` and `da_i/dz_i = f'(z_i)`.
macro_rules! elementwise {
    ($(#[$doc:meta])* $name:ident, $kind:ident, $init:ident, |$z:ident| $f:expr, |$zz:ident, $a:ident| $df:expr) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
        pub struct $name;

        impl Activation for $name {
            const KIND: Kind = Kind::$kind;
            const INIT: Init = Init::$init;
            #[inline]
            fn forward<T: Float>(z: &[T], a: &mut [T]) {
                for (a, &$z) in a.iter_mut().zip(z) {
                    *a = $f;
                }
            }
            #[inline]
            #[allow(unused_variables)]
            fn backward<T: Float>(z: &[T], a: &[T], d: &mut [T]) {
                for ((d, &$zz), &$a) in d.iter_mut().zip(z).zip(a) {
                    *d *= $df;
                }
            }
        }
    };
}

elementwise!(
    /// `a = z`.
    ///
    /// ```
    /// use dl_core::prelude::*;
    /// let mut a = [0.0; 2];
    /// Identity::forward(&[-1.5, 2.0], &mut a);
    /// assert_eq!(a, [-1.5, 2.0]);
    /// ```
    Identity, Identity, Glorot, |z| z, |z, a| T::ONE
);
/// The logistic function `a = 1 / (1 + e^-z)`, `da/dz = a (1 - a)`.
///
/// Evaluated as `e^z / (1 + e^z)` for negative `z`, so `e^-z` never overflows (as
/// [`sigmoid`], bit for bit, with the layer's exponentials in one vectorised pass).
///
/// ```
/// use dl_core::prelude::*;
/// let z = [0.0, -800.0, 800.0];
/// let mut a = [0.0f64; 3];
/// Sigmoid::forward(&z, &mut a); // no overflow at either end
/// assert!(a[0] == 0.5 && a[1] < 1e-300 && a[2] == 1.0);
/// let mut d = [1.0; 3]; // dL/da
/// Sigmoid::backward(&z, &a, &mut d); // dL/dz = a (1 - a)
/// assert_eq!(d[0], 0.25);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sigmoid;

impl Activation for Sigmoid {
    const KIND: Kind = Kind::Sigmoid;
    const INIT: Init = Init::Glorot;
    #[inline]
    fn forward<T: Float>(z: &[T], a: &mut [T]) {
        for (a, &z) in a.iter_mut().zip(z) {
            *a = -z.abs();
        }
        T::exp_activation_in_place(a);
        for (a, &z) in a.iter_mut().zip(z) {
            let numerator = if z >= T::ZERO { T::ONE } else { *a };
            *a = numerator / (T::ONE + *a);
        }
    }
    #[inline]
    fn backward<T: Float>(_z: &[T], a: &[T], d: &mut [T]) {
        for (d, &a) in d.iter_mut().zip(a) {
            *d *= a * (T::ONE - a);
        }
    }
}
elementwise!(
    /// `a = tanh z`, `da/dz = 1 - a^2`.
    ///
    /// ```
    /// use dl_core::prelude::*;
    /// let (z, mut a) = ([0.0, 1.0], [0.0f64; 2]);
    /// Tanh::forward(&z, &mut a);
    /// assert!(a[0] == 0.0 && (a[1] - 0.761_594_155_955_764_9).abs() < 1e-15);
    /// let mut d = [1.0; 2]; // dL/da
    /// Tanh::backward(&z, &a, &mut d); // now dL/dz = 1 - a^2
    /// assert!(d[0] == 1.0 && (d[1] - (1.0 - a[1] * a[1])).abs() < 1e-15);
    /// ```
    Tanh, Tanh, Glorot, |z| z.tanh(), |z, a| T::ONE - a * a
);
/// The rectifier `a = max(z, 0)`; its derivative at 0 is taken as 0, as PyTorch does.
/// A NaN pre-activation stays NaN, so bad input is never silently turned into zeros.
///
/// ```
/// use dl_core::prelude::*;
/// let z = [-2.0, 0.0, 3.0];
/// let mut a = [0.0f32; 3];
/// Relu::forward(&z, &mut a);
/// assert_eq!(a, [0.0, 0.0, 3.0]);
/// let mut d = [1.0; 3]; // dL/da
/// Relu::backward(&z, &a, &mut d); // 0 where z <= 0
/// assert_eq!(d, [0.0, 0.0, 1.0]);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Relu;

impl Activation for Relu {
    const KIND: Kind = Kind::Relu;
    const INIT: Init = Init::He;
    #[inline]
    fn forward<T: Float>(z: &[T], a: &mut [T]) {
        for (a, &z) in a.iter_mut().zip(z) {
            *a = if z < T::ZERO { T::ZERO } else { z };
        }
        // With gather instructions (AVX2 on), LLVM ran a batch's samples in the lanes of this
        // loop (Dense::forward_train_batch: one element of 8 samples gathered, the results
        // scattered); the fence, no instruction, keeps each sample's loop whole.
        if cfg!(target_feature = "avx2") {
            core::sync::atomic::compiler_fence(core::sync::atomic::Ordering::SeqCst);
        }
    }
    /// `d *= 1` where `z > 0`, `d *= 0` elsewhere (so a NaN or infinite `d` still turns into
    /// NaN there), written as a choice between two values and one store: with `d *= (z > 0 ?
    /// 1 : 0)` the compiler drops the multiplication by one, leaving a store on one branch
    /// only, which it cannot vectorise.
    #[inline]
    fn backward<T: Float>(z: &[T], _a: &[T], d: &mut [T]) {
        for (d, &z) in d.iter_mut().zip(z) {
            let dead = *d * T::ZERO;
            *d = if z > T::ZERO { *d } else { dead };
        }
    }
}

/// The logistic function, stable for any `z`: with `e = e^-|z|` (never above 1, so never
/// overflowing), `1 / (1 + e)` for `z >= 0` and `e / (1 + e)` below. Written with one
/// exponential and a choice of numerator rather than two branches, so a layer's loop has no
/// branch to mispredict and vectorises.
#[inline]
pub fn sigmoid<T: Float>(z: T) -> T {
    let e = (-z.abs()).exp_activation();
    let numerator = if z >= T::ZERO { T::ONE } else { e };
    numerator / (T::ONE + e)
}

/// Encodes a slope for [`LeakyRelu`]'s const parameter: `LeakyRelu<{ slope(0.01) }>`.
///
/// Rust has no float const generics, so the `network!` macro writes the slope's bit pattern.
pub const fn slope(x: f64) -> u64 {
    x.to_bits()
}

/// Leaky rectifier: `a = z` for `z > 0`, else `slope * z`.
///
/// In `network!` it is written `LeakyRelu<0.01>`; the macro parses the float and stores
/// its bits as `LeakyRelu<{ slope(0.01) }>`.
///
/// ```
/// use dl_core::activation::slope;
/// use dl_core::prelude::*;
/// type Leaky = LeakyRelu<{ slope(0.1) }>; // what `network!` writes for `LeakyRelu<0.1>`
/// let mut a = [0.0f64; 2];
/// Leaky::forward(&[-2.0, 3.0], &mut a);
/// assert_eq!(a, [-0.2, 3.0]);
/// assert_eq!(Leaky::SLOPE, 0.1);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LeakyRelu<const SLOPE_BITS: u64>;

impl<const SLOPE_BITS: u64> LeakyRelu<SLOPE_BITS> {
    /// The negative-side slope.
    pub const SLOPE: f64 = f64::from_bits(SLOPE_BITS);
}

impl<const SLOPE_BITS: u64> Activation for LeakyRelu<SLOPE_BITS> {
    const KIND: Kind = Kind::LeakyRelu;
    const INIT: Init = Init::He;
    #[inline]
    fn forward<T: Float>(z: &[T], a: &mut [T]) {
        let s = T::cast(Self::SLOPE);
        for (a, &z) in a.iter_mut().zip(z) {
            *a = if z > T::ZERO { z } else { s * z };
        }
    }
    #[inline]
    fn backward<T: Float>(z: &[T], _a: &[T], d: &mut [T]) {
        let s = T::cast(Self::SLOPE);
        for (d, &z) in d.iter_mut().zip(z) {
            if z <= T::ZERO {
                *d *= s;
            }
        }
    }
}

/// Softmax over the whole layer: `a_i = e^{z_i - m} / sum_j e^{z_j - m}` with `m = max z`, so
/// no exponent overflows. Only allowed on the last layer, where it pairs with
/// [`CrossEntropy`](crate::loss::CrossEntropy) for the fused gradient `p - y`.
///
/// Backward (the Jacobian-vector product): `dz_i = a_i (d_i - sum_j d_j a_j)`.
///
/// ```
/// use dl_core::prelude::*;
/// let mut p = [0.0f64; 3];
/// Softmax::forward(&[1000.0, 1000.0, 1000.0 + 2f64.ln()], &mut p); // no overflow
/// assert!((p[0] - 0.25).abs() < 1e-12 && (p[2] - 0.5).abs() < 1e-12); // 1000 + ln 2 rounds
/// assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-15);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Softmax;

impl Activation for Softmax {
    const KIND: Kind = Kind::Softmax;
    const INIT: Init = Init::Glorot;
    #[inline]
    fn forward<T: Float>(z: &[T], a: &mut [T]) {
        let m = max(z);
        // The exponentials in one pass (which vectorises), their sum in eight lanes in
        // another (a 10-wide layer: two dependent vector adds and a tree of three, not ten
        // dependent scalar adds).
        for (a, &z) in a.iter_mut().zip(z) {
            *a = z - m;
        }
        T::exp_activation_in_place(a);
        let sum = reduce(a, T::ZERO, |s, a| s + a);
        let inv = T::ONE / sum;
        for a in a.iter_mut() {
            *a *= inv;
        }
    }
    #[inline]
    fn backward<T: Float>(_z: &[T], a: &[T], d: &mut [T]) {
        let dot = d.iter().zip(a).fold(T::ZERO, |s, (&d, &a)| s + d * a);
        for (d, &a) in d.iter_mut().zip(a) {
            *d = a * (*d - dot);
        }
    }
}

/// The largest element (`-inf` for an empty slice; NaNs are passed over), in eight lanes
/// ([`reduce`]): the maximum does not depend on the order.
#[inline]
pub(crate) fn max<T: Float>(z: &[T]) -> T {
    reduce(
        z,
        T::cast(f64::NEG_INFINITY),
        |m, v| if v > m { v } else { m },
    )
}

/// Lanes of [`reduce`]: two SSE registers of `f32`, one AVX register.
const LANES: usize = 8;

/// `f` over `v` from `init` in [`LANES`] lanes, which vectorise: lane `l` folds elements
/// `l, l + 8, l + 16, ...`, then the lanes are combined pairwise,
/// `f(f(f(l0, l4), f(l2, l6)), f(f(l1, l5), f(l3, l7)))`. For a sum, a different order of
/// additions than left to right (within the same error bound, `(n - 1) eps sum |v|`); for a
/// maximum, the same result. The chain of dependent operations is `len / 8 + 3` long instead
/// of `len`.
#[inline(always)]
fn reduce<T: Float>(v: &[T], init: T, f: impl Fn(T, T) -> T) -> T {
    let mut acc = [init; LANES];
    let (chunks, rest) = v.as_chunks::<LANES>();
    for chunk in chunks {
        for (acc, &v) in acc.iter_mut().zip(chunk) {
            *acc = f(*acc, v);
        }
    }
    for (acc, &v) in acc.iter_mut().zip(rest) {
        *acc = f(*acc, v);
    }
    let q = [
        f(acc[0], acc[4]),
        f(acc[1], acc[5]),
        f(acc[2], acc[6]),
        f(acc[3], acc[7]),
    ];
    f(f(q[0], q[2]), f(q[1], q[3]))
}

/// `ln sum_i e^{z_i}`, computed as `m + ln sum_i e^{z_i - m}` so it never overflows.
#[inline]
pub(crate) fn log_sum_exp<T: Float>(z: &[T]) -> T {
    let m = max(z);
    let s = z.iter().fold(T::ZERO, |s, &v| s + (v - m).exp());
    m + s.ln()
}
