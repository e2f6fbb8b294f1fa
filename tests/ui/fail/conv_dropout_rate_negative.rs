use dl_core::prelude::*;

network! {
    struct Net {
        Dense<64, 32, Relu>,
        Dropout<-0.2>,
        Dense<32, 10, Softmax>,
    }
}

fn main() {}
