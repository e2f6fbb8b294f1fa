use dl_core::prelude::*;

network! {
    /// A convolution small enough to run pixel by pixel: its patch (8 x 3 x 3), the patch's
    /// gradient and one pixel's 2 outputs, 146 floats, stay on the stack in every pass, so one
    /// layer's pass needs 1024 + 584 bytes, over the 1024-byte budget, whatever the call.
    struct Tight {
        stack_budget: 1024,
        input: [8, 4, 4],
        Conv2D<8, 2, 3, Relu>,
        Flatten,
        Dense<8, 1, Sigmoid>,
    }
}

fn main() {}
