//! Data-parallel training at 1 and 2 threads (issue 16): the 784-128-10 MLP and the
//! CIFAR-sized CNN at batch 32; the split's overhead against the batch size; and the image
//! pipeline's loading throughput beside the CIFAR CNN's training throughput.
//!
//! `cargo bench -p dl-benches --bench parallel` runs the criterion groups, then prints a
//! table from an interleaved measurement (1 and 2 threads alternating, medians of rounds),
//! which a busy shared machine disturbs less than two separate criterion runs, with the CPU
//! time the process got per wall second in each column and the CPU time a step took, all
//! threads together (`-- --table` prints the table alone). On a loaded machine the wall-clock
//! ratio cannot show 2-core scaling; the CPU time a step still shows what the split costs:
//! with `r` = CPU(2 threads) / CPU(1 thread), two free cores give at most `2 / r`.
//! `benches/parallel_idle.sh` waits for an idle machine before it runs the table.
//!
//! The serial `train_batch` is in each group too: the engine at 1 thread pays for the
//! shard-wise reduction, which the serial path does not need.

use criterion::{criterion_group, Criterion, Throughput};
use dl_benches::{classification_data, cpu_seconds, cycling, CifarCnn, Mnist};
use dl_core::images::{ImageConfig, ImageFolder};
use dl_core::parallel::{shard_size, Parallel, ParallelConfig};
use dl_core::prelude::*;
use dl_core::stream::{for_each_batch, StreamConfig};
use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// The MNIST-sized MLP.
type Mlp<T> = Mnist<T>;

const LR: f64 = 0.01;

/// The engine's configuration: shards of `shard` samples, or (0) the default, which grows
/// the shards of networks whose work a sample is small next to their gradient.
fn config(threads: usize, shard: usize) -> ParallelConfig {
    match shard {
        0 => ParallelConfig::new().threads(threads),
        s => ParallelConfig::new().threads(threads).shard(s),
    }
}

/// The shard size the engine uses for `shard` (see [`config`]).
fn used_shard<N: Network>(shard: usize) -> usize {
    let c = config(1, shard);
    shard_size(&N::SUMMARY, N::PARAMS, c.shard, c.auto_shard)
}

/// A step function of the network `N`: serial (`threads == 0`) or on `threads` threads.
fn stepper<'a, N: Network<Scalar = f32> + Sync + Send + 'a>(
    threads: usize,
    shard: usize,
    xs: &'a [N::Input],
    ys: &'a [N::Output],
    batch: usize,
) -> impl FnMut() -> f32 + 'a
where
    N::Input: Send + Sync,
    N::Output: Send + Sync,
    Workspace<N>: Send + Sync,
{
    let mut net = N::boxed(1);
    let mut sgd = Sgd::new(LR);
    let mut ws = Workspace::<N>::boxed();
    let mut par = (threads > 0).then(|| {
        let mut p = Parallel::<N>::new(config(threads, shard)).expect("worker threads");
        p.warm_up(batch);
        p
    });
    cycling(xs.len(), batch, move |k| {
        let (x, y) = (black_box(&xs[k.clone()]), &ys[k]);
        match par.as_mut() {
            Some(p) => p.train_batch::<CrossEntropy, _>(&mut *net, &mut sgd, x, y),
            None => train_batch::<_, CrossEntropy, _>(&mut *net, &mut sgd, x, y, &mut ws),
        }
        .unwrap_or(f32::NAN)
    })
}

fn group<N: Network<Scalar = f32> + Sync + Send>(
    c: &mut Criterion,
    name: &str,
    xs: &[N::Input],
    ys: &[N::Output],
    batch: usize,
    shard: usize,
) where
    N::Input: Send + Sync,
    N::Output: Send + Sync,
    Workspace<N>: Send + Sync,
{
    let mut g = c.benchmark_group(name);
    g.throughput(Throughput::Elements(batch as u64));
    g.sample_size(20).measurement_time(Duration::from_secs(4));
    let mut serial = stepper::<N>(0, shard, xs, ys, batch);
    g.bench_function("serial", |b| b.iter(&mut serial));
    for threads in [1, 2] {
        let mut step = stepper::<N>(threads, shard, xs, ys, batch);
        g.bench_function(format!("threads{threads}"), |b| b.iter(&mut step));
    }
    g.finish();
}

