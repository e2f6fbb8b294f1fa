use dl_core::prelude::*;

network! {
    pub struct Net {
        hidden: Dense<2, 4, Relu>,
        middle: Dense<4, 8, Relu>,
        out: Dense<6, 1, Sigmoid>,
    }
}

fn main() {}
