//! The declared layers an [`Importer`] fills: each reads its operator and checks it.

use super::error::TfliteError;
use super::flatbuffer::{tri, Table};
use super::import::Importer;
use super::model::{Op, Operator};
use crate::quant::pool2d::Reduce;
use crate::quant::{FusedActivation, QConv2D, QDense, QFlatten, QPool2D};

impl<'a> Importer<'a> {
    /// A `Dense<I, O>` layer from a `FULLY_CONNECTED` operator (weights `[O, I]`, per-tensor or
    /// per-channel). After a `Flatten` the columns are reordered from TFLite's `H, W, C`
    /// flattening to dl's `C, H, W`.
    pub const fn dense<const I: usize, const O: usize>(
        &mut self,
        activation: FusedActivation,
    ) -> Result<QDense<I, O>, TfliteError> {
        let op = tri!(self.next(Op::FullyConnected, "Dense"));
        if let Some(t) = op.options {
            if tri!(t.u8(1, 0, "weights format")) != 0 {
                return Err(TfliteError::Malformed {
                    what: "fully connected weights format (only the default is supported)",
                });
            }
        }
        let (input, output) = tri!(self.activations(&op, I, O));
        let w = tri!(self.int8(tri!(op.inputs.i32(1, "operator inputs")), "weights"));
        tri!(self.dim_is("weight rank", 2, w.rank()));
        tri!(self.dim_is("weight rows (outputs)", O, tri!(w.dim(0))));
        tri!(self.dim_is("weight columns (inputs)", I, tri!(w.dim(1))));
        if w.data.len() != I * O {
            return Err(TfliteError::Malformed {
                what: "weight data",
            });
        }
        let rescale = tri!(self.weight_scales::<O>(&w, input, output));
        let bias = tri!(self.bias::<O>(&op));
        let (act_min, act_max) = tri!(self.activation(&op, 0, activation, output));
        let flattened = self.flattened.take();
        let mut weight = [[0i8; I]; O];
        let mut o = 0;
        while o < O {
            let mut j = 0;
            while j < I {
                // dl's column j = (c, h, w) in C, H, W order; TFLite's is (h, w, c).
                let col = match flattened {
                    Some((c, h, wd)) => (j % (h * wd)) * c + j / (h * wd),
                    None => j,
                };
                weight[o][j] = w.data[o * I + col] as i8;
                j += 1;
            }
            o += 1;
        }
        self.layer += 1;
        Ok(QDense::from_raw(
            weight, bias, rescale, input, output, act_min, act_max,
        ))
    }

