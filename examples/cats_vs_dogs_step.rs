//! The Keras cats-vs-dogs CNN at 150x150x3 (19.0 M parameters, 72.6 MiB in f32): built in
//! place on the heap, one Adam step on a synthetic image, the output before and after. Prints
//! the network's memory and stack-size consts. Its peak memory is the network, the workspace
//! and Adam's two moments, with nothing network-sized on the stack:
//!
//! ```text
//! cargo build --release --example cats_vs_dogs_step
//! /usr/bin/time -v target/release/examples/cats_vs_dogs_step   # "Maximum resident set size"
//! ```

use dl_core::prelude::*;
use dl_core::zeroed;

network! {
    /// The Keras cats-vs-dogs CNN.
    pub struct CatsVsDogs {
        input: [3, 150, 150],
        Conv2D<3, 32, 3, Relu>, MaxPool2D<2>,
        Conv2D<32, 64, 3, Relu>, MaxPool2D<2>,
        Conv2D<64, 128, 3, Relu>, MaxPool2D<2>,
        Flatten,
        Dense<36992, 512, Relu>,
        Dense<512, 1, Sigmoid>,
    }
}

type Net = CatsVsDogs<f32>;

fn main() -> Result<(), Error> {
    let mut net = Net::boxed(1);
    let mut ws = Workspace::<Net>::boxed();
    let mut adam = Adam::<f32, CatsVsDogsGradient<f32>>::boxed(1e-3);
    let mut rng = Rng::new(2);
    let mut x = zeroed::boxed::<<Net as Network>::Input>();
    x.iter_mut().for_each(|v| *v = rng.uniform() as f32);
    let y = SVector::<f32, 1>::new(1.0);

    let before = net.forward(&x)[0];
    let loss = train_sample::<_, BinaryCrossEntropy, _>(&mut *net, &mut *adam, &x, &y, &mut ws)?;
    let after = net.forward(&x)[0];
    println!("one Adam step: loss {loss:.6}, output {before:.6} -> {after:.6}");
    println!(
        "params {} B, cache {} B, gradient {} B, workspace {} B, Adam state {} B",
        Net::PARAM_BYTES,
        Net::CACHE_BYTES,
        Net::GRADIENT_BYTES,
        Workspace::<Net>::BYTES,
        2 * Net::GRADIENT_BYTES,
    );
    println!(
        "stack: forward {} B, backward {} B, evaluate {} B, one layer {} B, value {} B, \
         workspace {} B; budget {} B",
        Net::FORWARD_STACK_BYTES,
        Net::BACKWARD_STACK_BYTES,
        Net::EVALUATE_STACK_BYTES,
        Net::LAYER_STACK_BYTES,
        Net::VALUE_STACK_BYTES,
        Net::WORKSPACE_STACK_BYTES,
        Net::STACK_BUDGET,
    );
    if !(after.is_finite() && after != before) {
        return Err(Error::NonFiniteLoss);
    }
    Ok(())
}
