//! `dl`'s side of every criterion row (`speed.rs` and `cnn.rs`), timed by this thread's CPU
//! clock in short blocks: one line a row, `ROW best_ns median_ns`, the fastest block's and
//! the median block's CPU nanoseconds a call. `native_ratio.sh` runs the default build's
//! binary and the `-C target-cpu=native` build's alternately (A B A B ...) and divides, so
//! both builds see the same machine; other processes only ever add time, so the fastest
//! block is the nearest to what the code costs on an idle core.
//!
//! `cargo run --release -p dl-benches --bin native_rows -- [FILTER] [BLOCKS]`
//!
//! `FILTER` keeps the rows whose names contain one of its `|`-separated parts (default all);
//! `BLOCKS` blocks of about 2 ms a row (default 150).

use dl_benches::cnn_reference::DigitsCnn as Cnn816;
use dl_benches::{classification_data, cycling, thread_cpu_seconds, xor_data, Digits};
use dl_benches::{DigitsCnn, Mnist, Xor};
use dl_core::prelude::*;
use std::hint::black_box;

const LR: f64 = 0.01;
/// CPU time a block aims at.
const BLOCK_S: f64 = 0.002;

/// Times `f` in `blocks` blocks and prints `name best_ns median_ns` (CPU time a call).
fn row<O>(name: &str, blocks: usize, mut f: impl FnMut() -> O) {
    let mut n = 1u64;
    loop {
        let t = thread_cpu_seconds();
        (0..n).for_each(|_| drop(black_box(f())));
        let dt = thread_cpu_seconds() - t;
        if dt >= BLOCK_S / 4.0 {
            n = ((n as f64 * BLOCK_S / dt).ceil() as u64).max(1);
            break;
        }
        n *= 2;
    }
    let mut ns: Vec<f64> = (0..blocks)
        .map(|_| {
            let t = thread_cpu_seconds();
            (0..n).for_each(|_| drop(black_box(f())));
            (thread_cpu_seconds() - t) * 1e9 / n as f64
        })
        .collect();
    ns.sort_by(f64::total_cmp);
    println!("{name} {:.1} {:.1}", ns[0], ns[ns.len() / 2]);
}

/// Training of `net` at `batch` on 1024 synthetic samples, cross-entropy, plain SGD.
fn train<N, const I: usize, const O: usize>(name: &str, blocks: usize, net: &mut N, batch: usize)
where
    N: Network<Scalar = f32, Input = SVector<f32, I>, Output = SVector<f32, O>>,
{
    let (xs, ys) = classification_data::<I, O>(1024, 2);
    let mut ws = Workspace::<N>::boxed();
    let mut sgd = Sgd::new(LR);
    row(
        name,
        blocks,
        cycling(xs.len(), batch, |k| {
            train_batch::<_, CrossEntropy, _>(
                net,
                &mut sgd,
                black_box(&xs[k.clone()]),
                &ys[k],
                &mut ws,
            )
        }),
    );
}

/// One forward pass of one sample at a time, cycling through 256 samples.
fn infer<N, const I: usize, const O: usize>(name: &str, blocks: usize, net: &N)
where
    N: Network<Scalar = f32, Input = SVector<f32, I>, Output = SVector<f32, O>>,
{
    let (xs, _) = classification_data::<I, O>(256, 3);
    row(
        name,
        blocks,
        cycling(xs.len(), 1, |k| net.forward(black_box(&xs[k.start]))),
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let filter = args.first().cloned().unwrap_or_default();
    let blocks = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(150);
    let on = |name: &str| filter.is_empty() || filter.split('|').any(|f| name.contains(f));
    if on("xor_step_batch4") {
        let (xs, ys) = xor_data();
        let (mut net, mut ws, mut sgd) = (Xor::<f32>::new(1), Workspace::new(), Sgd::new(LR));
        row("xor_step_batch4", blocks, || {
            train_batch::<_, Mse, _>(&mut net, &mut sgd, black_box(&xs), &ys, &mut ws)
        });
    }
    for batch in [1, 32] {
        let name = format!("digits_64_32_10_train_batch{batch}");
        if on(&name) {
            train(&name, blocks, &mut Digits::<f32>::new(1), batch);
        }
        let name = format!("mnist_784_128_10_train_batch{batch}");
        if on(&name) {
            train(&name, blocks, &mut *Mnist::<f32>::boxed(1), batch);
        }
        let name = format!("cnn_8_16_train_batch{batch}");
        if on(&name) {
            train(&name, blocks, &mut Cnn816::<f32>::new(1), batch);
        }
    }
    if on("digits_64_32_10_inference") {
        infer("digits_64_32_10_inference", blocks, &Digits::<f32>::new(1));
    }
    if on("digits_cnn_train_batch32") {
        train(
            "digits_cnn_train_batch32",
            blocks,
            &mut DigitsCnn::<f32>::new(1),
            32,
        );
    }
    if on("digits_cnn_inference") {
        infer("digits_cnn_inference", blocks, &DigitsCnn::<f32>::new(1));
    }
    if on("cnn_8_16_inference") {
        infer("cnn_8_16_inference", blocks, &Cnn816::<f32>::new(1));
    }
}
