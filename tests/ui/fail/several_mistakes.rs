use dl_core::prelude::*;

// Every mistake is reported once, in one pass.
network! {
    pub struct Net {
        Dense<2, 4, Softmax>,
        Dense<5, 3, Tahn>,
        Dense<3, 0, Sigmoid>,
    }
}

fn main() {}
