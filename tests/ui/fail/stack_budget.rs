use dl_core::prelude::*;

network! {
    /// 64x64 weights: 16.9 kB by value, over its 4096-byte stack budget.
    struct Wide {
        stack_budget: 4096,
        Dense<64, 64, Relu>,
        Dense<64, 1, Sigmoid>,
    }
}

fn main() {
    let _net = Wide::<f32>::new(1);
}
