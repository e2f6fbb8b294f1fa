// The model's third operator is LEAKY_RELU, which dl does not import: the build stops at the
// layer being read, naming the operator.
use dl_core::prelude::*;

network! {
    #[tflite("../../fixtures/tflite/digits_mlp_leaky.tflite")]
    pub struct Digits {
        Dense<64, 32, Relu>,
        Dense<32, 10, Identity>,
        Dense<10, 10, Identity>,
    }
}

fn main() {}
