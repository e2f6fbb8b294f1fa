use dl_core::prelude::*;

network! {
    pub struct Net {
        input: [4, 6, 6],
        GlobalAvgPool2D<2>,
        Dense<4, 2, Softmax>,
    }
}

fn main() {}
