use dl_core::prelude::*;

network! {
    struct Net {
        Dense<64, 32, Relu>,
        Conv2D<1, 8, 3, Relu>,
        Flatten,
        Dense<288, 10, Softmax>,
    }
}

fn main() {}
