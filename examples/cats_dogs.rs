//! The classic Keras "cats vs dogs" CNN at 150x150x3, trained end to end from a folder of
//! images through the streaming source on every core.
//!
//! `cargo run --release --example cats_dogs` (the short run CI makes), or
//! `cargo run --release --example cats_dogs -- --full` (more images and epochs).
//!
//! The images are generated, since the real ones cannot be shipped: JPEGs of 120 to 200
//! pixels a side in `target/cats_dogs/`, class `cats` bright discs and class `dogs` bright
//! diagonal stripes, both in random colours over strong noise. They go through the pipeline
//! Keras's `ImageDataGenerator(rescale=1./255).flow_from_directory(target_size=(150, 150),
//! class_mode='binary')` describes: decoded, resized to 150x150 (bilinear), scaled by 1/255,
//! labelled 0/1 by folder in sorted order, here flipped left-right at random too.
//!
//! The network is Keras's (Chollet's 2016 blog post): three 3x3 convolutions of 32, 32 and 64
//! channels each followed by 2x2 max pooling, a Dense layer of 64 with Dropout 0.5, and a
//! sigmoid output, 1.2 M parameters, trained with binary cross-entropy. The run fails unless
//! the training loss falls and a held-out batch is classified above chance (at least 75%).
//!
//! The network's layers are megabytes; until large networks build in place on the heap, the
//! run happens on a thread with a large stack, and so do the workers.

use dl_core::fit::EpochOnly;
use dl_core::images::{Augment, ImageConfig, ImageFolder};
use dl_core::parallel::{Parallel, ParallelConfig};
use dl_core::prelude::*;
use dl_core::stream::{evaluate_stream, fit_stream, StreamConfig};
use std::path::Path;
use std::time::Instant;

network! {
    /// Keras's cats-vs-dogs CNN.
    pub struct CatsDogs {
        input: [3, 150, 150],
        Conv2D<3, 32, 3, Relu>,  // (32, 148, 148)
        MaxPool2D<2>,            // (32, 74, 74)
        Conv2D<32, 32, 3, Relu>, // (32, 72, 72)
        MaxPool2D<2>,            // (32, 36, 36)
        Conv2D<32, 64, 3, Relu>, // (64, 34, 34)
        MaxPool2D<2>,            // (64, 17, 17)
        Flatten,                 // 18496
        Dense<18496, 64, Relu>,
        Dropout<0.5>,
        Dense<64, 1, Sigmoid>,
    }
}

type Net = CatsDogs<f32>;

/// Adam's learning rate (Keras's example used RMSprop at 1e-4).
const LEARNING_RATE: f64 = 3e-4;

/// Run sizes: images a class for training and for validation, epochs, batch size.
struct Run {
    train: usize,
    validation: usize,
    epochs: usize,
    batch: usize,
}

const SHORT: Run = Run {
    train: 48,
    validation: 16,
    epochs: 5,
    batch: 16,
};

const FULL: Run = Run {
    train: 500,
    validation: 100,
    epochs: 10,
    batch: 32,
};

/// One generated image of `class` (0: discs, 1: stripes).
fn picture(class: usize, rng: &mut Rng) -> image::RgbImage {
    let (w, h) = (120 + rng.below(81) as u32, 120 + rng.below(81) as u32);
    let colour: [f64; 3] = [rng.uniform(), rng.uniform(), rng.uniform()];
    let discs: Vec<(f64, f64, f64)> = (0..3)
        .map(|_| {
            let r = 12.0 + rng.uniform() * 20.0;
            (
                rng.uniform() * f64::from(w),
                rng.uniform() * f64::from(h),
                r,
            )
        })
        .collect();
    let (period, phase) = (14.0 + rng.uniform() * 10.0, rng.uniform() * 30.0);
    image::RgbImage::from_fn(w, h, |x, y| {
        let (x, y) = (f64::from(x), f64::from(y));
        let on = if class == 0 {
            discs
                .iter()
                .any(|&(cx, cy, r)| (x - cx).powi(2) + (y - cy).powi(2) < r * r)
        } else {
            ((x + y + phase) / period).rem_euclid(1.0) < 0.4
        };
        let mut p = [0u8; 3];
        for (c, v) in p.iter_mut().enumerate() {
            let base = if on { 90.0 + 140.0 * colour[c] } else { 40.0 };
            *v = (base + (rng.uniform() - 0.5) * 90.0).clamp(0.0, 255.0) as u8;
        }
        image::Rgb(p)
    })
}

