use dl_core::prelude::*;

network! {
    pub struct Xor {
        Dense<2, 4, Sigmoid>,
        Dense<3, 1, Sigmoid>,
    }
}

fn main() {}
