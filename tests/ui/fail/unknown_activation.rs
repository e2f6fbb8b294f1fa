use dl_core::prelude::*;

network! {
    pub struct Net {
        Dense<2, 4, Sigmod>,
        Dense<4, 1, Sigmoid>,
    }
}

fn main() {}
