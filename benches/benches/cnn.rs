//! The digits CNN of issue 4 and `examples/digits_cnn.rs` (conv 1->8, max pool, conv 8->16,
//! Flatten, Dense 64-10; without the example's Dropout) against the same network written by
//! hand ([`dl_benches::cnn_reference`]), in one criterion run: training at batch 1 and 32
//! (plain SGD, cross-entropy) and inference of one sample. (`speed.rs`'s `digits_cnn_*`
//! groups time a smaller one-convolution CNN.)
//!
//! `cargo bench -p dl-benches --bench cnn` runs the groups and prints the table of ratios
//! (`reference time / dl time`, above 1 means `dl` is faster) with `dl`'s samples/s.
//!
//! The reference is a plain direct convolution, not a careful one: it took 9.6 us a digits
//! inference where the peer suite's hand-written CNN (`../shared/peers`, `plain-bench/src/
//! cnn.rs`: row accumulators, no gathers in native builds) takes about 1-2 us. These ratios
//! therefore only track `dl` against itself over time; the CNN comparisons BENCHMARKS.md
//! reports against careful code and PyTorch come from the peer suite.

use criterion::{criterion_group, Criterion, Throughput};
use dl_benches::cnn_reference::{reference_cnn, Cnn, DigitsCnn};
use dl_benches::report::{self, Pair};
use dl_benches::{as_arrays, classification_data, cycling};
use dl_core::prelude::*;
use std::hint::black_box;
use std::time::{Duration, SystemTime};

const LR: f64 = 0.01;

const PAIRS: &[Pair] = &[
    Pair {
        group: "cnn_8_16_train_batch1",
        samples: 1,
    },
    Pair {
        group: "cnn_8_16_train_batch32",
        samples: 32,
    },
    Pair {
        group: "cnn_8_16_inference",
        samples: 1,
    },
];

fn training(c: &mut Criterion) {
    let (xs, ys) = classification_data::<64, 10>(1024, 2);
    let (rx, ry) = (as_arrays(&xs), as_arrays(&ys));
    for batch in [1, 32] {
        let mut net = DigitsCnn::<f32>::new(1);
        let mut r = reference_cnn(&net);
        let mut rg = Box::new(Cnn::ZERO);
        let mut ws = Workspace::<DigitsCnn<f32>>::boxed();
        let mut sgd = Sgd::new(LR);
        let mut g = c.benchmark_group(format!("cnn_8_16_train_batch{batch}"));
        g.throughput(Throughput::Elements(batch as u64));
        let mut dl = cycling(xs.len(), batch, |k| {
            train_batch::<_, CrossEntropy, _>(
                &mut net,
                &mut sgd,
                black_box(&xs[k.clone()]),
                &ys[k],
                &mut ws,
            )
        });
        let mut reference = cycling(rx.len(), batch, |k| {
            r.train_batch(black_box(&rx[k.clone()]), &ry[k], &mut rg, LR as f32)
        });
        g.bench_function("dl", |b| b.iter(&mut dl));
        g.bench_function("reference", |b| b.iter(&mut reference));
        g.finish();
        report::interleave(&format!("cnn_8_16_train_batch{batch}"), dl, reference);
    }
}

fn inference(c: &mut Criterion) {
    let (xs, _) = classification_data::<64, 10>(256, 3);
    let rx = as_arrays(&xs);
    let net = DigitsCnn::<f32>::new(1);
    let r = reference_cnn(&net);
    let mut g = c.benchmark_group("cnn_8_16_inference");
    g.throughput(Throughput::Elements(1));
    let mut dl = cycling(xs.len(), 1, |k| net.forward(black_box(&xs[k.start])));
    let mut reference = cycling(rx.len(), 1, |k| r.forward(black_box(&rx[k.start])));
    g.bench_function("dl", |b| b.iter(&mut dl));
    g.bench_function("reference", |b| b.iter(&mut reference));
    g.finish();
    report::interleave("cnn_8_16_inference", dl, reference);
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
}

criterion_group! {
    name = benches;
    config = config();
    targets = training, inference
}

fn main() {
    let start = SystemTime::now();
    benches();
    Criterion::default().configure_from_args().final_summary();
    println!("\nratios (reference time / dl time, same run; above 1 = dl faster):\n");
    println!("{}", report::table(PAIRS, start));
}
