// MicroFlow's sine model has 16 units in its second layer; the declaration says 8. The
// compile-time import stops the build at that layer, naming both sizes.
use dl_core::prelude::*;

network! {
    #[tflite("../../fixtures/tflite/microflow_sine.tflite")]
    pub struct Sine {
        Dense<1, 16, Relu>,
        Dense<16, 8, Relu>,
        Dense<8, 1, Identity>,
    }
}

fn main() {}
