//! Handwritten digits (8x8 images): a 64-32-10 MLP (ReLU, softmax, cross-entropy;
//! defined in `support/digits.rs`) trained with Adam on mini-batches of 32. The last fifth of the fixed training rows is held out for
//! validation, watched by early stopping (the best epoch's weights are restored), and the
//! train and validation loss and accuracy per epoch are drawn to a PNG by `dl_viz::Chart`,
//! the restored best epoch marked. Pixels (0..16) are
//! scaled to [0, 1]. Target: test accuracy >= 0.96.
//!
//! `cargo run --release --example digits [-- curves.png]` (default `target/digits_curves.png`)

mod support;

use dl_core::prelude::*;
use dl_viz::Chart;
use support::digits::{Digits, Net};
use support::run::train_and_report;

const SEED: u64 = 42;
const MAX_EPOCHS: usize = 200;
const PATIENCE: usize = 15;
const BATCH: usize = 32;
const LEARNING_RATE: f64 = 1e-3;
const TARGET: f64 = 0.96;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let digits = Digits::load()?;
    let parts = digits.parts()?;
    println!("{}\n", Net::summary());

    let mut net = Net::new(SEED);
    let mut adam = Adam::new(LEARNING_RATE);
    let config = FitConfig::new(MAX_EPOCHS, BatchSize::Mini(BATCH))
        .seed(SEED)
        .train_metric(true)
        .early_stopping(EarlyStopping::new(PATIENCE));
    let (history, test) = train_and_report::<CrossEntropy, Accuracy, _, _>(
        "digits", &mut net, &mut adam, &parts, &config,
    )?;

    let path = support::output("digits_curves.png");
    Chart::history("digits 64-32-10", &history).draw(&path)?;
    println!("training curves written to {}", path.display());
    support::check("digits test accuracy", test.metric.into(), TARGET);
    Ok(())
}
