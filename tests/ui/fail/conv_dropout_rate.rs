use dl_core::prelude::*;

network! {
    struct Net {
        Dense<64, 32, Relu>,
        Dropout<1.5>,
        Dense<32, 10, Softmax>,
    }
}

fn main() {}
