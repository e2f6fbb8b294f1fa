//! The digits set as folders of PNG images, trained from the folders through the streaming
//! source on every core, as a Keras user's `flow_from_directory` would.
//!
//! `cargo run --release --example digits_folders`
//!
//! 1. Writes each 8x8 digit of `examples/data/digits.csv` as a 32x32 grayscale PNG (every
//!    pixel a 4x4 block, `p * 255 / 16`) into `target/digits_folders/{train,test}/<digit>/`,
//!    by the fixed split file.
//! 2. Opens both folders as [`ImageFolder`]s for a network declared with `input: [1, 16,
//!    16]`: each PNG is decoded and resized 32 -> 16 (bilinear) when a batch needs it, scaled
//!    by 1/255, labelled one-hot by its folder; training images are shifted at random by up
//!    to 2 pixels (resized to 18x18, a random 16x16 crop; the centre crop when testing).
//! 3. Trains a small CNN with `fit_stream` on all cores (bit-identical for any thread count),
//!    4 batches loaded ahead by 2 threads, and fails if the test accuracy is below 0.97.

use dl_core::data::Dataset;
use dl_core::fit::EpochOnly;
use dl_core::images::{Augment, Fit, ImageConfig, ImageFolder};
use dl_core::parallel::{Parallel, ParallelConfig};
use dl_core::prelude::*;
use dl_core::stream::{evaluate_stream, fit_stream, StreamConfig};
use std::path::{Path, PathBuf};
use std::time::Instant;

network! {
    /// Classifies 16x16 digit images.
    pub struct FolderCnn {
        input: [1, 16, 16],
        conv1: Conv2D<1, 8, 3, Relu, padding = 1>, // (8, 16, 16)
        MaxPool2D<2>,                              // (8, 8, 8)
        conv2: Conv2D<8, 16, 3, Relu, padding = 1>, // (16, 8, 8)
        MaxPool2D<2>,                              // (16, 4, 4)
        Flatten,                                   // 256
        Dropout<0.25>,
        out: Dense<256, 10, Softmax>,
    }
}

const SEED: u64 = 1;
const EPOCHS: usize = 30;
const BATCH: usize = 32;
const LEARNING_RATE: f64 = 3e-3;
const TARGET_ACCURACY: f32 = 0.97;
/// Each digit pixel becomes a `SCALE x SCALE` block of the PNG.
const SCALE: u32 = 4;

fn manifest(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// Writes `part`'s digits as upscaled PNGs into `dir/<digit>/<row>.png`; returns how many.
fn write_pngs(part: &Dataset<f32, 64>, dir: &Path) -> Result<usize, Box<dyn std::error::Error>> {
    let classes = part.classes(10)?;
    let _ = std::fs::remove_dir_all(dir);
    for (i, (x, class)) in part.features().iter().zip(classes).enumerate() {
        let side = 8 * SCALE;
        let png = image::GrayImage::from_fn(side, side, |c, r| {
            let p = x[((r / SCALE) * 8 + c / SCALE) as usize];
            image::Luma([(p * 255.0 / 16.0).round().clamp(0.0, 255.0) as u8])
        });
        let folder = dir.join(class.to_string());
        std::fs::create_dir_all(&folder)?;
        png.save(folder.join(format!("{i:04}.png")))?;
    }
    Ok(part.len())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    type Net = FolderCnn<f32>;
    let digits = Dataset::<f32, 64>::load(manifest("data/digits.csv"))?;
    let split = digits.split(manifest("data/digits_split.csv"))?;
    let root = manifest("../target/digits_folders");
    let started = Instant::now();
    let written = write_pngs(&split.train, &root.join("train"))?
        + write_pngs(&split.test, &root.join("test"))?;
    println!(
        "wrote {written} PNGs ({0}x{0}) under {1} in {2:.2} s",
        8 * SCALE,
        root.display(),
        started.elapsed().as_secs_f64()
    );

    let config = ImageConfig::for_network::<Net>()?.fit(Fit::ResizeCrop { margin: 2 });
    let shift = Augment {
        flip: false,
        shift: true,
        rotate: 0.0,
    };
    let train = ImageFolder::open(root.join("train"), config.augment(shift))?;
    let test = ImageFolder::open(root.join("test"), config)?;
    println!(
        "classes {:?}; {} training and {} test images\n",
        train.classes(),
        train.len(),
        test.len()
    );
    println!("{}\n", Net::summary());

    let mut engine = Parallel::<Net>::new(ParallelConfig::new())?;
    let stream = StreamConfig::new(EPOCHS, BATCH).seed(SEED).prefetch(4, 2);
    let mut net = Net::new(SEED);
    let mut adam = Adam::new(LEARNING_RATE);
    let started = Instant::now();
    let history = fit_stream::<CrossEntropy, Accuracy, _, _, _>(
        &mut engine,
        &mut net,
        &mut adam,
        &train,
        Some(&test),
        &stream,
        EpochOnly(|e: &Epoch<f32>| {
            if e.epoch == 1 || e.epoch.is_multiple_of(5) {
                println!(
                    "epoch {:>3}  train loss {:.4}  test loss {:.4}  test accuracy {:.4}",
                    e.epoch,
                    e.train_loss,
                    e.val_loss.unwrap_or(f32::NAN),
                    e.val_metric().unwrap_or(f32::NAN)
                );
            }
            Control::Continue
        }),
    )?;
    let seconds = started.elapsed().as_secs_f64();
    let images = (history.epochs.len() * train.len()) as f64;
    println!(
        "\n{} epochs on {} threads in {seconds:.1} s ({:.0} training images/s, decoding \
         and test evaluation included); {} images skipped",
        history.epochs.len(),
        engine.threads(),
        images / seconds,
        history.skipped
    );

    let result =
        evaluate_stream::<CrossEntropy, Accuracy, _, _>(&mut engine, &net, &test, &stream)?;
    let accuracy = result.evaluation.metric;
    println!(
        "test accuracy {accuracy:.4}, test loss {:.4}",
        result.evaluation.loss
    );
    if accuracy < TARGET_ACCURACY {
        return Err(format!("test accuracy {accuracy} is below {TARGET_ACCURACY}").into());
    }
    println!("reached the target accuracy of {TARGET_ACCURACY}");
    Ok(())
}
