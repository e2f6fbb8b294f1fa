use dl_core::prelude::*;

network! {
    pub struct Net {
        Dense<2, -4, Sigmoid>,
        Dense<4, 1, Sigmoid>,
    }
}

fn main() {}
