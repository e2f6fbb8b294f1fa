use dl_core::prelude::*;

network! {
    struct Net {
        Conv2D<1, 8, 3, Relu>,
        Flatten,
        Dense<288, 10, Softmax>,
    }
}

fn main() {}
