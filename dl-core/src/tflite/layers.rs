//! The declared layers an [`Importer`] fills: each reads its operator and checks it.

use super::error::TfliteError;
use super::import::Importer;
use super::model::{Op, Operator};
use crate::quant::pool2d::Reduce;
use crate::quant::{FusedActivation, QConv2D, QDense, QFlatten, QPool2D};

impl<'a> Importer<'a> {
    /// A `Dense<I, O>` layer from a `FULLY_CONNECTED` operator (weights `[O, I]`, per-tensor or
    /// per-channel). After a `Flatten` the columns are reordered from TFLite's `H, W, C`
    /// flattening to dl's `C, H, W`.
    pub fn dense<const I: usize, const O: usize>(
        &mut self,
        activation: FusedActivation,
    ) -> Result<QDense<I, O>, TfliteError> {
        let op = self.next(Op::FullyConnected, "Dense")?;
        if let Some(t) = op.options {
            if t.u8(1, 0, "weights format")? != 0 {
                return Err(TfliteError::Malformed {
                    what: "fully connected weights format (only the default is supported)",
                });
            }
        }
        let (input, output) = self.activations(&op, I, O)?;
        let w = self.int8(op.inputs.i32(1, "operator inputs")?, "weights")?;
        self.dim_is("weight rank", 2, w.rank())?;
        self.dim_is("weight rows (outputs)", O, w.dim(0)?)?;
        self.dim_is("weight columns (inputs)", I, w.dim(1)?)?;
        if w.data.len() != I * O {
            return Err(TfliteError::Malformed {
                what: "weight data",
            });
        }
        let rescale = self.weight_scales::<O>(&w, input, output)?;
        let bias = self.bias::<O>(&op)?;
        let (act_min, act_max) = self.activation(&op, 0, activation, output)?;
        let flattened = self.flattened.take();
        let mut weight = [[0i8; I]; O];
        for (o, row) in weight.iter_mut().enumerate() {
            for (j, v) in row.iter_mut().enumerate() {
                // dl's column j = (c, h, w) in C, H, W order; TFLite's is (h, w, c).
                let col = match flattened {
                    Some((c, h, wd)) => {
                        let (ci, hw) = (j / (h * wd), j % (h * wd));
                        hw * c + ci
                    }
                    None => j,
                };
                *v = w.data[o * I + col] as i8;
            }
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
    pub fn conv2d<
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
        let op = self.next(Op::Conv2D, "Conv2D")?;
        let opts = op.options.ok_or(TfliteError::Malformed {
            what: "convolution options",
        })?;
        self.window(&op, None, K, S, P, (H, W))?;
        if opts.i32(4, 1, "dilation")? != 1 || opts.i32(5, 1, "dilation")? != 1 {
            return Err(TfliteError::Malformed {
                what: "convolution dilation (only 1 is supported)",
            });
        }
        let (input, output) = self.activations(&op, CI * H * W, CO * OH * OW)?;
        let w = self.int8(op.inputs.i32(1, "operator inputs")?, "filter")?;
        self.dim_is("filter rank", 4, w.rank())?;
        self.dim_is("filter output channels", CO, w.dim(0)?)?;
        self.dim_is("kernel height", K, w.dim(1)?)?;
        self.dim_is("kernel width", K, w.dim(2)?)?;
        self.dim_is("filter input channels", CI, w.dim(3)?)?;
        if w.data.len() != CO * K * K * CI {
            return Err(TfliteError::Malformed {
                what: "filter data",
            });
        }
        let rescale = self.weight_scales::<CO>(&w, input, output)?;
        let bias = self.bias::<CO>(&op)?;
        let (act_min, act_max) = self.activation(&op, 3, activation, output)?;
        let weight = QConv2D::<CI, CO, K, S, P, H, W, OH, OW>::filter_from_fn(|o, c, u, v| {
            w.data[((o * K + u) * K + v) * CI + c] as i8
        });
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
    pub fn pool2d<
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
        let op = match R::LAYER {
            "MaxPool2D" => Op::MaxPool2D,
            _ => Op::AvgPool2D,
        };
        let (act_min, act_max) = self.pool(op, R::LAYER, C, K, S, (H, W), (OH, OW))?;
        Ok(QPool2D::clamped(act_min, act_max))
    }

    /// A `Flatten` of `C x H x W` from a `RESHAPE` operator to `[1, N]`; the next dense layer's
    /// columns are reordered.
    pub fn flatten<const C: usize, const H: usize, const W: usize, const N: usize>(
        &mut self,
    ) -> Result<QFlatten<C, H, W, N>, TfliteError> {
        let op = self.next(Op::Reshape, "Flatten")?;
        self.dim_is("flattened size", C * H * W, N)?;
        let (input, output) = self.activations(&op, N, N)?;
        if input != output {
            return Err(self.quant_error("a reshape changes the quantisation"));
        }
        self.flattened = Some((C, H, W));
        self.layer += 1;
        Ok(QFlatten)
    }

    #[allow(clippy::too_many_arguments)]
    fn pool(
        &mut self,
        want: Op,
        kind: &'static str,
        c: usize,
        k: usize,
        s: usize,
        (h, w): (usize, usize),
        (oh, ow): (usize, usize),
    ) -> Result<(i8, i8), TfliteError> {
        let op = self.next(want, kind)?;
        self.window(&op, Some((3, 4)), k, s, 0, (h, w))?;
        let (input, output) = self.activations(&op, c * h * w, c * oh * ow)?;
        if input != output {
            return Err(
                self.quant_error("int8 pooling needs the same input and output quantisation")
            );
        }
        let activation = match op
            .options
            .map(|t| t.i8(5, 0, "fused activation"))
            .transpose()?
        {
            Some(1) => FusedActivation::Relu,
            Some(3) => FusedActivation::Relu6,
            _ => FusedActivation::Identity,
        };
        let clamp = self.activation(&op, 5, activation, output)?;
        self.layer += 1;
        Ok(clamp)
    }

    /// Checks a window operator's padding (field 0), strides (fields 1 and 2) and, for
    /// pools, filter size (fields `fw`, `fh`) against kernel `k`, stride `s`, symmetric
    /// padding `p` and the input size (the output size is checked with the output tensor).
    #[allow(clippy::too_many_arguments)]
    fn window(
        &self,
        op: &Operator<'_>,
        filter: Option<(usize, usize)>,
        k: usize,
        s: usize,
        p: usize,
        (h, w): (usize, usize),
    ) -> Result<(), TfliteError> {
        let opts = op.options.ok_or(TfliteError::Malformed {
            what: "window options",
        })?;
        let dim = |field, what| -> Result<usize, TfliteError> {
            usize::try_from(opts.i32(field, 0, what)?).map_err(|_| TfliteError::Malformed { what })
        };
        self.dim_is("stride (width)", s, dim(1, "stride")?)?;
        self.dim_is("stride (height)", s, dim(2, "stride")?)?;
        if let Some((fw, fh)) = filter {
            self.dim_is("pool width", k, dim(fw, "filter size")?)?;
            self.dim_is("pool height", k, dim(fh, "filter size")?)?;
        }
        // TFLite: VALID pads nothing; SAME pads (out - 1) * s + k - in in total, half before.
        let same = opts.u8(0, 0, "padding")? == 0;
        for (what, n) in [("padding (height)", h), ("padding (width)", w)] {
            let total = if same {
                // SAME's output size is ceil(in / s).
                ((n.div_ceil(s).max(1) - 1) * s + k).saturating_sub(n)
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
        }
        Ok(())
    }
}
