//! Importing an int8 `.tflite` model into declared layers, one layer at a time, checking each
//! operator, shape and quantisation parameter against the declaration.

use super::error::TfliteError;
use super::flatbuffer::tri;
use super::model::{tensor_type, Model, Op, Operator, Tensor};
use crate::quant::{per_channel_multipliers, FusedActivation, Multiplier, QuantParams};

/// Walks a model's operators in order while the caller asks for the declared layers:
///
/// ```no_run
/// use dl_core::quant::{FusedActivation::*, QDense};
/// use dl_core::tflite::Importer;
/// # fn f(bytes: &[u8]) -> Result<(), dl_core::tflite::TfliteError> {
/// let mut model = Importer::new(bytes)?;
/// let l0: QDense<1, 16> = model.dense(Relu)?;
/// let l1: QDense<16, 16> = model.dense(Relu)?;
/// let l2: QDense<16, 1> = model.dense(Identity)?;
/// model.finish()?;
/// # Ok(()) }
/// ```
///
/// Layers are numbered from 1 in declaration order, as `network!`'s messages number them (a
/// `Flatten` and a `Dropout` count); every error names the layer. `RESHAPE` is accepted only
/// where a `Flatten` is declared.
///
/// Every method but `sigmoid` and `tanh` (whose tables need `exp`) is a `const fn`: the
/// generated `from_tflite` of a network without those runs in the compiler too, which is how
/// `network!`'s `#[tflite("...")]` imports a model at compile time with this same reader.
#[derive(Debug)]
pub struct Importer<'a> {
    pub(super) model: Model<'a>,
    next_op: usize,
    pub(super) layer: usize,
    prev_output: Option<(i32, QuantParams)>,
    /// `(C, H, W)` of a flattened image still to be reordered into the next dense layer.
    pub(super) flattened: Option<(usize, usize, usize)>,
}

impl<'a> Importer<'a> {
    /// Parses the file's header and subgraph.
    pub const fn new(bytes: &'a [u8]) -> Result<Importer<'a>, TfliteError> {
        Ok(Importer {
            model: tri!(Model::parse(bytes)),
            next_op: 0,
            layer: 1,
            prev_output: None,
            flattened: None,
        })
    }

    /// The network input's quantisation (the first operator's input).
    pub const fn input_params(&self) -> Result<QuantParams, TfliteError> {
        let op = tri!(self.model.operator(0));
        let t = tri!(self.model.tensor(tri!(op.inputs.i32(0, "operator inputs"))));
        self.params(&t, true)
    }

    /// Steps over a declared layer that has no operator (a `Dropout`: the identity at
    /// inference), so that later errors number layers as the declaration does.
    pub const fn skip(&mut self) {
        self.layer += 1;
    }

    /// Checks that no operator is left after the last declared layer, and returns the network
    /// output's quantisation.
    pub const fn finish(self) -> Result<QuantParams, TfliteError> {
        let left = self.model.operator_count() - self.next_op;
        if left > 0 {
            return Err(TfliteError::TrailingOperators { count: left });
        }
        match self.prev_output {
            Some((_, q)) => Ok(q),
            None => Err(TfliteError::Malformed { what: "operators" }),
        }
    }

    /// The next operator, which must be `want` for the declared layer `kind`.
    pub(super) const fn next(
        &mut self,
        want: Op,
        kind: &'static str,
    ) -> Result<Operator<'a>, TfliteError> {
        if self.next_op >= self.model.operator_count() {
            return Err(TfliteError::LayerKind {
                layer: self.layer,
                expected: kind,
                found: "the end of the model",
            });
        }
        let op = tri!(self.model.operator(self.next_op));
        if let Op::Other(code, name) = op.op {
            return Err(TfliteError::UnsupportedOperator {
                layer: self.layer,
                index: self.next_op,
                code,
                name,
            });
        }
        if !op.op.is(want) {
            return Err(TfliteError::LayerKind {
                layer: self.layer,
                expected: kind,
                found: op.op.name(),
            });
        }
        self.next_op += 1;
        Ok(op)
    }

    /// The operator's input `i` and output 0 as int8 activations of `n_in` and `n_out`
    /// values; the input must be the previous layer's output.
    pub(super) const fn activations(
        &mut self,
        op: &Operator<'a>,
        n_in: usize,
        n_out: usize,
    ) -> Result<(QuantParams, QuantParams), TfliteError> {
        let in_index = tri!(op.inputs.i32(0, "operator inputs"));
        let out_index = tri!(op.outputs.i32(0, "operator outputs"));
        let x = tri!(self.int8(in_index, "input"));
        let y = tri!(self.int8(out_index, "output"));
        tri!(self.size(&x, "input size", n_in));
        tri!(self.size(&y, "output size", n_out));
        let (qx, qy) = (tri!(self.params(&x, true)), tri!(self.params(&y, false)));
        if let Some((prev, _)) = self.prev_output {
            if prev != in_index {
                return Err(self.quant_error("its input is not the previous layer's output"));
            }
        }
        self.prev_output = Some((out_index, qy));
        Ok((qx, qy))
    }

