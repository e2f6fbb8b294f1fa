//! int8 inference following TFLite's quantisation specification and its reference kernels'
//! integer arithmetic exactly.
//!
//! - Activations are int8 with a scale and a zero point ([`QuantParams`]); weights are int8,
//!   symmetric, one scale per output channel; biases are int32 on the accumulator's scale
//!   `s_in * s_w[c]`.
//! - A layer accumulates in int32, then rescales to its output by TFLite's fixed-point
//!   multiplier and shift ([`Multiplier`]: `SaturatingRoundingDoublingHighMul`, then
//!   `RoundingDivideByPOT`), adds the output zero point, and clamps to its fused activation's
//!   range (ReLU, ReLU6 or none, [`FusedActivation`]).
//! - No floating point is used at inference; only converting the network's input and output
//!   ([`QuantParams::quantize`], [`QuantParams::dequantize`]) does.
//!
//! Every layer is sized by const generics and works on fixed-size arrays: no heap, no
//! `unsafe`. Images are `[C][H][W]` arrays (dl's order).
//!
//! Sigmoid and Tanh are their own layers after a dense or convolution layer with no clamp, as
//! TFLite's `LOGISTIC` and `TANH` operators are: 256-entry tables filled as LiteRT fills them,
//! in a `const fn` ([`QSigmoid`], [`QTanh`]). Softmax is TFLite's fixed-point reference kernel ([`QSoftmax`]).

mod calibrate;
mod const_libm;
mod conv2d;
mod dense;
pub mod exp;
pub mod fixed_point;
mod flatten;
pub mod image;
pub mod lookup;
mod params;
pub mod pool2d;
mod softmax;
#[cfg(feature = "std")]
pub mod source;
mod weights;

pub use calibrate::{PreActivation, Range};
pub use conv2d::QConv2D;
pub use dense::QDense;
pub use fixed_point::Multiplier;
pub use flatten::QFlatten;
pub use lookup::{QSigmoid, QTanh};
pub use params::{FusedActivation, QuantParams};
pub use pool2d::{QAvgPool2D, QMaxPool2D, QPool2D};
pub use softmax::QSoftmax;
pub use weights::{
    dot_i8, per_channel_multipliers, quantize_bias, quantize_weight, symmetric_scale, QuantError,
};
