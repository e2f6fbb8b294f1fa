use dl_core::prelude::*;

network! {
    pub struct Net {
        Dense<2, 4, Sigmoid<2>>,
        Dense<4, 1, Sigmoid>,
    }
}

fn main() {}
