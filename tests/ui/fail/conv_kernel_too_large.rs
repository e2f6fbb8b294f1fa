use dl_core::prelude::*;

network! {
    struct Net {
        input: [1, 4, 4],
        Conv2D<1, 8, 5, Relu>,
        Flatten,
        Dense<8, 2, Softmax>,
    }
}

fn main() {}
