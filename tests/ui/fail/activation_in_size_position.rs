use dl_core::prelude::*;

network! {
    pub struct Net {
        Dense<2, Sigmoid, 4>,
    }
}

fn main() {}
