//! Early stopping of `fit_stream`, with `fit`'s rule: training stops `patience` epochs after
//! the best validation loss, the history names that epoch, and the weights handed back are
//! exactly those after it (or the last ones, without `restore_best`).

use dl_core::parallel::{Parallel, ParallelConfig};
use dl_core::prelude::*;
use dl_core::stream::{fit_stream, InMemory, StreamConfig, StreamHistory};

network! {
    /// Linear regression on one feature.
    pub struct Line {
        Dense<1, 1, Identity>,
    }
}

type Column = Vec<SVector<f64, 1>>;

/// y = 2x on the training set, y = x on the validation set: starting from w = 0, the
/// validation loss falls while w passes 1 and then rises, so it has a best epoch mid-run.
fn line_data() -> (Column, Column, Column) {
    let xs: Column = (0..8)
        .map(|i| SVector::<f64, 1>::new(i as f64 / 8.0))
        .collect();
    let train_y = xs.iter().map(|x| x * 2.0).collect();
    (xs.clone(), train_y, xs)
}

/// Trains a `Line` from zero on the line data for `epochs` epochs, watching the validation
/// set (y = x) if `validate`, the training loss otherwise.
fn train_line(
    epochs: usize,
    early: Option<EarlyStopping>,
    validate: bool,
) -> (Line<f64>, StreamHistory<f64>) {
    let (xs, train_y, val_y) = line_data();
    let train = InMemory(Data::new(&xs, &train_y).unwrap());
    let validation = InMemory(Data::new(&xs, &val_y).unwrap());
    let mut config = StreamConfig::new(epochs, 4).seed(8);
    config.early_stopping = early;
    let mut engine = Parallel::new(ParallelConfig::new().threads(2).shard(2)).unwrap();
    let mut net = Line::<f64>::ZERO;
    let history = fit_stream::<Mse, RSquared, _, _, _>(
        &mut engine,
        &mut net,
        &mut Sgd::new(0.01),
        &train,
        validate.then_some(&validation),
        &config,
        (),
    )
    .unwrap();
    (net, history)
}

fn fit_line(epochs: usize, early: Option<EarlyStopping>) -> (Line<f64>, StreamHistory<f64>) {
    train_line(epochs, early, true)
}

fn val_losses(history: &StreamHistory<f64>) -> Vec<f64> {
    history.epochs.iter().map(|e| e.val_loss.unwrap()).collect()
}

#[test]
fn early_stopping_restores_the_best_epoch() {
    let patience = 4;
    let (net, history) = fit_line(200, Some(EarlyStopping::new(patience)));
    let val = val_losses(&history);
    let argmin = (0..val.len())
        .min_by(|&a, &b| val[a].total_cmp(&val[b]))
        .unwrap();
    let best = history.best_epoch.unwrap();
    assert_eq!(best, argmin + 1);
    assert!(
        best > 3,
        "the validation loss should fall for a while first: {val:?}"
    );
    assert!(history.stopped_early);
    assert_eq!(history.epochs.len(), best + patience);
    assert!(val[val.len() - 1] > val[best - 1]);

    // The weights handed back are exactly those after the best epoch.
    let (at_best, plain) = fit_line(best, None);
    assert_eq!(plain.best_epoch, None);
    assert!(!plain.stopped_early);
    assert_eq!(net, at_best);
    // Negative control: the last epoch's weights differ.
    let (at_end, _) = fit_line(history.epochs.len(), None);
    assert_ne!(net, at_end);
}

#[test]
fn without_restore_best_the_last_weights_stay() {
    let rule = EarlyStopping {
        restore_best: false,
        ..EarlyStopping::new(4)
    };
    let (net, history) = fit_line(200, Some(rule));
    assert!(history.stopped_early);
    let best = history.best_epoch.unwrap();
    assert_eq!(history.epochs.len(), best + 4);
    let (at_end, _) = fit_line(history.epochs.len(), None);
    assert_eq!(net, at_end);
}

/// Keras's rule on a list of monitored losses: (best epoch, epochs run).
fn keras_rule(losses: &[f64], patience: usize, min_delta: f64) -> (usize, usize) {
    let (mut best, mut best_epoch, mut waited) = (f64::INFINITY, 0, 0);
    for (i, &loss) in losses.iter().enumerate() {
        if loss < best - min_delta {
            (best, best_epoch, waited) = (loss, i + 1, 0);
        } else {
            waited += 1;
            if waited >= patience {
                return (best_epoch, i + 1);
            }
        }
    }
    (best_epoch, losses.len())
}

#[test]
fn min_delta_makes_small_gains_not_count() {
    // The full curve, to apply the rule to.
    let (_, full) = fit_line(200, None);
    let val = val_losses(&full);
    for min_delta in [0.0, 1e-4, 1e-3] {
        let rule = EarlyStopping {
            min_delta,
            ..EarlyStopping::new(4)
        };
        let (_, history) = fit_line(200, Some(rule));
        let expected = keras_rule(&val, 4, min_delta);
        assert_eq!(
            (history.best_epoch.unwrap(), history.epochs.len()),
            expected,
            "min_delta {min_delta}"
        );
    }
    // The deltas matter on this curve: a coarse one stops sooner.
    assert!(keras_rule(&val, 4, 1e-3).1 < keras_rule(&val, 4, 0.0).1);
}

#[test]
fn training_runs_all_epochs_when_the_loss_keeps_falling() {
    // Without validation data the training loss is watched; on y = 2x it falls every epoch.
    let (_, history) = train_line(30, Some(EarlyStopping::new(2)), false);
    assert_eq!(history.epochs.len(), 30);
    assert!(!history.stopped_early);
    assert_eq!(history.best_epoch, Some(30));
}
