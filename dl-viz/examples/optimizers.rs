//! The seven optimizers side by side: the same 64-32-10 digits network (`support/digits.rs`),
//! the same initial weights, shuffling seed, batch size and number of epochs, under SGD,
//! SGD with momentum, Nesterov, Adagrad, RMSprop, Adam and AdamW. Prints a table of final
//! training loss, validation and test accuracy, and draws every training-loss and
//! validation-accuracy curve on one chart each. Target: every optimizer reaches test
//! accuracy >= 0.90 (the point is the comparison; the digits example tunes one run to 0.96).
//!
//! `cargo run --release --example optimizers [-- curves.png]`
//! (default `target/optimizers_curves.png`)

mod support;

use dl_core::fit::{evaluate, Epoch, Log};
use dl_core::prelude::*;
use dl_viz::{Chart, Curve, Panel, Progress, Scale, Table};
use support::digits::{Digits, Net};
use support::run::{num, Parts};

const SEED: u64 = 42;
const EPOCHS: usize = 60;
const BATCH: usize = 32;
const TARGET: f64 = 0.90;

type Grad = <Net as Network>::Gradient;

/// One optimizer's run: its name and learning rate, history and test accuracy.
struct Run {
    name: &'static str,
    learning_rate: f64,
    history: Log<f32>,
    test_accuracy: f32,
}

/// Trains a fresh network (seed `SEED`) with `opt` and evaluates it on the test rows.
fn run<O: Optimizer<Net>>(
    name: &'static str,
    learning_rate: f64,
    mut opt: O,
    parts: &Parts<'_, Net>,
) -> Result<Run, Error> {
    let mut net = Net::new(SEED);
    let progress = Progress::new(name, EPOCHS).metric(Accuracy::NAME);
    let mut trainer = Trainer::new(&mut net, &mut opt, parts.train)
        .loss(CrossEntropy)
        .metrics(Accuracy)
        .epochs(EPOCHS)
        .batch(BatchSize::Mini(BATCH))
        .seed(SEED)
        .callback(&progress);
    if let Some(validation) = parts.validation {
        trainer = trainer.validation(validation);
    }
    let history = trainer.run();
    progress.finish();
    let history = history?;
    let test_accuracy = evaluate::<CrossEntropy, Accuracy, _>(&net, parts.test).metric;
    Ok(Run {
        name,
        learning_rate,
        history,
        test_accuracy,
    })
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let digits = Digits::load()?;
    let parts = digits.parts()?;
    println!("{}\n", Net::summary());

    let runs = [
        run("SGD", 0.1, Sgd::new(0.1), &parts)?,
        run(
            "momentum",
            0.01,
            Sgd::new(0.01).momentum::<Grad>(0.9),
            &parts,
        )?,
        run(
            "Nesterov",
            0.01,
            Sgd::new(0.01).nesterov::<Grad>(0.9),
            &parts,
        )?,
        run("Adagrad", 0.05, Adagrad::new(0.05), &parts)?,
        run("RMSprop", 1e-3, RmsProp::new(1e-3), &parts)?,
        run("Adam", 1e-3, Adam::new(1e-3), &parts)?,
        run("AdamW", 1e-3, AdamW::new(1e-3), &parts)?,
    ];

    println!("\n{EPOCHS} epochs, batch {BATCH}, seed {SEED}\n");
    let mut table = Table::new(&[
        "optimizer",
        "learning rate",
        "final train loss",
        "final val loss",
        "val accuracy",
        "test accuracy",
    ]);
    for r in &runs {
        let last: &Epoch<f32> = r.history.last().expect("trained at least one epoch");
        let f = |v: Option<f32>| num(v.map(f64::from));
        table.row(&[
            r.name.to_string(),
            r.learning_rate.to_string(),
            f(Some(last.train_loss)),
            f(last.val_loss),
            f(last.val_metric()),
            f(Some(r.test_accuracy)),
        ]);
    }
    table.print();

    // Each legend entry names the learning rate; the loss falls by orders of magnitude (log
    // scale) and the accuracies end within a few hundredths (zoomed on the last two thirds).
    let curves = |value: fn(&Epoch<f32>) -> Option<f32>| -> Vec<Curve> {
        runs.iter()
            .map(|r| {
                let name = format!("{} (lr {})", r.name, r.learning_rate);
                Curve::of(name, r.history.epochs(), value)
            })
            .collect()
    };
    let loss = Panel {
        curves: curves(|e| Some(e.train_loss)),
        ..Panel::new(
            "digits 64-32-10: training loss",
            "cross-entropy (log scale)",
        )
    };
    let accuracy = Panel {
        curves: curves(|e| e.val_metric()),
        ..Panel::new(
            format!("validation accuracy, epochs {}-{EPOCHS}", EPOCHS / 3),
            "accuracy",
        )
    };
    let path = support::output("optimizers_curves.png");
    Chart::new(vec![
        loss.scale(Scale::Log),
        accuracy.scale(Scale::From(EPOCHS as u32 / 3)),
    ])
    .draw(&path)?;
    println!("\ncurves written to {}", path.display());

    let worst = runs
        .iter()
        .min_by(|a, b| a.test_accuracy.total_cmp(&b.test_accuracy))
        .expect("seven runs");
    support::check(
        &format!("lowest test accuracy ({})", worst.name),
        worst.test_accuracy.into(),
        TARGET,
    );
    Ok(())
}
