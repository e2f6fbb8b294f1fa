//! The epoch loop: early stopping, a callback that stops, per-epoch schedules, and a
//! large epoch capacity.

use super::*;

/// y = 2x on the training set, y = x on the validation set: starting from w near 0, the
/// validation loss falls while w passes 1 and then rises, so it has a best epoch mid-run.
type Column = Vec<SVector<f64, 1>>;

fn line_data() -> (Column, Column, Column) {
    let xs: Vec<_> = (0..8)
        .map(|i| SVector::<f64, 1>::new(i as f64 / 8.0))
        .collect();
    let train_y = xs.iter().map(|x| x * 2.0).collect();
    let val_y = xs.clone();
    (xs, train_y, val_y)
}

fn fit_line(epochs: usize, early: Option<EarlyStopping>) -> (Line<f64>, Log<f64>) {
    let (xs, train_y, val_y) = line_data();
    let mut net = Line::<f64>::ZERO;
    let mut config = FitConfig::new(epochs, BatchSize::Mini(4)).seed(8);
    config.early_stopping = early;
    let history = fit::<Mse, RSquared, _, _>(
        &mut net,
        &mut Sgd::new(0.01),
        Data::new(&xs, &train_y).unwrap(),
        Some(Data::new(&xs, &val_y).unwrap()),
        &config,
        keep_going,
    )
    .unwrap();
    (net, history)
}

#[test]
fn early_stopping_restores_the_best_epoch() {
    let patience = 4;
    let (net, history) = fit_line(200, Some(EarlyStopping::new(patience)));
    let val: Vec<f64> = history
        .epochs()
        .iter()
        .map(|e| e.val_loss.unwrap())
        .collect();
    let (argmin, _) = val
        .iter()
        .enumerate()
        .min_by(|a, b| a.1.total_cmp(b.1))
        .unwrap();
    let best = history.best_epoch().unwrap();
    assert_eq!(best, argmin + 1);
    assert!(
        best > 3,
        "the validation loss should fall for a while first: {val:?}"
    );
    assert!(history.stopped_early());
    assert_eq!(history.len(), best + patience);
    assert!(val[history.len() - 1] > val[best - 1]);

    // The weights handed back are exactly those after the best epoch.
    let (at_best, _) = fit_line(best, None);
    assert_eq!(net.layer1.weight, at_best.layer1.weight);
    assert_eq!(net.layer1.bias, at_best.layer1.bias);
    // Negative control: the last epoch's weights differ.
    let (at_end, _) = fit_line(history.len(), None);
    assert_ne!(net.layer1.weight, at_end.layer1.weight);
}

#[test]
fn the_callback_can_stop_training() {
    let (xs, train_y, _) = line_data();
    let mut net = Line::<f64>::ZERO;
    let mut seen = Vec::new();
    let history = fit::<Mse, MeanAbsoluteError, _, _>(
        &mut net,
        &mut Sgd::new(0.05),
        Data::new(&xs, &train_y).unwrap(),
        None,
        &FitConfig::new(10, BatchSize::Full),
        |e| {
            seen.push(e.epoch);
            if e.epoch == 3 {
                Control::Stop
            } else {
                Control::Continue
            }
        },
    )
    .unwrap();
    assert_eq!(seen, [1, 2, 3]);
    assert_eq!(history.len(), 3);
    assert!(history.stopped_early());
}

/// `fit` ends every epoch on the optimizer, so a per-epoch schedule advances once an epoch.
#[test]
fn per_epoch_schedules_advance_once_an_epoch() {
    let (xs, train_y, _) = line_data();
    let mut net = Line::<f64>::ZERO;
    let mut opt = Scheduled::per_epoch(Sgd::<f64>::new(0.0), StepDecay::new(0.1, 2, 0.5));
    fit::<Mse, RSquared, _, _>(
        &mut net,
        &mut opt,
        Data::new(&xs, &train_y).unwrap(),
        None,
        &FitConfig::new(5, BatchSize::Mini(3)),
        keep_going,
    )
    .unwrap();
    assert_eq!(opt.position(), 5);
    assert_eq!(opt.steps(), 5 * 3, "3 batches (3, 3, 2) an epoch");
    assert_eq!(opt.learning_rate(), 0.1 * 0.25);
}

/// Issue 14, defect 2: `fit` with room for 100,000 epochs and early stopping overflowed the
/// stack (the epoch record was an array of that many entries on it) and aborted. It now runs
/// in a thread with a 512 KiB stack, stops early, and records only the epochs it trained.
#[test]
fn a_large_epoch_capacity_does_not_overflow_the_stack() {
    let run = || {
        let xs: Vec<_> = (1..5).map(|i| SVector::<f32, 1>::new(i as f32)).collect();
        let ys: Vec<_> = xs.iter().map(|x| x * 2.0).collect();
        let data = Data::new(&xs, &ys).unwrap();
        let mut net = Line::<f32>::new(1);
        let config = FitConfig::new(100_000, BatchSize::Full).early_stopping(EarlyStopping::new(3));
        let log = fit::<Mse, RSquared, _, _>(
            &mut net,
            &mut Sgd::new(1e-9), // so small that the loss stops improving
            data,
            None,
            &config,
            keep_going,
        )
        .unwrap();
        (log.len(), log.stopped_early())
    };
    let (epochs, stopped_early) = std::thread::Builder::new()
        .stack_size(512 * 1024)
        .spawn(run)
        .unwrap()
        .join()
        .unwrap();
    assert!(stopped_early && epochs < 100_000, "{epochs} epochs");
}
