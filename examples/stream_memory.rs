//! Peak memory of training from a folder larger than memory can hold comfortably: the stream
//! keeps a bounded number of batches, whatever the folder's size.
//!
//! `cargo run --release --example stream_memory -- [images] [--in-memory]`
//!
//! Writes `images` (default 6000) noisy 64x64 RGB PNGs of two classes (a brighter red or a
//! brighter blue channel) under `target/stream_memory/`, then trains a small CNN for one
//! epoch from the folder through `fit_stream` (batches of 32, 4 loaded ahead by 2 threads),
//! printing the loading and training throughput. As `f32` samples the set is
//! `images * 3 * 64 * 64 * 4` bytes (295 MB for 6000); with `--in-memory` it first decodes
//! the whole folder into memory and trains from that instead, for comparison. Measure the
//! peak resident memory with `/usr/bin/time -v` (its "Maximum resident set size").

use dl_core::images::{ImageConfig, ImageFolder};
use dl_core::parallel::{Parallel, ParallelConfig};
use dl_core::prelude::*;
use dl_core::stream::{fit_stream, for_each_batch, InMemory, StreamConfig};
use std::path::Path;
use std::time::Instant;

network! {
    /// 64x64 RGB to two classes.
    pub struct Small {
        input: [3, 64, 64],
        Conv2D<3, 8, 3, Relu, stride = 2>, // (8, 31, 31)
        MaxPool2D<2>,                      // (8, 15, 15)
        Flatten,                           // 1800
        Dense<1800, 2, Softmax>,
    }
}

type Net = Small<f32>;
type Input = SVector<f32, 12288>;
type Target = SVector<f32, 2>;

/// Writes `count` images unless the folder already holds them.
fn write_folder(root: &Path, count: usize) -> Result<(), Box<dyn std::error::Error>> {
    let marker = root.join(format!(".complete-{count}"));
    if marker.exists() {
        return Ok(());
    }
    let _ = std::fs::remove_dir_all(root);
    let mut rng = Rng::new(9);
    for i in 0..count {
        let class = i % 2;
        let dir = root.join(["red", "blue"][class]);
        std::fs::create_dir_all(&dir)?;
        let png = image::RgbImage::from_fn(64, 64, |_, _| {
            let mut p = [0u8; 3];
            for (c, v) in p.iter_mut().enumerate() {
                let bright = (class == 0 && c == 0) || (class == 1 && c == 2);
                *v = (rng.below(150) + if bright { 100 } else { 0 }) as u8;
            }
            image::Rgb(p)
        });
        png.save(dir.join(format!("{i:06}.png")))?;
    }
    std::fs::write(marker, b"")?;
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let count = args
        .iter()
        .find_map(|a| a.parse().ok())
        .unwrap_or(6000usize);
    let in_memory = args.iter().any(|a| a == "--in-memory");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/stream_memory");
    let started = Instant::now();
    write_folder(&root, count)?;
    println!(
        "folder of {count} PNGs ready in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let folder = ImageFolder::open(&root, ImageConfig::for_network::<Net>()?)?;
    let stream = StreamConfig::new(1, 32).seed(1).prefetch(4, 2);
    println!(
        "as f32 samples the set is {:.0} MB; the stream holds at most {} batches of 32 ({:.1} MB)",
        (folder.len() * (12288 + 2) * 4) as f64 / 1e6,
        stream.max_batches_in_memory(),
        (stream.max_batches_in_memory() * 32 * (12288 + 2) * 4) as f64 / 1e6
    );

    // Loading alone: decode, convert, scale, no training.
    let order: Vec<usize> = (0..folder.len()).collect();
    let started = Instant::now();
    for_each_batch::<f32, Input, Target, _, _>(&folder, &order, &stream, None, |_, _| Ok(()))?;
    let load_rate = folder.len() as f64 / started.elapsed().as_secs_f64();
    println!("loading alone: {load_rate:.0} images/s (2 loader threads)");

    let mut engine = Parallel::<Net>::new(ParallelConfig::new())?;
    let mut net = Net::new(1);
    let mut adam = Adam::new(1e-3);
    let started = Instant::now();
    let history = if in_memory {
        let (mut xs, mut ys) = (Vec::new(), Vec::new());
        for_each_batch::<f32, Input, Target, _, _>(&folder, &order, &stream, None, |_, b| {
            xs.extend_from_slice(&b.inputs);
            ys.extend_from_slice(&b.targets);
            Ok(())
        })?;
        println!("decoded {} images into memory", xs.len());
        let source = InMemory(Data::new(&xs, &ys)?);
        fit_stream::<CrossEntropy, Accuracy, _, _, _>(
            &mut engine,
            &mut net,
            &mut adam,
            &source,
            None,
            &stream,
            (),
        )?
        .epochs
    } else {
        fit_stream::<CrossEntropy, Accuracy, _, _, _>(
            &mut engine,
            &mut net,
            &mut adam,
            &folder,
            None,
            &stream,
            (),
        )?
        .epochs
    };
    let rate = folder.len() as f64 / started.elapsed().as_secs_f64();
    println!(
        "one epoch {}: {rate:.0} images/s on {} threads, train loss {:.4}",
        if in_memory {
            "from memory (decoding included)"
        } else {
            "streamed from the folder"
        },
        engine.threads(),
        history[0].train_loss
    );
    Ok(())
}
