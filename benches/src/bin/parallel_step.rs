//! One network's training step, serial or through the data-parallel engine, repeated for a
//! fixed time: for `perf record` (a steady loop with nothing else in it) and for the
//! thread-count comparison with PyTorch (`benches/peers/threads.sh`). Prints one JSON line:
//! samples a wall second, and the process's CPU time a step (all threads,
//! `CLOCK_PROCESS_CPUTIME_ID`).
//!
//! `cargo run --release -p dl-benches --bin parallel_step -- NET THREADS BATCH [SHARD] [SECONDS] [OPT]`
//!
//! `NET` is `mlp` (784-128-10) or `cifar` (the peers suite's CIFAR-sized CNN); `THREADS` 0
//! means the serial `train_batch` (no engine); `SHARD` 0 (the default) is the engine's default
//! (shards of 16, grown where the network's work a sample is small next to its gradient);
//! `SECONDS` to 5; `OPT` is `sgd` (plain SGD, lr 0.01, the default), `momentum` (SGD, lr 0.01,
//! momentum 0.9), `rmsprop` (lr 1e-3), `adagrad` (lr 1e-2) or `adam` (lr 1e-3).
//! Cross-entropy on synthetic data, as in `benches/parallel.rs`.

use dl_benches::{classification_data, cpu_seconds, cycling, CifarCnn, Mnist};
use dl_core::parallel::{Parallel, ParallelConfig};
use dl_core::prelude::*;
use std::hint::black_box;
use std::time::Instant;

/// The run's settings, from the command line.
struct Args {
    net: String,
    threads: usize,
    batch: usize,
    shard: usize,
    seconds: f64,
    opt: String,
}

fn args() -> Args {
    let a: Vec<String> = std::env::args().skip(1).collect();
    let num = |i: usize, default: usize| a.get(i).and_then(|s| s.parse().ok()).unwrap_or(default);
    Args {
        net: a.first().cloned().unwrap_or_else(|| "mlp".into()),
        threads: num(1, 2),
        batch: num(2, 32),
        shard: num(3, 0),
        seconds: a.get(4).and_then(|s| s.parse().ok()).unwrap_or(5.0),
        opt: a.get(5).cloned().unwrap_or_else(|| "sgd".into()),
    }
}

fn run<N: Network<Scalar = f32> + Sync + Send>(args: &Args, xs: &[N::Input], ys: &[N::Output])
where
    N::Input: Send + Sync,
    N::Output: Send + Sync,
    Workspace<N>: Send + Sync,
{
    match args.opt.as_str() {
        "adam" => run_with::<N, _>(args, xs, ys, Adam::<f32, N::Gradient>::new(1e-3)),
        "momentum" => run_with::<N, _>(
            args,
            xs,
            ys,
            SgdMomentum::<f32, N::Gradient>::new(0.01, 0.9),
        ),
        _ => run_with::<N, _>(args, xs, ys, Sgd::new(0.01)),
    }
}

fn run_with<N: Network<Scalar = f32> + Sync + Send, O: Optimizer<N>>(
    args: &Args,
    xs: &[N::Input],
    ys: &[N::Output],
    mut sgd: O,
) where
    N::Input: Send + Sync,
    N::Output: Send + Sync,
    Workspace<N>: Send + Sync,
{
    let mut net = N::boxed(1);
    let mut ws = Workspace::<N>::boxed();
    let mut par = (args.threads > 0).then(|| {
        let config = match args.shard {
            0 => ParallelConfig::new().threads(args.threads),
            s => ParallelConfig::new().threads(args.threads).shard(s),
        };
        let mut p = Parallel::<N>::new(config).expect("worker threads");
        p.warm_up(args.batch);
        p
    });
    let shard = par.as_ref().map_or(args.batch, |p| p.shard());
    let mut step = cycling(xs.len(), args.batch, |k| {
        let (x, y) = (black_box(&xs[k.clone()]), &ys[k]);
        match par.as_mut() {
            Some(p) => p.train_batch::<CrossEntropy, _>(&mut *net, &mut sgd, x, y),
            None => train_batch::<_, CrossEntropy, _>(&mut *net, &mut sgd, x, y, &mut ws),
        }
        .expect("a finite step")
    });
    step(); // warm-up: first touch of the workspaces
    let (started, cpu) = (Instant::now(), cpu_seconds());
    let mut steps = 0usize;
    while started.elapsed().as_secs_f64() < args.seconds {
        black_box(step());
        steps += 1;
    }
    let (wall, cpu) = (started.elapsed().as_secs_f64(), cpu_seconds() - cpu);
    println!(
        "{{\"impl\":\"dl\",\"net\":\"{}\",\"opt\":\"{}\",\"threads\":{},\"batch\":{},\"shard\":{},\
         \"samples_per_s\":{:.1},\"cpu_us_per_step\":{:.1},\"cpu_per_wall\":{:.2},\"steps\":{steps}}}",
        args.net,
        args.opt,
        args.threads,
        args.batch,
        shard,
        (steps * args.batch) as f64 / wall,
        cpu / steps as f64 * 1e6,
        cpu / wall,
    );
}

fn main() {
    let args = args();
    match args.net.as_str() {
        "cifar" => {
            let (xs, ys) = classification_data::<3072, 10>(256, 2);
            run::<CifarCnn<f32>>(&args, &xs, &ys);
        }
        _ => {
            let (xs, ys) = classification_data::<784, 10>(1024, 2);
            run::<Mnist<f32>>(&args, &xs, &ys);
        }
    }
}
