use dl_core::prelude::*;

network! {
    struct Net {
        input: [1, 8, 8],
        Conv2D<1, 8, 3, Relu, stride = 0>,
        Flatten,
        Dense<288, 10, Softmax>,
    }
}

fn main() {}
