use dl_core::prelude::*;

// Global average pooling gives one value a channel (8), not one a pixel (8 * 6 * 6).
network! {
    pub struct Net {
        input: [1, 6, 6],
        Conv2D<1, 8, 3, Relu, padding = 1>,
        GlobalAvgPool2D,
        Dense<288, 10, Softmax>,
    }
}

fn main() {}
