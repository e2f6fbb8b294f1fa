// Sigmoid's int8 table is filled with exp, which the compiler cannot run: the attribute is
// refused, pointing at from_tflite.
use dl_core::prelude::*;

network! {
    #[tflite("../../fixtures/tflite/sine_act.tflite")]
    pub struct Sine {
        Dense<1, 16, Sigmoid>,
        Dense<16, 1, Identity>,
    }
}

fn main() {}
