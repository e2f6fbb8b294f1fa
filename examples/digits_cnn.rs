//! A convolutional network on the 8x8 digits: every shape is computed by `network!` at
//! compile time, on stable Rust, and training allocates nothing per step.
//!
//! `cargo run --release --example digits_cnn`
//!
//! Conv2D 1->8 (3x3, padding 1) + ReLU, 2x2 max pooling, Conv2D 8->16 (3x3) + ReLU, Flatten,
//! Dropout 0.25 (training only), Dense 64->10 + softmax; cross-entropy, Adam (learning rate
//! 0.01), mini-batches of 32, 40 epochs, on the fixed train split (pixels / 16). Prints the
//! summary with every output shape and the test accuracy, and fails if that is below 0.97.
//!
//! The learning rate and the dropout were chosen on a validation split carved from the
//! training rows (the last 287 of them), not on the test split: without dropout and at
//! 3e-3 the five seeds 1..5 averaged 0.969 there, with them 0.975.

use dl_core::data::Dataset;
use dl_core::prelude::*;
use std::path::{Path, PathBuf};

network! {
    /// Classifies 8x8 digit images.
    pub struct DigitsCnn {
        input: [1, 8, 8],
        conv1: Conv2D<1, 8, 3, Relu, padding = 1>,
        pool1: MaxPool2D<2>,
        conv2: Conv2D<8, 16, 3, Relu>,
        Flatten,
        Dropout<0.25>,
        out: Dense<64, 10, Softmax>,
    }
}

const SEED: u64 = 1;
const EPOCHS: usize = 40;
const BATCH: usize = 32;
const LEARNING_RATE: f64 = 1e-2;
const TARGET_ACCURACY: f32 = 0.97;

fn data(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data")
        .join(path)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let digits = Dataset::<f32, 64>::load(data("digits.csv"))?;
    let split = digits.split(data("digits_split.csv"))?;
    let scale = |set: &Dataset<f32, 64>| -> Vec<SVector<f32, 64>> {
        set.features().iter().map(|x| x / 16.0).collect()
    };
    let (train_x, test_x) = (scale(&split.train), scale(&split.test));
    let (train_y, test_y) = (split.train.one_hot::<10>()?, split.test.one_hot::<10>()?);

    println!("{}\n", DigitsCnn::<f32>::summary());
    println!(
        "parameters: {} bytes, training cache: {} bytes, gradient: {} bytes\n",
        DigitsCnn::<f32>::PARAM_BYTES,
        DigitsCnn::<f32>::CACHE_BYTES,
        DigitsCnn::<f32>::GRADIENT_BYTES
    );

    let mut net = DigitsCnn::<f32>::new(SEED);
    let mut adam = Adam::new(LEARNING_RATE);
    let test = Data::new(&test_x, &test_y)?;
    let history = Trainer::new(&mut net, &mut adam, Data::new(&train_x, &train_y)?)
        .loss(CrossEntropy)
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

    let eval = evaluate::<CrossEntropy, Accuracy, _>(&net, test);
    let correct = (eval.metric * test_x.len() as f32).round();
    println!(
        "\ntrained {} epochs; test accuracy {:.4} ({correct}/{}), test loss {:.4}",
        history.len(),
        eval.metric,
        test_x.len(),
        eval.loss
    );
    if eval.metric < TARGET_ACCURACY {
        return Err(format!("test accuracy {} is below {TARGET_ACCURACY}", eval.metric).into());
    }
    println!("reached the target accuracy of {TARGET_ACCURACY}");
    Ok(())
}
