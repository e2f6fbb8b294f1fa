use dl_core::prelude::*;

network! {
    pub struct Net {
        Dense<4, 8, Softmax>,
        Dense<8, 3, Softmax>,
    }
}

fn main() {}
