// A model path that names no file.
use dl_core::prelude::*;

network! {
    #[tflite("../../fixtures/tflite/no_such_model.tflite")]
    pub struct Sine {
        Dense<1, 16, Relu>,
        Dense<16, 16, Relu>,
        Dense<16, 1, Identity>,
    }
}

fn main() {}
