//! The int8 activations that TFLite keeps as their own operators after a layer with no fused
//! clamp: a declared `Dense<I, O, Sigmoid | Tanh | Softmax>` is a `FULLY_CONNECTED` then a
//! `LOGISTIC`, `TANH` or `SOFTMAX` of `O` values; a `Conv2D<.., Sigmoid | Tanh>` is a `CONV_2D`
//! then a `LOGISTIC` or `TANH` of its output's `C * H * W` values. Errors name the declared layer the
//! activation belongs to (the one just read).

use super::error::TfliteError;
use super::flatbuffer::tri;
use super::import::Importer;
use super::model::Op;
use crate::quant::{QSigmoid, QSoftmax, QTanh, QuantParams};

impl<'a> Importer<'a> {
    /// The `LOGISTIC` after the layer just read, on `N` values. `const`: the table is filled
    /// by a `const` port of libm's `expf`.
    pub const fn sigmoid<const N: usize>(&mut self) -> Result<QSigmoid<N>, TfliteError> {
        let (input, output) = tri!(self.activation_op(Op::Logistic, "Sigmoid", N));
        Ok(QSigmoid::new(input, output))
    }

    /// The `TANH` after the layer just read, on `N` values.
    pub const fn tanh<const N: usize>(&mut self) -> Result<QTanh<N>, TfliteError> {
        let (input, output) = tri!(self.activation_op(Op::Tanh, "Tanh", N));
        Ok(QTanh::new(input, output))
    }

    /// The `SOFTMAX` after the layer just read, on `N` values: beta 1, output scale 1/256
    /// and zero point -128 (what TFLite's int8 kernels require).
    pub const fn softmax<const N: usize>(&mut self) -> Result<QSoftmax<N>, TfliteError> {
        self.layer -= 1;
        let layer = self.softmax_op::<N>();
        self.layer += 1;
        layer
    }

    const fn softmax_op<const N: usize>(&mut self) -> Result<QSoftmax<N>, TfliteError> {
        let op = tri!(self.next(Op::Softmax, "Softmax"));
        let beta = match op.options {
            Some(t) => tri!(t.f32(0, 0.0, "softmax beta")),
            None => 0.0,
        };
        if beta != 1.0 {
            return Err(self.quant_error("the softmax's beta is not 1 (dl's Softmax)"));
        }
        let (input, output) = tri!(self.activations(&op, N, N));
        let want = QSoftmax::<N>::OUTPUT;
        if output.zero_point != want.zero_point
            || (output.scale - want.scale).abs() > 0.001 * want.scale
        {
            return Err(
                self.quant_error("an int8 softmax's output needs scale 1/256 and zero point -128")
            );
        }
        match QSoftmax::new(input) {
            Ok(layer) => Ok(layer),
            Err(_) => Err(self.quant_error("the softmax's input scale is out of range")),
        }
    }

    /// Reads an element-wise operator `want` on `n` values, numbered as the layer before it.
    const fn activation_op(
        &mut self,
        want: Op,
        kind: &'static str,
        n: usize,
    ) -> Result<(QuantParams, QuantParams), TfliteError> {
        self.layer -= 1;
        let read = match self.next(want, kind) {
            Ok(op) => self.activations(&op, n, n),
            Err(e) => Err(e),
        };
        self.layer += 1;
        read
    }
}
