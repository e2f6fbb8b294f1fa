use dl_core::prelude::*;

network! {
    struct Net {
        input: [1, 8, 8],
        Conv2D<1, 0, 3, Relu>,
        Flatten,
        Dense<36, 2, Softmax>,
    }
}

fn main() {}
