//! The CIFAR-sized CNN's two convolutions alone (the peer suite's benchmark f: Conv 3->32 on
//! 3x32x32 and Conv 32->64 on 32x16x16, 3x3, padding 1, ReLU), one sample's training forward
//! and backward (the first layer without the input gradient, as in training), in GFLOP/s
//! against the machine's AVX-512 peak: the number issue 12's target ("conv at >= 40% of peak")
//! is about. The training groups run the passes `network!` calls, with the working memory
//! (transposed kernel, im2col blocks) in a scratch of the caller's; the forward group runs
//! the by-value pass, which keeps it on the stack.
//!
//! `cargo bench -p dl-benches --bench conv`; `PEAK_GFLOPS` (default 243, the peer suite's
//! measured single-core AVX-512 FMA peak on the project's Zen 5 machine; pass the figure
//! `peak-bench` measures on yours) sets the reference. Besides criterion's wall-clock medians,
//! each step is timed by this thread's CPU time (Linux), which other processes on a loaded
//! machine do not inflate.

use criterion::{criterion_group, Criterion, Throughput};
use dl_core::layer::{Conv2D, Layer, Scratch};
use dl_core::network::Params;
use dl_core::prelude::*;
use std::hint::black_box;
use std::time::{Duration, SystemTime};

type Conv1 = Conv2D<f32, 3, 32, 32, 32, 3, 1, 1, 27, 3072, 32768, Relu>;
type Conv2 = Conv2D<f32, 32, 16, 16, 64, 3, 1, 1, 288, 8192, 16384, Relu>;

/// Multiply-adds of one sample's forward pass: `C_OUT * OH * OW * C_IN * K * K`.
const MACS1: f64 = 32.0 * 32.0 * 32.0 * 27.0;
const MACS2: f64 = 64.0 * 16.0 * 16.0 * 288.0;

/// This thread's CPU time in nanoseconds ([`dl_benches::thread_cpu_seconds`]), so the GFLOP/s
/// do not count time other processes took from the core; `None` where the clock is missing.
fn cpu_ns() -> Option<u64> {
    let s = dl_benches::thread_cpu_seconds();
    (s > 0.0).then_some((s * 1e9) as u64)
}

/// CPU nanoseconds a call of `step`, the median of 15 blocks of about 0.1 s CPU each.
fn cpu_per_call(step: &mut impl FnMut()) -> Option<f64> {
    let mut n = 1u64;
    let mut blocks = Vec::new();
    while blocks.len() < 15 {
        let start = cpu_ns()?;
        for _ in 0..n {
            step();
        }
        let took = cpu_ns()? - start;
        if took < 50_000_000 {
            n *= 2;
            continue;
        }
        blocks.push(took as f64 / n as f64);
    }
    blocks.sort_by(f64::total_cmp);
    Some(blocks[blocks.len() / 2])
}

/// CPU nanoseconds a call, by group, measured after criterion's run.
static CPU: std::sync::Mutex<Vec<(String, f64)>> = std::sync::Mutex::new(Vec::new());

/// Runs `step` as criterion group `name`, then times it by CPU time.
fn group(c: &mut Criterion, name: &str, mut step: impl FnMut()) {
    let mut g = c.benchmark_group(name);
    g.throughput(Throughput::Elements(1));
    g.bench_function("dl", |b| b.iter(&mut step));
    g.finish();
    if dl_benches::report::selected(name) {
        if let (Some(ns), Ok(mut all)) = (cpu_per_call(&mut step), CPU.lock()) {
            all.push((name.to_string(), ns));
        }
    }
}

fn convs(c: &mut Criterion) {
    let mut rng = dl_core::rng::Rng::new(7);
    let x1 = Box::new(SVector::<f32, 3072>::from_fn(|_, _| rng.uniform() as f32));
    let x2 = Box::new(SVector::<f32, 8192>::from_fn(|_, _| rng.uniform() as f32));
    let (mut l1, mut l2) = (Box::new(Conv1::ZERO), Box::new(Conv2::ZERO));
    l1.init(&mut rng);
    l2.init(&mut rng);
    let (mut c1, mut c2) = (Box::new(Conv1::CACHE_ZERO), Box::new(Conv2::CACHE_ZERO));
    let mut g1 = Box::new(<Conv1 as Layer<f32>>::Gradient::ZERO);
    let mut g2 = Box::new(<Conv2 as Layer<f32>>::Gradient::ZERO);
    let d1 = Box::new(SVector::<f32, 32768>::from_fn(|i, _| (i % 7) as f32 - 3.0));
    let d2 = Box::new(SVector::<f32, 16384>::from_fn(|i, _| (i % 5) as f32 - 2.0));
    let mut dx2 = Box::new(SVector::<f32, 8192>::zeros());
    // The working memory a network keeps in its cache and batch buffers (`Layer::SCRATCH`).
    let mut s1: Box<Scratch<f32, { Conv1::SCRATCH }>> = Box::new(Scratch::ZERO);
    let mut s2: Box<Scratch<f32, { Conv2::SCRATCH }>> = Box::new(Scratch::ZERO);
    group(c, "conv_3_32_32x32_train", || {
        let s = s1.as_mut_slice();
        l1.forward_train_in(black_box(&x1), &mut c1, s);
        l1.backward_preact_in(&x1, &c1, &d1, &mut g1, None, s);
    });
    group(c, "conv_32_64_16x16_train", || {
        let s = s2.as_mut_slice();
        l2.forward_train_in(black_box(&x2), &mut c2, s);
        l2.backward_preact_in(&x2, &c2, &d2, &mut g2, Some(&mut dx2), s);
    });
    // By value, the working memory on the stack: a small network's `forward`.
    group(c, "conv_32_64_16x16_forward", || {
        black_box(l2.forward(black_box(&x2)));
    });
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
}

criterion_group! {
    name = benches;
    config = config();
    targets = convs
}

fn main() {
    let start = SystemTime::now();
    benches();
    Criterion::default().configure_from_args().final_summary();
    let peak: f64 = std::env::var("PEAK_GFLOPS")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(243.0);
    let dir = dl_benches::report::criterion_dir();
    println!(
        "\n| convolution | FLOP | dl (criterion median, wall) | GFLOP/s | % of {peak} \
         | dl (median, CPU time) | GFLOP/s | % of {peak} |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    let cpu = CPU.lock().map(|v| v.clone()).unwrap_or_default();
    let rows = [
        ("conv_3_32_32x32_train", 4.0 * MACS1),
        ("conv_32_64_16x16_train", 6.0 * MACS2),
        ("conv_32_64_16x16_forward", 2.0 * MACS2),
    ];
    for (name, flop) in rows {
        let Some(ns) = dl_benches::report::median_ns(&dir, name, "dl", start) else {
            continue;
        };
        let gflops = flop / ns;
        let pct = 100.0 * gflops / peak;
        let by_cpu = match cpu.iter().find(|(g, _)| g == name) {
            Some(&(_, c)) => format!(
                "{:.1} us | {:.1} | {:.0}%",
                c / 1e3,
                flop / c,
                100.0 * flop / c / peak
            ),
            None => "- | - | -".to_string(),
        };
        println!(
            "| {name} | {flop:.0} | {:.1} us | {gflops:.1} | {pct:.0}% | {by_cpu} |",
            ns / 1e3
        );
    }
}
