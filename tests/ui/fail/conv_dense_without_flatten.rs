use dl_core::prelude::*;

network! {
    struct Net {
        input: [1, 8, 8],
        Conv2D<1, 8, 3, Relu, padding = 1>,
        MaxPool2D<2>,
        Dense<128, 10, Softmax>,
    }
}

fn main() {}