    /// A `Conv2D<CI, CO, K, Relu | Identity, stride = S, padding = P>` layer on a
    /// `CI x H x W` image from a `CONV_2D` operator (filter `[CO, K, K, CI]`, no dilation).
    /// TFLite's `SAME` padding must equal `P` on every side; `VALID` is `P = 0`.
    #[allow(clippy::type_complexity)]
    pub const fn conv2d<
        const CI: usize,
        const CO: usize,
        const K: usize,
        const S: usize,
        const P: usize,
        const H: usize,
        const W: usize,
        const OH: usize,
        const OW: usize,
    >(
        &mut self,
        activation: FusedActivation,
    ) -> Result<QConv2D<CI, CO, K, S, P, H, W, OH, OW>, TfliteError> {
        let op = tri!(self.next(Op::Conv2D, "Conv2D"));
        let Some(opts) = op.options else {
            return Err(TfliteError::Malformed {
                what: "convolution options",
            });
        };
        tri!(self.window(&op, None, K, S, P, (H, W)));
        if tri!(opts.i32(4, 1, "dilation")) != 1 || tri!(opts.i32(5, 1, "dilation")) != 1 {
            return Err(TfliteError::Malformed {
                what: "convolution dilation (only 1 is supported)",
            });
        }
        let (input, output) = tri!(self.activations(&op, CI * H * W, CO * OH * OW));
        let w = tri!(self.int8(tri!(op.inputs.i32(1, "operator inputs")), "filter"));
        tri!(self.dim_is("filter rank", 4, w.rank()));
        tri!(self.dim_is("filter output channels", CO, tri!(w.dim(0))));
        tri!(self.dim_is("kernel height", K, tri!(w.dim(1))));
        tri!(self.dim_is("kernel width", K, tri!(w.dim(2))));
        tri!(self.dim_is("filter input channels", CI, tri!(w.dim(3))));
        if w.data.len() != CO * K * K * CI {
            return Err(TfliteError::Malformed {
                what: "filter data",
            });
        }
        let rescale = tri!(self.weight_scales::<CO>(&w, input, output));
        let bias = tri!(self.bias::<CO>(&op));
        let (act_min, act_max) = tri!(self.activation(&op, 3, activation, output));
        // TFLite's filter is [CO][K][K][CI]; dl's [CO][CI][K][K].
        let mut weight = [[[[0i8; K]; K]; CI]; CO];
        let mut i = 0;
        while i < CO * K * K * CI {
            let (o, u, v, c) = (i / (K * K * CI), i / (K * CI) % K, i / CI % K, i % CI);
            weight[o][c][u][v] = w.data[i] as i8;
            i += 1;
        }
        self.layer += 1;
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

    /// A `MaxPool2D<K, stride = S>` or `AvgPool2D<K, stride = S>` on `C x H x W` (as `R` says)
    /// from a `MAX_POOL_2D` or `AVERAGE_POOL_2D` operator.
    pub const fn pool2d<
        R: Reduce,
        const C: usize,
        const K: usize,
        const S: usize,
        const H: usize,
        const W: usize,
        const OH: usize,
        const OW: usize,
    >(
        &mut self,
    ) -> Result<QPool2D<R, C, K, S, H, W, OH, OW>, TfliteError> {
        let op = if R::MAX { Op::MaxPool2D } else { Op::AvgPool2D };
        let (act_min, act_max) = tri!(self.pool(op, R::LAYER, C, K, S, (H, W), (OH, OW)));
        Ok(QPool2D::clamped(act_min, act_max))
    }

    /// A `Flatten` of `C x H x W` from a `RESHAPE` operator to `[1, N]`; the next dense layer's
    /// columns are reordered.
    pub const fn flatten<const C: usize, const H: usize, const W: usize, const N: usize>(
        &mut self,
    ) -> Result<QFlatten<C, H, W, N>, TfliteError> {
        let op = tri!(self.next(Op::Reshape, "Flatten"));
        tri!(self.dim_is("flattened size", C * H * W, N));
        let (input, output) = tri!(self.activations(&op, N, N));
        if !input.same(output) {
            return Err(self.quant_error("a reshape changes the quantisation"));
        }
        self.flattened = Some((C, H, W));
        self.layer += 1;
        Ok(QFlatten)
    }

    #[allow(clippy::too_many_arguments)]
    const fn pool(
        &mut self,
        want: Op,
        kind: &'static str,
        c: usize,
        k: usize,
        s: usize,
        (h, w): (usize, usize),
        (oh, ow): (usize, usize),
    ) -> Result<(i8, i8), TfliteError> {
        let op = tri!(self.next(want, kind));
        tri!(self.window(&op, Some((3, 4)), k, s, 0, (h, w)));
        let (input, output) = tri!(self.activations(&op, c * h * w, c * oh * ow));
        if !input.same(output) {
            return Err(
                self.quant_error("int8 pooling needs the same input and output quantisation")
            );
        }
        let code = match op.options {
            Some(t) => tri!(t.i8(5, 0, "fused activation")),
            None => 0,
        };
        let activation = match code {
            1 => FusedActivation::Relu,
            3 => FusedActivation::Relu6,
            _ => FusedActivation::Identity,
        };
        let clamp = tri!(self.activation(&op, 5, activation, output));
        self.layer += 1;
        Ok(clamp)
    }

    /// Checks a window operator's padding (field 0), strides (fields 1 and 2) and, for
    /// pools, filter size (fields `fw`, `fh`) against kernel `k`, stride `s`, symmetric
    /// padding `p` and the input size (the output size is checked with the output tensor).
    #[allow(clippy::too_many_arguments)]
    const fn window(
        &self,
        op: &Operator<'_>,
        filter: Option<(usize, usize)>,
        k: usize,
        s: usize,
        p: usize,
        (h, w): (usize, usize),
    ) -> Result<(), TfliteError> {
        let Some(opts) = op.options else {
            return Err(TfliteError::Malformed {
                what: "window options",
            });
        };
        tri!(self.dim_is("stride (width)", s, tri!(option_dim(opts, 1, "stride"))));
        tri!(self.dim_is("stride (height)", s, tri!(option_dim(opts, 2, "stride"))));
        if let Some((fw, fh)) = filter {
            tri!(self.dim_is("pool width", k, tri!(option_dim(opts, fw, "filter size"))));
            tri!(self.dim_is("pool height", k, tri!(option_dim(opts, fh, "filter size"))));
        }
        // TFLite: VALID pads nothing; SAME pads (out - 1) * s + k - in in total, half before.
        let same = tri!(opts.u8(0, 0, "padding")) == 0;
        let sides = [("padding (height)", h), ("padding (width)", w)];
        let mut i = 0;
        while i < 2 {
            let (what, n) = sides[i];
            let total = if same {
                // SAME's output size is ceil(in / s), at least 1.
                let out = if n == 0 || s == 0 { 1 } else { n.div_ceil(s) };
                ((out - 1) * s + k).saturating_sub(n)
            } else {
                0
            };
            if total != 2 * p {
                return Err(TfliteError::Shape {
                    layer: self.layer,
                    what,
                    expected: 2 * p,
                    found: total,
                });
            }
            i += 1;
        }
        Ok(())
    }
}

/// An options field holding a size (a negative one is malformed).
const fn option_dim(
    opts: Table<'_>,
    field: usize,
    what: &'static str,
) -> Result<usize, TfliteError> {
    let v = tri!(opts.i32(field, 0, what));
    if v < 0 {
        return Err(TfliteError::Malformed { what });
    }
    Ok(v as usize)
}
