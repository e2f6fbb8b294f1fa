// A copy of xor_f32.bin with one payload byte changed: the checksum must stop the build.
use dl_core::prelude::*;

network! {
    pub struct Xor {
        hidden: Dense<2, 4, Sigmoid>,
        out: Dense<4, 1, Sigmoid>,
    }
}

static NET: Xor<f32> = dl_core::include_network!(Xor<f32>, "../../fixtures/xor_f32_corrupt.bin");

fn main() {
    let _ = NET.forward(&SVector::from([0.0, 1.0]));
}