fn mlp_data() -> (Vec<SVector<f32, 784>>, Vec<SVector<f32, 10>>) {
    classification_data::<784, 10>(1024, 2)
}

fn cifar_data() -> (Vec<SVector<f32, 3072>>, Vec<SVector<f32, 10>>) {
    classification_data::<3072, 10>(256, 2)
}

fn training(c: &mut Criterion) {
    let (xs, ys) = mlp_data();
    group::<Mlp<f32>>(c, "par_mlp784_batch32", &xs, &ys, 32, 16);
    for batch in [8, 128] {
        group::<Mlp<f32>>(
            c,
            &format!("par_mlp784_batch{batch}"),
            &xs,
            &ys,
            batch,
            16.min(batch / 2),
        );
    }
    let (xs, ys) = cifar_data();
    group::<CifarCnn<f32>>(c, "par_cifar_batch32", &xs, &ys, 32, 16);
}

/// `count` random 32x32 RGB PNGs in ten class folders under `target/bench_images`.
fn image_folder(count: usize) -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/bench_images");
    let mut rng = Rng::new(5);
    for i in 0..count {
        let dir = root.join(format!("class{}", i % 10));
        std::fs::create_dir_all(&dir).expect("a folder");
        let png = image::RgbImage::from_fn(32, 32, |_, _| {
            image::Rgb([
                rng.below(256) as u8,
                rng.below(256) as u8,
                rng.below(256) as u8,
            ])
        });
        png.save(dir.join(format!("{i:05}.png"))).expect("a PNG");
    }
    root
}

/// Images a second through the stream alone (decode, convert, scale; no training).
fn loading_rate(folder: &ImageFolder, loaders: usize) -> f64 {
    let order: Vec<usize> = (0..folder.len()).collect();
    let config = StreamConfig::new(1, 32).prefetch(4, loaders);
    let started = Instant::now();
    let mut n = 0;
    for_each_batch::<f32, SVector<f32, 3072>, SVector<f32, 10>, _, _>(
        folder,
        &order,
        &config,
        None,
        |_, b| {
            n += black_box(b.inputs.len());
            Ok(())
        },
    )
    .expect("the images load");
    n as f64 / started.elapsed().as_secs_f64()
}

fn loading(c: &mut Criterion) {
    let root = image_folder(512);
    let folder = ImageFolder::open(&root, ImageConfig::new(3, 32, 32)).expect("the folder");
    let mut g = c.benchmark_group("load_cifar_png_512");
    g.throughput(Throughput::Elements(folder.len() as u64));
    g.sample_size(10).measurement_time(Duration::from_secs(4));
    for loaders in [1, 2] {
        g.bench_function(format!("loaders{loaders}"), |b| {
            b.iter(|| loading_rate(&folder, loaders))
        });
    }
    g.finish();
}

/// What [`interleaved`] measured of one step function.
struct Timing {
    /// Median wall seconds a call over the rounds.
    wall: f64,
    /// CPU seconds the process got per wall second while it ran (how many cores it really
    /// had on a shared machine).
    share: f64,
    /// CPU seconds a call (every thread's), over all rounds: the work, waiting excluded.
    cpu: f64,
}

