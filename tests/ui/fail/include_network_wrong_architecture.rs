// The image in xor_f32.bin was written by Dense<2, 4, Sigmoid>, Dense<4, 1, Sigmoid>; this
// network has a Tanh hidden layer, so the build must stop.
use dl_core::prelude::*;

network! {
    pub struct XorTanh {
        hidden: Dense<2, 4, Tanh>,
        out: Dense<4, 1, Sigmoid>,
    }
}

static NET: XorTanh<f32> = dl_core::include_network!(XorTanh<f32>, "../../fixtures/xor_f32.bin");

fn main() {
    let _ = NET.forward(&SVector::from([0.0, 1.0]));
}
