//! Breast cancer diagnosis (Wisconsin): logistic regression, a single sigmoid unit on the 30
//! standardised measurements, trained on binary cross-entropy with mini-batch SGD, on the
//! fixed train/test split. Accuracy thresholds the probability at 0.5. Target: test accuracy
//! >= 0.95.
//!
//! `cargo run --release --example breast_cancer`

mod support;

use dl_core::data::{Dataset, Standardizer};
use dl_core::prelude::*;
use support::run::{train_and_report, Parts};

network! {
    /// 30 measurements of cell nuclei to P(benign).
    pub struct LogisticRegression {
        Dense<30, 1, Sigmoid>,
    }
}

const SEED: u64 = 42;
const EPOCHS: usize = 100;
const BATCH: usize = 32;
const LEARNING_RATE: f64 = 0.1;
const TARGET: f64 = 0.95;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let cancer = Dataset::<f32, 30>::load(support::data("breast_cancer.csv"))?;
    let split = cancer.split(support::data("breast_cancer_split.csv"))?;
    let scaler = Standardizer::fit(&split.train)?;
    let (train_x, test_x) = (scaler.apply(&split.train), scaler.apply(&split.test));
    let (train_y, test_y) = (split.train.binary()?, split.test.binary()?);
    let parts = Parts::<LogisticRegression<f32>> {
        train: Data::new(&train_x, &train_y)?,
        validation: None,
        test: Data::new(&test_x, &test_y)?,
    };
    println!("{}\n", LogisticRegression::<f32>::summary());

    let mut net = LogisticRegression::<f32>::new(SEED);
    let mut sgd = Sgd::new(LEARNING_RATE);
    let config = FitConfig::new(EPOCHS, BatchSize::Mini(BATCH))
        .seed(SEED)
        .train_metric(true);
    let (_, test) = train_and_report::<BinaryCrossEntropy, Accuracy, _, _>(
        "breast_cancer",
        &mut net,
        &mut sgd,
        &parts,
        &config,
    )?;
    support::check("breast_cancer test accuracy", test.metric.into(), TARGET);
    Ok(())
}