/// For each of `steps`: its [`Timing`] over `rounds` interleaved rounds of `calls` calls each.
fn interleaved(steps: &mut [&mut dyn FnMut() -> f32], rounds: usize, calls: usize) -> Vec<Timing> {
    let mut times = vec![Vec::new(); steps.len()];
    let mut cpu = vec![(0.0, 0.0); steps.len()];
    for _ in 0..rounds {
        for ((step, t), c) in steps.iter_mut().zip(&mut times).zip(&mut cpu) {
            let (started, cpu_start) = (Instant::now(), cpu_seconds());
            for _ in 0..calls {
                black_box(step());
            }
            let wall = started.elapsed().as_secs_f64();
            t.push(wall / calls as f64);
            c.0 += cpu_seconds() - cpu_start;
            c.1 += wall;
        }
    }
    times
        .into_iter()
        .zip(cpu)
        .map(|(mut t, (c, w))| {
            t.sort_by(f64::total_cmp);
            Timing {
                wall: t[t.len() / 2],
                share: c / w,
                cpu: c / (rounds * calls) as f64,
            }
        })
        .collect()
}

fn row<N: Network<Scalar = f32> + Sync + Send>(
    name: &str,
    xs: &[N::Input],
    ys: &[N::Output],
    batch: usize,
    shard: usize,
    calls: usize,
) where
    N::Input: Send + Sync,
    N::Output: Send + Sync,
    Workspace<N>: Send + Sync,
{
    let mut serial = stepper::<N>(0, shard, xs, ys, batch);
    let mut one = stepper::<N>(1, shard, xs, ys, batch);
    let mut two = stepper::<N>(2, shard, xs, ys, batch);
    let t = interleaved(&mut [&mut serial, &mut one, &mut two], 15, calls);
    let rate = |s: f64| batch as f64 / s;
    let shard = match shard {
        0 => format!("auto: {}", used_shard::<N>(0)),
        s => s.to_string(),
    };
    println!(
        "| {name} | {batch} | {shard} | {:.0} | {:.0} | {:.0} | {:.2}x | {:.2}x | {:.2} / {:.2} / {:.2} | {:.0} / {:.0} / {:.0} | {:.2}x |",
        rate(t[0].wall),
        rate(t[1].wall),
        rate(t[2].wall),
        t[1].wall / t[2].wall,
        t[0].wall / t[2].wall,
        t[0].share,
        t[1].share,
        t[2].share,
        t[0].cpu * 1e6,
        t[1].cpu * 1e6,
        t[2].cpu * 1e6,
        t[2].cpu / t[1].cpu,
    );
}

fn table() {
    println!("\ninterleaved medians (15 rounds), samples/s");
    println!("| network | batch | shard | serial | 1 thread | 2 threads | 2 vs 1 thread | 2 threads vs serial | CPU/wall serial / 1 / 2 | CPU us a step serial / 1 / 2 | CPU 2 / 1 thread |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    let (xs, ys) = mlp_data();
    // Batch 8 in shards of 16 is one shard (the serial step on the caller); in shards of 4,
    // what splitting a small batch costs. Shard 0 is the default (auto): the MLP's shards
    // grow to SHARD_WORK samples.
    for (batch, shard) in [(8, 4), (32, 16), (32, 0), (128, 16), (128, 64), (256, 0)] {
        row::<Mlp<f32>>("784-128-10 MLP", &xs, &ys, batch, shard, 200);
    }
    let (xs, ys) = cifar_data();
    // Batch 24 in shards of at most 16 is two of 12; 8 in shards of 4 is the small end.
    for (batch, shard) in [(8, 4), (24, 16), (32, 0), (64, 0)] {
        row::<CifarCnn<f32>>("CIFAR-sized CNN", &xs, &ys, batch, shard, 3);
    }
    let folder =
        ImageFolder::open(image_folder(512), ImageConfig::new(3, 32, 32)).expect("the folder");
    for loaders in [1, 2] {
        println!(
            "loading 32x32 RGB PNGs, {loaders} loader thread(s): {:.0} images/s",
            loading_rate(&folder, loaders)
        );
    }
}

criterion_group!(benches, training, loading);

fn main() {
    // `--table` prints the interleaved table alone.
    if !std::env::args().any(|a| a == "--table") {
        benches();
        Criterion::default().configure_from_args().final_summary();
    }
    table();
}