    /// Tensor `index`, which must be int8.
    pub(super) const fn int8(
        &self,
        index: i32,
        what: &'static str,
    ) -> Result<Tensor<'a>, TfliteError> {
        self.typed(index, what, tensor_type::INT8)
    }

    pub(super) const fn typed(
        &self,
        index: i32,
        what: &'static str,
        dtype: u8,
    ) -> Result<Tensor<'a>, TfliteError> {
        let t = tri!(self.model.tensor(index));
        if t.dtype != dtype {
            return Err(TfliteError::UnsupportedType {
                layer: self.layer,
                what,
                found: t.dtype,
            });
        }
        Ok(t)
    }

    /// Checks a tensor's number of elements.
    pub(super) const fn size(
        &self,
        t: &Tensor<'_>,
        what: &'static str,
        n: usize,
    ) -> Result<(), TfliteError> {
        self.dim_is(what, n, tri!(t.elements()))
    }

    pub(super) const fn dim_is(
        &self,
        what: &'static str,
        expected: usize,
        found: usize,
    ) -> Result<(), TfliteError> {
        if expected != found {
            return Err(TfliteError::Shape {
                layer: self.layer,
                what,
                expected,
                found,
            });
        }
        Ok(())
    }

    pub(super) const fn quant_error(&self, what: &'static str) -> TfliteError {
        TfliteError::Quantization {
            layer: self.layer,
            what,
        }
    }

    /// A per-tensor scale and zero point, checked (of the operator's input or output).
    pub(super) const fn params(
        &self,
        t: &Tensor<'_>,
        input: bool,
    ) -> Result<QuantParams, TfliteError> {
        if t.scales.len() != 1 || t.zero_points.len() != 1 {
            return Err(self.quant_error(if input {
                "the input needs one scale and one zero point"
            } else {
                "the output needs one scale and one zero point"
            }));
        }
        let scale = tri!(t.scales.f32(0, "quantization scales"));
        let zero = tri!(t.zero_points.i64(0, "quantization zero points"));
        let checked = if zero >= i32::MIN as i64 && zero <= i32::MAX as i64 {
            QuantParams::new(scale, zero as i32)
        } else {
            None
        };
        match checked {
            Some(q) => Ok(q),
            None => Err(self.quant_error(if input {
                "the input's scale or zero point is out of range"
            } else {
                "the output's scale or zero point is out of range"
            })),
        }
    }

    /// Per-channel weight scales (one repeated for per-tensor weights), every zero point 0,
    /// and the rescales `s_in * s_w[c] / s_out`.
    pub(super) const fn weight_scales<const C: usize>(
        &self,
        w: &Tensor<'_>,
        input: QuantParams,
        output: QuantParams,
    ) -> Result<[Multiplier; C], TfliteError> {
        let n = w.scales.len();
        if !(n == 1 || n == C) || w.zero_points.len() != n {
            return Err(self.quant_error("the weights need one scale, or one per output channel"));
        }
        let mut scales = [0f32; C];
        let mut c = 0;
        while c < C {
            let i = if n == 1 { 0 } else { c };
            scales[c] = tri!(w.scales.f32(i, "quantization scales"));
            if tri!(w.zero_points.i64(i, "quantization zero points")) != 0 {
                return Err(
                    self.quant_error("a weight zero point is not 0 (int8 weights are symmetric)")
                );
            }
            c += 1;
        }
        match per_channel_multipliers(input, &scales, output) {
            Ok(m) => Ok(m),
            Err(_) => {
                Err(self.quant_error("a weight scale is out of range, or its rescale too large"))
            }
        }
    }

    /// The int32 bias of `C` channels (absent: zeros), zero point 0.
    pub(super) const fn bias<const C: usize>(
        &self,
        op: &Operator<'_>,
    ) -> Result<[i32; C], TfliteError> {
        let mut bias = [0i32; C];
        let index = tri!(op.inputs.i32(2, "operator inputs"));
        if index < 0 {
            return Ok(bias);
        }
        let b = tri!(self.typed(index, "bias", tensor_type::INT32));
        tri!(self.size(&b, "bias length", C));
        if b.data.len() != 4 * C {
            return Err(TfliteError::Malformed { what: "bias data" });
        }
        let mut i = 0;
        while i < b.zero_points.len() {
            match b.zero_points.i64(i, "bias zero point") {
                Ok(0) => {}
                _ => return Err(self.quant_error("a bias zero point is not 0")),
            }
            i += 1;
        }
        let d = b.data;
        let mut c = 0;
        while c < C {
            bias[c] = i32::from_le_bytes([d[4 * c], d[4 * c + 1], d[4 * c + 2], d[4 * c + 3]]);
            c += 1;
        }
        Ok(bias)
    }

    /// The fused activation in an options table's field `field`, checked against the
    /// declaration; returns the clamp.
    pub(super) const fn activation(
        &self,
        op: &Operator<'_>,
        field: usize,
        declared: FusedActivation,
        output: QuantParams,
    ) -> Result<(i8, i8), TfliteError> {
        let code = match op.options {
            Some(t) => tri!(t.i8(field, 0, "fused activation")),
            None => 0,
        };
        let found = match code {
            0 => Some(FusedActivation::Identity),
            1 => Some(FusedActivation::Relu),
            3 => Some(FusedActivation::Relu6),
            _ => None,
        };
        match found {
            Some(found) if found as u8 == declared as u8 => Ok(declared.range(output)),
            _ => Err(TfliteError::Activation {
                layer: self.layer,
                expected: declared.name(),
                found: code,
            }),
        }
    }
}
