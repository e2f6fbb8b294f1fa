//! An int8 2-D convolution: TFLite's `CONV_2D` with int8 input and output, per-channel
//! symmetric int8 filters and int32 bias.

use super::fixed_point::Multiplier;
use super::params::{FusedActivation, QuantParams};
use super::weights::{per_channel_multipliers, QuantError};

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
    > QConv2D<CI, CO, K, S, P, H, W, OH, OW>
{
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

    /// The int8 forward pass of one image. The taps that fall on padding are skipped: each
    /// output's window is cut to the rows `u` and columns `v` inside the image first.
    pub fn forward(&self, x: &[[[i8; W]; H]; CI]) -> [[[i8; OW]; OH]; CO] {
        let () = Self::SHAPES_FIT;
        let mut y = [[[0i8; OW]; OH]; CO];
        let z_in = self.input.zero_point;
        for i in 0..OH {
            let (u0, u1) = Self::taps(i, H);
            for j in 0..OW {
                let (v0, v1) = Self::taps(j, W);
                for (c, w) in self.weight.iter().enumerate() {
                    let mut acc = self.bias[c];
                    for (x, w) in x.iter().zip(w) {
                        for u in u0..u1 {
                            let (xr, wr) = (&x[i * S + u - P], &w[u]);
                            for v in v0..v1 {
                                acc = acc
                                    .wrapping_add(wr[v] as i32 * (xr[j * S + v - P] as i32 - z_in));
                            }
                        }
                    }
                    let v = self.rescale[c]
                        .apply(acc)
                        .wrapping_add(self.output.zero_point);
                    y[c][i][j] = v.clamp(self.act_min as i32, self.act_max as i32) as i8;
                }
            }
        }
        y
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
