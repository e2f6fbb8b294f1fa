use dl_core::prelude::*;

network! {
    pub struct Net {
        Dense<64, 32, Relu>,
        GlobalAvgPool2D,
        Dense<32, 2, Softmax>,
    }
}

fn main() {}
