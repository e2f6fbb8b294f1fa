use dl_core::prelude::*;

const HIDDEN: usize = 8;

network! {
    pub struct Net {
        Dense<2, HIDDEN, Tanh>,
        Dense<{ HIDDEN / 2 }, 1, Sigmoid>,
    }
}

fn main() {}
