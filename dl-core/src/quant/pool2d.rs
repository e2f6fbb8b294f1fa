//! int8 pooling: TFLite's `MAX_POOL_2D` and `AVERAGE_POOL_2D` (valid padding) with int8 input
//! and output. Both walk the same windows; they differ in how a window is reduced ([`Reduce`]).

use core::marker::PhantomData;

/// `impl<R: Reduce, const C, K, S, H, W, OH, OW> QPool2D<R, C, K, S, H, W, OH, OW> { .. }`
/// for the items given, or, as `qpool2d_impl! { Trait for { .. } }`, that trait's impl: the
/// pool's eight parameters, written once for every file that handles it (as `conv2d_impl!`
/// does for the float Conv2D).
macro_rules! qpool2d_impl {
    ($tr:ident for { $($body:tt)* }) => {
        qpool2d_impl!(@impl [$tr for] $($body)*);
    };
    (@impl [$($tr:tt)*] $($body:tt)*) => {
        impl<
                R: $crate::quant::pool2d::Reduce,
                const C: usize,
                const K: usize,
                const S: usize,
                const H: usize,
                const W: usize,
                const OH: usize,
                const OW: usize,
            > $($tr)* $crate::quant::QPool2D<R, C, K, S, H, W, OH, OW>
        {
            $($body)*
        }
    };
    ($($body:tt)*) => {
        qpool2d_impl!(@impl [] $($body)*);
    };
}
pub(crate) use qpool2d_impl;

/// How a pool reduces one window of `n` values to its int8 output (before the clamp).
pub trait Reduce: Copy + core::fmt::Debug + PartialEq + Eq {
    /// The pool's layer in dl (`"MaxPool2D"`, `"AvgPool2D"`).
    const LAYER: &'static str;
    /// Whether it is the maximum (TFLite's `MAX_POOL_2D`; else `AVERAGE_POOL_2D`).
    const MAX: bool;
    /// Its int8 type's name in `dl_core::quant`.
    const TYPE: &'static str;
    /// The window's output.
    fn reduce(window: impl Iterator<Item = i8>, n: i32) -> i32;
}

/// The maximum of the window: TFLite's reference int8 `MaxPool` to the bit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Max;

impl Reduce for Max {
    const LAYER: &'static str = "MaxPool2D";
    const MAX: bool = true;
    const TYPE: &'static str = "QMaxPool2D";
    #[inline]
    fn reduce(window: impl Iterator<Item = i8>, _: i32) -> i32 {
        window.fold(i8::MIN, i8::max) as i32
    }
}

/// The mean of the window: the sum `s` of its `n` values divided rounding half away from zero,
/// `(s + n/2) / n` for `s > 0` and `(s - n/2) / n` otherwise (integer division truncating):
/// TFLite's reference int8 `AveragePool` to the bit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mean;

impl Reduce for Mean {
    const LAYER: &'static str = "AvgPool2D";
    const MAX: bool = false;
    const TYPE: &'static str = "QAvgPool2D";
    #[inline]
    fn reduce(window: impl Iterator<Item = i8>, n: i32) -> i32 {
        let s: i32 = window.map(i32::from).sum();
        if s > 0 {
            (s + n / 2) / n
        } else {
            (s - n / 2) / n
        }
    }
}

/// Each `K x K` window, stride `S`, of `C x H x W` reduced by `R`, giving `C x OH x OW`,
/// `OH = (H - K) / S + 1` (checked at compile time), clamped to `[act_min, act_max]`. Input and
/// output share scale and zero point, so no rescale is needed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QPool2D<
    R,
    const C: usize,
    const K: usize,
    const S: usize,
    const H: usize,
    const W: usize,
    const OH: usize,
    const OW: usize,
> {
    /// Lower clamp of the output (a fused activation; -128 if none).
    pub act_min: i8,
    /// Upper clamp of the output.
    pub act_max: i8,
    reduce: PhantomData<R>,
}

/// int8 max pooling ([`QPool2D`] with [`Max`]).
pub type QMaxPool2D<
    const C: usize,
    const K: usize,
    const S: usize,
    const H: usize,
    const W: usize,
    const OH: usize,
    const OW: usize,
> = QPool2D<Max, C, K, S, H, W, OH, OW>;

/// int8 average pooling ([`QPool2D`] with [`Mean`]).
pub type QAvgPool2D<
    const C: usize,
    const K: usize,
    const S: usize,
    const H: usize,
    const W: usize,
    const OH: usize,
    const OW: usize,
> = QPool2D<Mean, C, K, S, H, W, OH, OW>;

qpool2d_impl! {
    const SHAPES_FIT: () = assert!(
        S > 0 && K > 0 && H >= K && W >= K && OH == (H - K) / S + 1 && OW == (W - K) / S + 1,
        "QPool2D: OH and OW must be (H - K) / S + 1 and (W - K) / S + 1"
    );

    /// A pool with no fused activation.
    pub const fn new() -> Self {
        Self::clamped(-128, 127)
    }

    /// A pool whose output is clamped to `[act_min, act_max]` (a fused activation).
    pub const fn clamped(act_min: i8, act_max: i8) -> Self {
        QPool2D {
            act_min,
            act_max,
            reduce: PhantomData,
        }
    }

    /// The int8 forward pass of one image.
    pub fn forward(&self, x: &[[[i8; W]; H]; C]) -> [[[i8; OW]; OH]; C] {
        let () = Self::SHAPES_FIT;
        let n = (K * K) as i32;
        let mut y = [[[0i8; OW]; OH]; C];
        for (y, x) in y.iter_mut().zip(x) {
            for (i, row) in y.iter_mut().enumerate() {
                for (j, y) in row.iter_mut().enumerate() {
                    let window = x[i * S..i * S + K]
                        .iter()
                        .flat_map(|xr| xr[j * S..j * S + K].iter().copied());
                    let v = R::reduce(window, n);
                    *y = v.clamp(self.act_min as i32, self.act_max as i32) as i8;
                }
            }
        }
        y
    }
}

qpool2d_impl! { Default for {
    fn default() -> Self {
        Self::new()
    }
}}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn averages_round_half_away_from_zero() {
        let pool = QAvgPool2D::<1, 2, 2, 2, 2, 1, 1>::new();
        assert_eq!(pool.forward(&[[[1, 1], [1, 3]]]), [[[2]]]); // 1.5 -> 2
        assert_eq!(pool.forward(&[[[-1, -1], [-1, -3]]]), [[[-2]]]); // -1.5 -> -2
        assert_eq!(pool.forward(&[[[1, 0], [0, 0]]]), [[[0]]]); // 0.25 -> 0
        assert_eq!(pool.forward(&[[[127; 2]; 2]]), [[[127]]]);
    }

    #[test]
    fn maxima_are_clamped() {
        let pool = QMaxPool2D::<1, 2, 1, 2, 3, 1, 2>::clamped(-5, 100);
        assert_eq!(
            pool.forward(&[[[1, 7, -9], [-100, 127, -20]]]),
            [[[100, 100]]]
        );
        let pool = QMaxPool2D::<1, 2, 2, 2, 2, 1, 1>::clamped(-5, 100);
        assert_eq!(pool.forward(&[[[-50, -60], [-70, -80]]]), [[[-5]]]);
    }
}
