use dl_core::prelude::*;

network! {
    pub struct Net {
        GlobalAvgPool2D,
        Dense<8, 2, Softmax>,
    }
}

fn main() {}
