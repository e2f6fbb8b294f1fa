use dl_core::prelude::*;

const K: usize = 3;

network! {
    struct Net {
        input: [1, 8, 8],
        Conv2D<1, 8, K, Relu>,
        Flatten,
        Dense<288, 10, Softmax>,
    }
}

fn main() {}
