//! Without a heap, a by-value call whose intermediates exceed the network's stack budget is a
//! compile error naming the network, the bytes and the budget. `.ci/run` runs `cargo check`
//! here and requires that error; the workspace-backed form below compiles.
#![no_std]

use dl_core::prelude::*;

network! {
    /// One 3x3 convolution over 64x64x3: a 492 kB output, over the 256 KiB default budget.
    pub struct Wide {
        input: [3, 64, 64],
        Conv2D<3, 32, 3, Relu>,
        Flatten,
        Dense<123008, 1, Sigmoid>,
    }
}

/// The workspace-backed form: the intermediates live in the caller's cache.
pub fn in_cache(net: &Wide<f32>, x: &SVector<f32, 12288>, cache: &mut WideCache<f32>) -> f32 {
    net.forward_eval(x, cache);
    Wide::<f32>::output(cache)[0]
}

/// The by-value call: refused at compile time.
pub fn by_value(net: &Wide<f32>, x: &SVector<f32, 12288>) -> f32 {
    net.forward(x)[0]
}
