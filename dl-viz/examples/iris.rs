//! Fisher's iris flowers: a 4-16-3 MLP (ReLU, softmax, cross-entropy) trained with Adam on
//! mini-batches, on the fixed train/test split, features standardised with the train rows'
//! statistics. Target: test accuracy >= 0.93.
//!
//! `cargo run --release --example iris`

mod support;

use dl_core::data::{Dataset, Standardizer};
use dl_core::prelude::*;
use support::run::{train_and_report, Parts};

network! {
    /// Sepal and petal length and width to three species.
    pub struct IrisNet {
        hidden: Dense<4, 16, Relu>,
        out: Dense<16, 3, Softmax>,
    }
}

const SEED: u64 = 42;
const EPOCHS: usize = 100;
const BATCH: usize = 16;
const LEARNING_RATE: f64 = 0.01;
const TARGET: f64 = 0.93;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let iris = Dataset::<f32, 4>::load(support::data("iris.csv"))?;
    let split = iris.split(support::data("iris_split.csv"))?;
    let scaler = Standardizer::fit(&split.train)?;
    let (train_x, test_x) = (scaler.apply(&split.train), scaler.apply(&split.test));
    let (train_y, test_y) = (split.train.one_hot::<3>()?, split.test.one_hot::<3>()?);
    let parts = Parts::<IrisNet<f32>> {
        train: Data::new(&train_x, &train_y)?,
        validation: None,
        test: Data::new(&test_x, &test_y)?,
    };
    println!("{}\n", IrisNet::<f32>::summary());

    let mut net = IrisNet::<f32>::new(SEED);
    let mut adam = Adam::new(LEARNING_RATE);
    let config = FitConfig::new(EPOCHS, BatchSize::Mini(BATCH))
        .seed(SEED)
        .train_metric(true);
    let (_, test) = train_and_report::<CrossEntropy, Accuracy, _, _>(
        "iris", &mut net, &mut adam, &parts, &config,
    )?;
    support::check("iris test accuracy", test.metric.into(), TARGET);
    Ok(())
}