/// Writes `count` images of each class into `dir/{cats,dogs}/`.
fn write_folder(dir: &Path, count: usize, seed: u64) -> Result<(), Box<dyn std::error::Error>> {
    let _ = std::fs::remove_dir_all(dir);
    let mut rng = Rng::new(seed);
    for (class, name) in ["cats", "dogs"].iter().enumerate() {
        std::fs::create_dir_all(dir.join(name))?;
        for i in 0..count {
            picture(class, &mut rng).save(dir.join(name).join(format!("{i:04}.jpg")))?;
        }
    }
    Ok(())
}

fn run(full: bool) -> Result<(), Box<dyn std::error::Error>> {
    let run = if full { FULL } else { SHORT };
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/cats_dogs");
    let started = Instant::now();
    write_folder(&root.join("train"), run.train, 1)?;
    write_folder(&root.join("validation"), run.validation, 2)?;
    println!(
        "wrote {} JPEGs in {:.1} s\n\n{}\n",
        2 * (run.train + run.validation),
        started.elapsed().as_secs_f64(),
        Net::summary()
    );

    let config = ImageConfig::for_network::<Net>()?;
    let flip = Augment {
        flip: true,
        shift: false,
        rotate: 0.0,
    };
    let train = ImageFolder::open(root.join("train"), config.augment(flip))?;
    let validation = ImageFolder::open(root.join("validation"), config)?;
    println!("classes {:?} (labels 0 and 1)", train.classes());

    let mut engine = Parallel::<Net>::new(ParallelConfig::new().shard(4).stack(512 << 20))?;
    let stream = StreamConfig::new(run.epochs, run.batch)
        .seed(1)
        .prefetch(2, 1);
    let mut net = Net::boxed(1);
    let mut adam = Adam::new(LEARNING_RATE);
    let started = Instant::now();
    let history = fit_stream::<BinaryCrossEntropy, Accuracy, _, _, _>(
        &mut engine,
        &mut net,
        &mut adam,
        &train,
        None,
        &stream,
        EpochOnly(|e: &Epoch<f32>| {
            println!(
                "epoch {:>2}  train loss {:.4}  ({:.0} s)",
                e.epoch,
                e.train_loss,
                started.elapsed().as_secs_f64()
            );
            Control::Continue
        }),
    )?;
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{} epochs of {} images on {} threads in {seconds:.1} s ({:.1} images/s)",
        history.epochs.len(),
        train.len(),
        engine.threads(),
        (history.epochs.len() * train.len()) as f64 / seconds
    );
    let held_out = evaluate_stream::<BinaryCrossEntropy, Accuracy, _, _>(
        &mut engine,
        &net,
        &validation,
        &stream,
    )?;
    let (first, last) = (
        history.epochs[0].train_loss,
        history.epochs.last().map_or(f32::NAN, |e| e.train_loss),
    );
    println!(
        "training loss {first:.4} -> {last:.4}; held-out accuracy {:.4} on {} images, loss {:.4}",
        held_out.evaluation.metric,
        validation.len(),
        held_out.evaluation.loss
    );
    if last.partial_cmp(&first) != Some(std::cmp::Ordering::Less) {
        return Err(format!("the training loss did not fall: {first} -> {last}").into());
    }
    if held_out.evaluation.metric < 0.75 {
        return Err(format!(
            "held-out accuracy {} is not above chance",
            held_out.evaluation.metric
        )
        .into());
    }
    println!("the loss fell and the held-out images are classified above chance");
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let full = std::env::args().any(|a| a == "--full");
    let worker = std::thread::Builder::new()
        .stack_size(1 << 30)
        .spawn(move || run(full).map_err(|e| e.to_string()))?;
    worker
        .join()
        .map_err(|_| "the training thread panicked")?
        .map_err(Into::into)
}
