//! int8 networks imported from `.tflite` files when the firmware is built, both ways dl offers,
//! the weights in flash either way:
//!
//! - the sine and a digits CNN with Tanh and Sigmoid by `network!`'s `#[tflite("...")]`: rustc
//!   runs dl's `const` importer on the file and a model that does not fit the declaration does
//!   not compile, at the layer it names;
//! - the digits MLP and CNN by `build.rs`, which runs the same importer on the host and writes
//!   each model as a `static` of constant expressions.
//!
//! Inference is integer only; floating point is used only to convert the sine's input and
//! output (and the digits' 17 possible pixel values, once).

use dl_core::prelude::network;
use dl_core::quant::{QConv2D, QDense, QFlatten, QMaxPool2D, QuantParams};

network! {
    /// MicroFlow's sine architecture, its int8 model imported by rustc.
    #[tflite("../../../tests/fixtures/tflite/microflow_sine.tflite")]
    pub struct SineNet {
        l0: Dense<1, 16, Relu>,
        l1: Dense<16, 16, Relu>,
        l2: Dense<16, 1, Identity>,
    }
}

network! {
    /// The digits CNN with Tanh and Sigmoid after its convolutions (the fixtures'
    /// `digits_cnn_act`), imported by rustc: its Tanh and Sigmoid tables are filled in the
    /// compiler, so the firmware holds 256-byte tables and no code that fills them.
    #[tflite("../../../tests/fixtures/tflite/digits_cnn_act.tflite")]
    pub struct DigitsCnnAct {
        input: [1, 8, 8],
        Conv2D<1, 4, 3, Tanh, padding = 1>,
        MaxPool2D<2>,
        Conv2D<4, 8, 3, Sigmoid, padding = 1>,
        Flatten,
        Dense<128, 10, Softmax>,
    }
}

/// `digits_cnn_act.tflite`, imported at compile time, in flash.
pub static DIGITS_CNN_ACT: DigitsCnnActI8 = DigitsCnnActI8::TFLITE;

/// MicroFlow's `sine.tflite`, imported at compile time (`SineNetI8::TFLITE`), in flash.
pub static SINE: Sine = {
    let net = SineNetI8::TFLITE;
    Sine {
        input: net.input,
        l0: net.l0,
        l1: net.l1,
        l2: net.l2,
    }
};

/// MicroFlow's `sine.tflite`: `Dense<1,16,Relu>, Dense<16,16,Relu>, Dense<16,1,Identity>`.
pub struct Sine {
    /// The input's quantisation.
    pub input: QuantParams,
    /// Layers.
    pub l0: QDense<1, 16>,
    /// Layers.
    pub l1: QDense<16, 16>,
    /// Layers.
    pub l2: QDense<16, 1>,
}

impl Sine {
    /// int8 in, int8 out.
    #[inline(never)]
    pub fn forward(&self, x: i8) -> i8 {
        self.l2.forward(&self.l1.forward(&self.l0.forward(&[x])))[0]
    }

    /// `sin(x)`, approximately: quantise, run, dequantise.
    #[inline(never)]
    pub fn predict(&self, x: f32) -> f32 {
        self.l2
            .output
            .dequantize(self.forward(self.input.quantize(x)))
    }
}

/// PyTorch's digits MLP 64-32-10 converted by TensorFlow (logits out).
pub struct DigitsMlp {
    /// The input's quantisation.
    pub input: QuantParams,
    /// Layers.
    pub l0: QDense<64, 32>,
    /// Layers.
    pub l1: QDense<32, 10>,
}

impl DigitsMlp {
    /// int8 pixels in, int8 logits out.
    #[inline(never)]
    pub fn forward(&self, x: &[i8; 64]) -> [i8; 10] {
        self.l1.forward(&self.l0.forward(x))
    }
}

/// PyTorch's digits CNN converted by TensorFlow: `Conv2D<1,4,3,Relu,padding=1>`,
/// `MaxPool2D<2>`, `Flatten`, `Dense<64,10>` (logits out).
pub struct DigitsCnn {
    /// The input's quantisation.
    pub input: QuantParams,
    /// Layers.
    pub conv: QConv2D<1, 4, 3, 1, 1, 8, 8, 8, 8>,
    /// Layers.
    pub pool: QMaxPool2D<4, 2, 2, 8, 8, 4, 4>,
    /// Layers.
    pub flat: QFlatten<4, 4, 4, 64>,
    /// Layers.
    pub out: QDense<64, 10>,
}

impl DigitsCnn {
    /// int8 pixels in (row-major), int8 logits out.
    #[inline(never)]
    pub fn forward(&self, x: &[i8; 64]) -> [i8; 10] {
        let image = [core::array::from_fn(|r| {
            core::array::from_fn(|c| x[r * 8 + c])
        })];
        self.out.forward(
            &self
                .flat
                .forward(&self.pool.forward(&self.conv.forward(&image))),
        )
    }
}

/// The int8 value of each possible pixel `p` in `0..=16` (the network sees `p / 16`).
pub fn pixel_table(input: QuantParams) -> [i8; 17] {
    core::array::from_fn(|p| input.quantize(p as f32 / 16.0))
}

/// An encoded test image (`dl_demos::digits::RECORD` bytes) as int8 pixels.
pub fn pixels(record: &[u8], table: &[i8; 17]) -> [i8; 64] {
    core::array::from_fn(|i| table[(record[i] as usize).min(16)])
}

/// The index of the largest logit (the first of equals).
pub fn argmax(y: &[i8; 10]) -> usize {
    let mut best = 0;
    for i in 1..10 {
        if y[i] > y[best] {
            best = i;
        }
    }
    best
}

include!(concat!(env!("OUT_DIR"), "/int8_models.rs"));
