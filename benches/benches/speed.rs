//! `dl` against hand-written plain-Rust references of the same networks, in one criterion run.
//!
//! `cargo bench -p dl-benches` runs every group and then prints the table of ratios
//! (`reference time / dl time`, above 1 means `dl` is faster). A filter such as
//! `cargo bench -p dl-benches -- mnist` runs only the matching groups.

use criterion::{criterion_group, Criterion, Throughput};
use dl_benches::report::{self, Pair};
use dl_benches::{reference, *};
use dl_core::prelude::*;
use std::hint::black_box;
use std::time::{Duration, SystemTime};

const LR: f64 = 0.01;

/// Every benchmark group, in the order of the table.
const PAIRS: &[Pair] = &[
    Pair {
        group: "xor_step_batch4",
        samples: 4,
    },
    Pair {
        group: "digits_64_32_10_train_batch1",
        samples: 1,
    },
    Pair {
        group: "digits_64_32_10_train_batch32",
        samples: 32,
    },
    Pair {
        group: "mnist_784_128_10_train_batch1",
        samples: 1,
    },
    Pair {
        group: "mnist_784_128_10_train_batch32",
        samples: 32,
    },
    Pair {
        group: "digits_64_32_10_inference",
        samples: 1,
    },
    Pair {
        group: "digits_cnn_train_batch32",
        samples: 32,
    },
    Pair {
        group: "digits_cnn_inference",
        samples: 1,
    },
];

fn xor(c: &mut Criterion) {
    let (xs, ys) = xor_data();
    let (rx, ry) = (as_arrays(&xs), as_arrays(&ys));
    let mut net = Xor::<f32>::new(1);
    let mut r = reference_xor(&net);
    let mut ws = Workspace::new();
    let mut sgd = Sgd::new(LR);
    let mut g = c.benchmark_group("xor_step_batch4");
    g.throughput(Throughput::Elements(4));
    let mut dl = || train_batch::<_, Mse, _>(&mut net, &mut sgd, black_box(&xs), &ys, &mut ws);
    let mut reference = || r.train_batch(black_box(&rx), &ry, LR as f32);
    g.bench_function("dl", |b| b.iter(&mut dl));
    g.bench_function("reference", |b| b.iter(&mut reference));
    g.finish();
    report::interleave("xor_step_batch4", dl, reference);
}

/// Training of a two-layer classifier at batch size `batch`, cycling through 1024 samples.
fn classifier<N, const I: usize, const H: usize, const O: usize>(
    c: &mut Criterion,
    group: &str,
    net: &mut N,
    r: &mut reference::Mlp<I, H, O>,
    batch: usize,
) where
    N: Network<Scalar = f32, Input = SVector<f32, I>, Output = SVector<f32, O>>,
{
    let (xs, ys) = classification_data::<I, O>(1024, 2);
    let (rx, ry) = (as_arrays(&xs), as_arrays(&ys));
    let mut ws = Workspace::<N>::boxed();
    let mut rg = Box::new(reference::MlpGrad::ZERO);
    let mut sgd = Sgd::new(LR);
    let mut g = c.benchmark_group(group);
    g.throughput(Throughput::Elements(batch as u64));
    let mut dl = cycling(xs.len(), batch, |k| {
        train_batch::<_, CrossEntropy, _>(net, &mut sgd, black_box(&xs[k.clone()]), &ys[k], &mut ws)
    });
    let mut reference = cycling(rx.len(), batch, |k| {
        r.train_batch(black_box(&rx[k.clone()]), &ry[k], &mut rg, LR as f32)
    });
    g.bench_function("dl", |b| b.iter(&mut dl));
    g.bench_function("reference", |b| b.iter(&mut reference));
    g.finish();
    report::interleave(group, dl, reference);
}

fn digits(c: &mut Criterion) {
    for batch in [1, 32] {
        let mut net = Digits::<f32>::new(1);
        let mut r = reference_digits(&net);
        let group = format!("digits_64_32_10_train_batch{batch}");
        classifier(c, &group, &mut net, &mut r, batch);
    }
}

fn mnist(c: &mut Criterion) {
    for batch in [1, 32] {
        let mut net = Mnist::<f32>::boxed(1);
        let mut r = reference_mnist(&net);
        let group = format!("mnist_784_128_10_train_batch{batch}");
        classifier(c, &group, &mut *net, &mut r, batch);
    }
}

fn inference(c: &mut Criterion) {
    let (xs, _) = classification_data::<64, 10>(256, 3);
    let rx = as_arrays(&xs);
    let net = Digits::<f32>::new(1);
    let r = reference_digits(&net);
    let mut g = c.benchmark_group("digits_64_32_10_inference");
    g.throughput(Throughput::Elements(1));
    let mut dl = cycling(xs.len(), 1, |k| net.forward(black_box(&xs[k.start])));
    let mut reference = cycling(rx.len(), 1, |k| r.forward(black_box(&rx[k.start])));
    g.bench_function("dl", |b| b.iter(&mut dl));
    g.bench_function("reference", |b| b.iter(&mut reference));
    g.finish();
    report::interleave("digits_64_32_10_inference", dl, reference);
}

/// The digits CNN (conv 3x3 to 8 channels, max pool, Dense 128-10): training at batch 32 and
/// inference of one sample.
fn cnn(c: &mut Criterion) {
    let (xs, ys) = classification_data::<64, 10>(1024, 2);
    let (rx, ry) = (as_arrays(&xs), as_arrays(&ys));
    let mut net = DigitsCnn::<f32>::new(1);
    let mut r = reference_cnn(&net);
    let mut ws = Workspace::<DigitsCnn<f32>>::boxed();
    let mut sgd = Sgd::new(LR);
    let batch = 32;
    let mut g = c.benchmark_group("digits_cnn_train_batch32");
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
        r.train_batch(black_box(&rx[k.clone()]), &ry[k], LR as f32)
    });
    g.bench_function("dl", |b| b.iter(&mut dl));
    g.bench_function("reference", |b| b.iter(&mut reference));
    g.finish();
    report::interleave("digits_cnn_train_batch32", dl, reference);
    let mut g = c.benchmark_group("digits_cnn_inference");
    g.throughput(Throughput::Elements(1));
    let mut dl = cycling(xs.len(), 1, |k| net.forward(black_box(&xs[k.start])));
    let mut reference = cycling(rx.len(), 1, |k| r.forward(black_box(&rx[k.start])));
    g.bench_function("dl", |b| b.iter(&mut dl));
    g.bench_function("reference", |b| b.iter(&mut reference));
    g.finish();
    report::interleave("digits_cnn_inference", dl, reference);
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
}

criterion_group! {
    name = benches;
    config = config();
    targets = xor, digits, mnist, inference, cnn
}

fn main() {
    let start = SystemTime::now();
    benches();
    Criterion::default().configure_from_args().final_summary();
    println!("\nratios (reference time / dl time, same run; above 1 = dl faster):\n");
    println!("{}", report::table(PAIRS, start));
}
