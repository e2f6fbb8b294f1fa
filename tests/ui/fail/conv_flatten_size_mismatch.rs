use dl_core::prelude::*;

network! {
    struct Net {
        input: [1, 8, 8],
        Conv2D<1, 8, 3, Relu, padding = 1>,
        MaxPool2D<2>,
        Conv2D<8, 16, 3, Relu>,
        Flatten,
        Dense<100, 10, Softmax>,
    }
}

fn main() {}
