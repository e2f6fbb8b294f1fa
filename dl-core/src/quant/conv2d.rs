//! An int8 2-D convolution: TFLite's `CONV_2D` with int8 input and output, per-channel
//! symmetric int8 filters and int32 bias.

use super::fixed_point::Multiplier;
use super::params::{FusedActivation, QuantParams};
use super::weights::{per_channel_multipliers, QuantError};

/// `impl<const CI, CO, K, S, P, H, W, OH, OW> QConv2D<CI, CO, K, S, P, H, W, OH, OW> { .. }`
/// for the items given, or, as `qconv2d_impl! { Trait for { .. } }`, that trait's impl: the
/// layer's nine parameters, written once for every file that handles it.
macro_rules! qconv2d_impl {
    ($tr:ident for { $($body:tt)* }) => {
        qconv2d_impl!(@impl [$tr for] $($body)*);
    };
    (@impl [$($tr:tt)*] $($body:tt)*) => {
        impl<
                const CI: usize,
                const CO: usize,
                const K: usize,
                const S: usize,
                const P: usize,
                const H: usize,
                const W: usize,
                const OH: usize,
                const OW: usize,
            > $($tr)* $crate::quant::QConv2D<CI, CO, K, S, P, H, W, OH, OW>
        {
            $($body)*
        }
    };
    ($($body:tt)*) => {
        qconv2d_impl!(@impl [] $($body)*);
    };
}
pub(crate) use qconv2d_impl;

/// `CI` to `CO` channels, a `K` by `K` kernel, stride `S`, zero padding `P` (real zeros: the
/// padded positions add nothing, as in TFLite), on a `CI x H x W` image giving
/// `CO x OH x OW`, `OH = (H + 2P - K) / S + 1` (checked at compile time).
///
/// `y[c][i][j] = clamp(z_out + M_c(b[c] + sum W[c][ci][u][v] (x[ci][iS+u-P][jS+v-P] - z_in)))`,
/// TFLite's reference `ConvPerChannel` to the bit. Images are `C, H, W` (dl's and PyTorch's
/// order); the filter is `[CO][CI][K][K]` (the TFLite importer transposes from `OHWI`).
#[derive(Clone, Debug, PartialEq)]
#[allow(clippy::type_complexity)]
pub struct QConv2D<
    const CI: usize,
    const CO: usize,
    const K: usize,
    const S: usize,
    const P: usize,
    const H: usize,
    const W: usize,
    const OH: usize,
    const OW: usize,
> {
    /// Filters, `[CO][CI][K][K]`.
    pub weight: [[[[i8; K]; K]; CI]; CO],
    /// TFLite's int32 bias, scale `s_in * s_w[c]`.
    pub bias: [i32; CO],
    /// The output rescale of each channel.
    pub rescale: [Multiplier; CO],
    /// Input scale and zero point.
    pub input: QuantParams,
    /// Output scale and zero point.
    pub output: QuantParams,
    /// Lower clamp of the output (the fused activation).
    pub act_min: i8,
    /// Upper clamp of the output.
    pub act_max: i8,
}

