use dl_core::prelude::*;

network! {
    /// 64x64 weights: 16.9 kB by value, over its 12288-byte stack budget (which one layer's
    /// pass, 9216 bytes with the batch input gradients' blocks in std builds, fits).
    struct Wide {
        stack_budget: 12288,
        Dense<64, 64, Relu>,
        Dense<64, 1, Sigmoid>,
    }
}

fn main() {
    let _net = Wide::<f32>::new(1);
}
