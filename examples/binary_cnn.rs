//! The seeds' Keras image model in our syntax, on a binary task from the 8x8 digits: "is it
//! a 3?". Conv -> Pool -> Conv -> Pool -> Flatten -> Dense ReLU -> Dense sigmoid, trained
//! with binary cross-entropy.
//!
//! `cargo run --release --example binary_cnn`
//!
//! About a tenth of the digits are 3s, so always answering "no" already scores about 0.90:
//! the example prints that baseline next to the accuracy, and the precision and recall on
//! the 3s, so the accuracy can be judged.

use dl_core::data::Dataset;
use dl_core::prelude::*;
use std::path::{Path, PathBuf};

network! {
    /// Says whether an 8x8 digit is a 3 (the probability that it is).
    pub struct IsThree {
        input: [1, 8, 8],
        Conv2D<1, 8, 3, Relu, padding = 1>,
        MaxPool2D<2>,
        Conv2D<8, 16, 3, Relu, padding = 1>,
        MaxPool2D<2>,
        Flatten,
        Dense<64, 32, Relu>,
        Dense<32, 1, Sigmoid>,
    }
}

const SEED: u64 = 3;
const EPOCHS: usize = 30;
const BATCH: usize = 32;
const LEARNING_RATE: f64 = 3e-3;
const DIGIT: usize = 3;

fn data(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data")
        .join(path)
}

/// Images (pixels / 16) and targets.
type Prepared = (Vec<SVector<f32, 64>>, Vec<SVector<f32, 1>>);

/// Pixels / 16, and 1.0 for the digit `DIGIT`, 0.0 for the others.
fn prepare(set: &Dataset<f32, 64>) -> Result<Prepared, Box<dyn std::error::Error>> {
    let x = set.features().iter().map(|x| x / 16.0).collect();
    let y = set
        .classes(10)?
        .iter()
        .map(|&c| SVector::from([if c == DIGIT { 1.0 } else { 0.0 }]))
        .collect();
    Ok((x, y))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let digits = Dataset::<f32, 64>::load(data("digits.csv"))?;
    let split = digits.split(data("digits_split.csv"))?;
    let (train_x, train_y) = prepare(&split.train)?;
    let (test_x, test_y) = prepare(&split.test)?;

    println!("{}\n", IsThree::<f32>::summary());

    let mut net = IsThree::<f32>::new(SEED);
    let mut adam = Adam::new(LEARNING_RATE);
    let test = Data::new(&test_x, &test_y)?;
    Trainer::new(&mut net, &mut adam, Data::new(&train_x, &train_y)?)
        .loss(BinaryCrossEntropy)
        .metrics(Accuracy)
        .epochs(EPOCHS)
        .batch(BatchSize::Mini(BATCH))
        .seed(SEED)
        .validation(test)
        .on_epoch(|e, _| {
            if e.epoch == 1 || e.epoch % 5 == 0 {
                println!(
                    "epoch {:>3}  train loss {:.4}  test loss {:.4}  test accuracy {:.4}",
                    e.epoch,
                    e.train_loss,
                    e.val_loss.unwrap_or(f32::NAN),
                    e.val_metric().unwrap_or(f32::NAN)
                );
            }
            Control::Continue
        })
        .run()?;

    let eval = evaluate::<BinaryCrossEntropy, Accuracy, _>(&net, test);
    let (mut tp, mut fp, mut fn_) = (0, 0, 0);
    for (x, y) in test_x.iter().zip(&test_y) {
        match (net.forward(x)[0] > 0.5, y[0] > 0.5) {
            (true, true) => tp += 1,
            (true, false) => fp += 1,
            (false, true) => fn_ += 1,
            (false, false) => {}
        }
    }
    let threes = tp + fn_;
    let baseline = 1.0 - threes as f32 / test_x.len() as f32;
    println!(
        "\nis it a {DIGIT}? test accuracy {:.4} (always \"no\" would score {baseline:.4}); \
         precision {:.4} ({tp}/{}), recall {:.4} ({tp}/{threes})",
        eval.metric,
        tp as f32 / (tp + fp).max(1) as f32,
        tp + fp,
        tp as f32 / threes.max(1) as f32,
    );
    Ok(())
}
