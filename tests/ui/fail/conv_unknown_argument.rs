use dl_core::prelude::*;

network! {
    struct Net {
        input: [1, 8, 8],
        Conv2D<1, 8, 3, Relu, dilation = 2>,
        Flatten,
        Dense<288, 10, Softmax>,
    }
}

fn main() {}