qconv2d_impl! {
    const SHAPES_FIT: () = assert!(
        S > 0
            && H + 2 * P >= K
            && W + 2 * P >= K
            && OH == (H + 2 * P - K) / S + 1
            && OW == (W + 2 * P - K) / S + 1,
        "QConv2D: OH and OW must be (H + 2P - K) / S + 1 and (W + 2P - K) / S + 1"
    );

    /// A layer from TFLite's quantities (see [`super::QDense::new`]).
    pub fn new(
        weight: [[[[i8; K]; K]; CI]; CO],
        bias: [i32; CO],
        weight_scales: &[f32; CO],
        input: QuantParams,
        output: QuantParams,
        activation: FusedActivation,
    ) -> Result<Self, QuantError> {
        let rescale = per_channel_multipliers(input, weight_scales, output)?;
        let (act_min, act_max) = activation.range(output);
        Ok(QConv2D {
            weight,
            bias,
            rescale,
            input,
            output,
            act_min,
            act_max,
        })
    }

    /// A filter `[CO][CI][K][K]` from its values `f(o, c, u, v)` (an importer's or a
    /// quantiser's layout, mapped to dl's).
    pub fn filter_from_fn(
        mut f: impl FnMut(usize, usize, usize, usize) -> i8,
    ) -> [[[[i8; K]; K]; CI]; CO] {
        core::array::from_fn(|o| {
            core::array::from_fn(|c| {
                core::array::from_fn(|u| core::array::from_fn(|v| f(o, c, u, v)))
            })
        })
    }

    /// The int8 forward pass of one image, one output channel at a time. The input zero point is folded into the accumulator's start,
    /// `acc0 = b - z_in * sum W` (CMSIS-NN does the same), so a window inside the image is a
    /// plain int8 dot product with constant bounds. A window that overlaps the padding is
    /// summed as TFLite's reference kernel sums it, from the bias, skipping the padded taps.
    pub fn forward(&self, x: &[[[i8; W]; H]; CI]) -> [[[i8; OW]; OH]; CO] {
        let () = Self::SHAPES_FIT;
        let mut y = [[[0i8; OW]; OH]; CO];
        let z_in = self.input.zero_point;
        for (c, (w, yc)) in self.weight.iter().zip(&mut y).enumerate() {
            let sum_w: i32 = w.iter().flatten().flatten().map(|&v| v as i32).sum();
            let acc0 = self.bias[c].wrapping_sub(z_in.wrapping_mul(sum_w));
            for (i, yr) in yc.iter_mut().enumerate() {
                let (u0, u1) = Self::taps(i, H);
                for (j, y) in yr.iter_mut().enumerate() {
                    let (v0, v1) = Self::taps(j, W);
                    let acc = if u0 == 0 && u1 == K && v0 == 0 && v1 == K {
                        acc0.wrapping_add(Self::window(w, x, i * S - P, j * S - P))
                    } else {
                        self.bias[c].wrapping_add(Self::border(
                            w,
                            x,
                            (i, j),
                            (u0, u1),
                            (v0, v1),
                            z_in,
                        ))
                    };
                    let v = self.rescale[c]
                        .apply(acc)
                        .wrapping_add(self.output.zero_point);
                    *y = v.clamp(self.act_min as i32, self.act_max as i32) as i8;
                }
            }
        }
        y
    }

    /// `sum W[ci][u][v] x[ci][r + u][q + v]` over a window inside the image.
    #[inline(always)]
    fn window(w: &[[[i8; K]; K]; CI], x: &[[[i8; W]; H]; CI], r: usize, q: usize) -> i32 {
        let mut acc = 0i32;
        for (w, x) in w.iter().zip(x) {
            for (wr, xr) in w.iter().zip(&x[r..r + K]) {
                let Some(xs) = xr.get(q..q + K) else { continue };
                acc = acc.wrapping_add(Self::row(wr, xs));
            }
        }
        acc
    }

    /// `sum w[v] x[v]` over one kernel row. Firmware is built for size (opt-level "s"), where
    /// LLVM keeps loops rolled, so the common 3-wide row is written out (`K` is a constant:
    /// the branch is resolved at compile time).
    #[inline(always)]
    fn row(w: &[i8; K], x: &[i8]) -> i32 {
        if let ([w0, w1, w2], [x0, x1, x2]) = (&w[..], x) {
            return *w0 as i32 * *x0 as i32 + *w1 as i32 * *x1 as i32 + *w2 as i32 * *x2 as i32;
        }
        w.iter().zip(x).map(|(&a, &b)| a as i32 * b as i32).sum()
    }

    /// `sum W (x - z_in)` over the taps `u0..u1`, `v0..v1` of output `(i, j)` that are
    /// inside the image (the others are real zeros: they add nothing).
    #[inline(always)]
    fn border(
        w: &[[[i8; K]; K]; CI],
        x: &[[[i8; W]; H]; CI],
        (i, j): (usize, usize),
        (u0, u1): (usize, usize),
        (v0, v1): (usize, usize),
        z_in: i32,
    ) -> i32 {
        let mut acc = 0i32;
        for (x, w) in x.iter().zip(w) {
            for u in u0..u1 {
                let (xr, wr) = (&x[i * S + u - P], &w[u]);
                for v in v0..v1 {
                    acc = acc.wrapping_add(wr[v] as i32 * (xr[j * S + v - P] as i32 - z_in));
                }
            }
        }
        acc
    }

    /// The kernel offsets `u0..u1` of output position `i` that land inside an input of size
    /// `n` (the others fall on padding).
    #[inline(always)]
    fn taps(i: usize, n: usize) -> (usize, usize) {
        let start = i * S;
        (
            P.saturating_sub(start),
            K.min((n + P).saturating_sub(start)),
        )
    }
}
