//! Train with a progress bar, then print a results table of loss and metric on each part of
//! the data: what every real-data example does.

use dl_core::fit::{evaluate, Data, Evaluation, FitConfig, Log};
use dl_core::prelude::*;
use dl_viz::{Progress, Table};

/// The parts of a data set, already preprocessed.
pub struct Parts<'a, N: Network> {
    /// What the gradient steps see.
    pub train: Data<'a, N::Input, N::Output>,
    /// Held out from training, watched for early stopping and curves.
    pub validation: Option<Data<'a, N::Input, N::Output>>,
    /// Touched once, at the end.
    pub test: Data<'a, N::Input, N::Output>,
}

/// The history of a run and the evaluation of its final weights on the test data.
pub type Report<T> = (Log<T>, Evaluation<T>);

/// A number with 4 decimals, or `-` for none.
pub fn num(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_string(), |v| format!("{v:.4}"))
}

/// Trains `net` with `opt` under `config` (a progress bar labelled `name` advancing per
/// epoch), prints the history's last epoch and a table of loss `L` and metric `M` on train,
/// validation and test, and returns the history and the test evaluation.
pub fn train_and_report<L: Loss + Default, M: Metric + Default, N: Network, O: Optimizer<N>>(
    name: &str,
    net: &mut N,
    opt: &mut O,
    parts: &Parts<'_, N>,
    config: &FitConfig,
) -> Result<Report<N::Scalar>, Error> {
    let progress = Progress::new(name, config.epochs).metric(M::NAME);
    let mut trainer = Trainer::new(net, opt, parts.train)
        .loss(L::default())
        .metrics(M::default())
        .config(*config)
        .callback(&progress);
    if let Some(validation) = parts.validation {
        trainer = trainer.validation(validation);
    }
    let history = trainer.run();
    progress.finish();
    let history = history?;

    let best = history.best_epoch().map_or(String::new(), |b| {
        format!(", best epoch {b} (weights restored)")
    });
    println!(
        "\n{name}: {} epochs trained{}{best}\n",
        history.len(),
        if history.stopped_early() {
            " (stopped early)"
        } else {
            ""
        },
    );
    let test = evaluate::<L, M, N>(net, parts.test);
    let mut table = Table::new(&["data", "samples", L::NAME, M::NAME]);
    let mut add = |part: &str, data: Data<'_, N::Input, N::Output>, e: Evaluation<N::Scalar>| {
        table.row(&[
            part.to_string(),
            data.len().to_string(),
            num(Some(e.loss.as_f64())),
            num(Some(e.metric.as_f64())),
        ])
    };
    add("train", parts.train, evaluate::<L, M, N>(net, parts.train));
    if let Some(v) = parts.validation {
        add("validation", v, evaluate::<L, M, N>(net, v));
    }
    add("test", parts.test, test);
    table.print();
    println!();
    Ok((history, test))
}
