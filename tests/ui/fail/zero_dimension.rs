use dl_core::prelude::*;

network! {
    pub struct Net {
        Dense<2, 0, Relu>,
        Dense<0, 1, Sigmoid>,
    }
}

fn main() {}
