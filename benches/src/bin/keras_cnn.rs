//! `dl`'s side of the 150x150x3 Keras CNN comparison (`benches/peers/keras_cnn.sh` runs it
//! next to `keras_cnn_torch.py`, the same network in PyTorch): one SGD training step on a
//! batch of 32 and the inference of one sample, timed by this thread's CPU time. Prints one
//! JSON line a measurement.
//!
//! The network is `examples/cats_vs_dogs_step.rs`'s (Keras's cats-vs-dogs CNN with a 512-wide
//! Dense layer, 19.0 M parameters): Conv 3->32, 32->64, 64->128 (3x3, no padding, ReLU), each
//! followed by 2x2 max pooling, Flatten (36992), Dense 512 ReLU, Dense 1 sigmoid, binary
//! cross-entropy, plain SGD (lr 0.01). Inputs are uniform in [0, 1), labels alternate.
//!
//! `cargo run --release -p dl-benches --bin keras_cnn [STEPS]`

use dl_benches::thread_cpu_seconds;
use dl_core::prelude::*;
use dl_core::zeroed;

network! {
    /// The Keras cats-vs-dogs CNN at 150x150x3.
    pub struct KerasCnn {
        input: [3, 150, 150],
        Conv2D<3, 32, 3, Relu>, MaxPool2D<2>,
        Conv2D<32, 64, 3, Relu>, MaxPool2D<2>,
        Conv2D<64, 128, 3, Relu>, MaxPool2D<2>,
        Flatten,
        Dense<36992, 512, Relu>,
        Dense<512, 1, Sigmoid>,
    }
}

type Net = KerasCnn<f32>;
type Input = <Net as Network>::Input;

/// Samples a training step.
const BATCH: usize = 32;

/// Runs `step` `count` times, returning each call's CPU seconds.
fn timed(count: usize, mut step: impl FnMut()) -> Vec<f64> {
    (0..count)
        .map(|_| {
            let start = thread_cpu_seconds();
            step();
            thread_cpu_seconds() - start
        })
        .collect()
}

fn emit(what: &str, seconds: &[f64]) {
    let mut sorted = seconds.to_vec();
    sorted.sort_by(f64::total_cmp);
    let median = sorted[sorted.len() / 2];
    println!(
        "{{\"impl\":\"dl\",\"bench\":\"{what}\",\"median_cpu_seconds\":{median:.6},\
         \"min_cpu_seconds\":{:.6},\"n\":{}}}",
        sorted[0],
        sorted.len()
    );
}

fn main() -> Result<(), Error> {
    let steps: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let mut net = Net::boxed(1);
    let mut ws = Workspace::<Net>::boxed();
    let mut sgd = Sgd::<f32>::new(0.01);
    let mut rng = Rng::new(2);
    let mut xs = zeroed::boxed_slice::<Input>(BATCH);
    for x in xs.iter_mut() {
        x.iter_mut().for_each(|v| *v = rng.uniform() as f32);
    }
    let ys: Vec<SVector<f32, 1>> = (0..BATCH)
        .map(|i| SVector::from([(i % 2) as f32]))
        .collect();

    let mut step =
        || train_batch::<_, BinaryCrossEntropy, _>(&mut *net, &mut sgd, &xs, &ys, &mut ws);
    step()?; // warm-up: first touch of the workspace's pages
    let mut result = Ok(0.0);
    let train_seconds = timed(steps, || result = result.and(step()));
    result?;
    emit("train_step_32", &train_seconds);

    let mut sink = 0.0f32;
    sink += net.forward(&xs[0])[0];
    let infer_seconds = timed(steps * 4, || sink += net.forward(&xs[1])[0]);
    emit("inference_1", &infer_seconds);
    std::hint::black_box(sink);
    Ok(())
}
