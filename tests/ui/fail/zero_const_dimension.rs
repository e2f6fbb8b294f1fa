use dl_core::prelude::*;

const HIDDEN: usize = 0;

network! {
    pub struct Net {
        Dense<2, HIDDEN, Relu>,
        Dense<HIDDEN, 1, Sigmoid>,
    }
}

fn main() {}
