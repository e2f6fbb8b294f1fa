// The first 1,200 bytes of MicroFlow's sine.tflite: an offset points past the end.
use dl_core::prelude::*;

network! {
    #[tflite("../../fixtures/tflite/microflow_sine_truncated.tflite")]
    pub struct Sine {
        Dense<1, 16, Relu>,
        Dense<16, 16, Relu>,
        Dense<16, 1, Identity>,
    }
}

fn main() {}
