// digits_cnn_act's first convolution is followed by TANH; the declaration says Sigmoid. The
// compile-time import (which fills the Tanh and Sigmoid tables in the compiler) stops the
// build at that layer, naming both activations.
use dl_core::prelude::*;

network! {
    #[tflite("../../fixtures/tflite/digits_cnn_act.tflite")]
    pub struct Cnn {
        input: [1, 8, 8],
        Conv2D<1, 4, 3, Sigmoid, padding = 1>,
        MaxPool2D<2>,
        Conv2D<4, 8, 3, Sigmoid, padding = 1>,
        Flatten,
        Dense<128, 10, Softmax>,
    }
}

fn main() {}
