use dl_core::prelude::*;

network! {
    pub struct Net {
        Dense<2.5, 4, Sigmoid>,
        Dense<4, 1, Sigmoid>,
    }
}

fn main() {}
