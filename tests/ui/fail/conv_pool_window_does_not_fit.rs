use dl_core::prelude::*;

network! {
    struct Net {
        input: [1, 6, 6],
        Conv2D<1, 4, 3, Relu>,
        MaxPool2D<2>,
        MaxPool2D<3>,
        Flatten,
        Dense<4, 2, Softmax>,
    }
}

fn main() {}
