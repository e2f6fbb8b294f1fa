//! `fit` / `evaluate` / `predict` and the metrics: batching, shuffling, reproducibility, early
//! stopping, the divergence guard, and each metric on hand-computed values.

use dl_core::metrics::{score, MetricState};
use dl_core::prelude::*;

network! {
    /// A small classifier: 2 inputs, 2 classes.
    pub struct Classifier {
        Dense<2, 4, Tanh>,
        Dense<4, 2, Softmax>,
    }
}

network! {
    /// Linear regression on one feature.
    pub struct Line {
        Dense<1, 1, Identity>,
    }
}

type V2 = SVector<f32, 2>;

/// 24 points of two interleaved clusters (deterministic), one-hot labels.
fn blobs() -> (Vec<V2>, Vec<V2>) {
    let mut rng = Rng::new(3);
    (0..24)
        .map(|i| {
            let class = i % 2;
            let centre = if class == 0 { -1.0 } else { 1.0 };
            let x = V2::new(
                centre + rng.uniform_in(-0.8, 0.8) as f32,
                -centre + rng.uniform_in(-0.8, 0.8) as f32,
            );
            let mut y = V2::zeros();
            y[class] = 1.0;
            (x, y)
        })
        .unzip()
}

fn weights<N: Network<Scalar = f32>>(net: &N) -> Vec<u32> {
    (0..N::TENSORS)
        .flat_map(|i| {
            net.tensor(i)
                .iter()
                .map(|v| v.to_bits())
                .collect::<Vec<_>>()
        })
        .collect()
}

fn train_classifier(seed: u64, batch: BatchSize) -> (Classifier<f32>, Log<f32>) {
    let (xs, ys) = blobs();
    let data = Data::new(&xs, &ys).unwrap();
    let mut net = Classifier::<f32>::new(11);
    let mut sgd = Sgd::new(0.3);
    let config = FitConfig::new(20, batch).seed(seed).train_metric(true);
    let history =
        fit::<CrossEntropy, Accuracy, _, _>(&mut net, &mut sgd, data, None, &config, keep_going)
            .unwrap();
    (net, history)
}

#[test]
fn same_seed_gives_bit_identical_weights() {
    let (a, ha) = train_classifier(5, BatchSize::Mini(5));
    let (b, hb) = train_classifier(5, BatchSize::Mini(5));
    assert_eq!(weights(&a), weights(&b));
    assert_eq!(ha.epochs(), hb.epochs());
    // Negative control: another shuffling seed takes another path.
    let (c, _) = train_classifier(6, BatchSize::Mini(5));
    assert_ne!(weights(&a), weights(&c));
}

#[test]
fn training_learns_and_records_every_epoch() {
    let (net, history) = train_classifier(1, BatchSize::Mini(4));
    assert_eq!(history.len(), 20);
    assert!(!history.stopped_early());
    let first = history.epochs()[0];
    let last = *history.last().unwrap();
    assert_eq!((first.epoch, last.epoch), (1, 20));
    assert!(
        last.train_loss < first.train_loss / 2.0,
        "{first:?} -> {last:?}"
    );
    assert_eq!(last.train_metric(), Some(1.0));
    assert_eq!(last.val_loss, None);
    let (xs, ys) = blobs();
    let eval = evaluate::<CrossEntropy, Accuracy, _>(&net, Data::new(&xs, &ys).unwrap());
    assert_eq!(eval.metric, 1.0);
    assert_eq!(history.loss_name(), "cross-entropy");
    assert_eq!(history.metric_name(), "accuracy");
}

/// Full batch without shuffling is one `train_batch` over everything per epoch.
#[test]
fn full_batch_is_one_train_batch_per_epoch() {
    let (xs, ys) = blobs();
    let (net, _) = {
        let data = Data::new(&xs, &ys).unwrap();
        let mut net = Classifier::<f32>::new(11);
        let mut sgd = Sgd::new(0.3);
        let config = FitConfig::new(7, BatchSize::Full);
        let h = fit::<CrossEntropy, Accuracy, _, _>(
            &mut net, &mut sgd, data, None, &config, keep_going,
        )
        .unwrap();
        (net, h)
    };
    let mut manual = Classifier::<f32>::new(11);
    let mut sgd = Sgd::new(0.3);
    let mut ws = Workspace::new();
    for _ in 0..7 {
        train_batch::<_, CrossEntropy, _>(&mut manual, &mut sgd, &xs, &ys, &mut ws).unwrap();
    }
    assert_eq!(weights(&net), weights(&manual));
}

/// Stochastic descent without shuffling is `train_sample` on every sample in order.
#[test]
fn stochastic_is_one_step_per_sample() {
    let (xs, ys) = blobs();
    let data = Data::new(&xs, &ys).unwrap();
    let mut net = Classifier::<f32>::new(11);
    let mut sgd = Sgd::new(0.1);
    let config = FitConfig::new(3, BatchSize::Stochastic).shuffle(false);
    fit::<CrossEntropy, Accuracy, _, _>(&mut net, &mut sgd, data, None, &config, keep_going)
        .unwrap();
    let mut manual = Classifier::<f32>::new(11);
    let mut ws = Workspace::new();
    for _ in 0..3 {
        for (x, y) in xs.iter().zip(&ys) {
            train_sample::<_, CrossEntropy, _>(&mut manual, &mut sgd, x, y, &mut ws).unwrap();
        }
    }
    assert_eq!(weights(&net), weights(&manual));
}

/// Shuffled mini-batches: each epoch reshuffles 0..n with the seeded generator and averages
/// the gradient over batches of B (the last one holding the remainder).
#[test]
fn shuffled_mini_batches_follow_the_seeded_order() {
    let (xs, ys) = blobs();
    let data = Data::new(&xs, &ys).unwrap();
    let mut net = Classifier::<f32>::new(11);
    let mut sgd = Sgd::new(0.2);
    let config = FitConfig::new(4, BatchSize::Mini(5)).seed(99);
    let history =
        fit::<CrossEntropy, Accuracy, _, _>(&mut net, &mut sgd, data, None, &config, keep_going)
            .unwrap();

    let mut manual = Classifier::<f32>::new(11);
    let mut ws = Workspace::new();
    let mut rng = Rng::new(99);
    let mut losses = Vec::new();
    for _ in 0..4 {
        let mut order: Vec<usize> = (0..xs.len()).collect();
        rng.shuffle(&mut order);
        let mut total = 0.0f64;
        for chunk in order.chunks(5) {
            let bx: Vec<V2> = chunk.iter().map(|&i| xs[i]).collect();
            let by: Vec<V2> = chunk.iter().map(|&i| ys[i]).collect();
            let loss = train_batch::<_, CrossEntropy, _>(&mut manual, &mut sgd, &bx, &by, &mut ws)
                .unwrap();
            total += loss as f64 * chunk.len() as f64;
        }
        losses.push((total / xs.len() as f64) as f32);
    }
    assert_eq!(weights(&net), weights(&manual));
    let recorded: Vec<f32> = history.epochs().iter().map(|e| e.train_loss).collect();
    assert_eq!(recorded, losses);
}

/// `fit_with` in stack memory: an index buffer of `ORDER`, batch buffers of `B`, no
/// best-weights copy; SGD with learning rate 0.2.
fn fit_on_stack<const ORDER: usize, const B: usize, const E: usize>(
    net: &mut Classifier<f32>,
    data: Data<'_, V2, V2>,
    validation: Option<Data<'_, V2, V2>>,
    config: &FitConfig,
) -> Result<Vec<Epoch<f32>>, Error> {
    let mut ws = Workspace::new();
    let mut order = [0usize; ORDER];
    let mut bx = [V2::zeros(); B];
    let mut by = [V2::zeros(); B];
    let mut checkpoint = Classifier::<f32>::ZERO;
    let scratch = Scratch {
        workspace: &mut ws,
        order: &mut order,
        batch_inputs: &mut bx,
        batch_targets: &mut by,
        checkpoint: &mut checkpoint,
        best: None,
    };
    let mut sgd = Sgd::new(0.2);
    let mut log = [Epoch::BLANK; E];
    fit_with::<CrossEntropy, Accuracy, _, _, _>(
        net,
        &mut sgd,
        data,
        validation,
        config,
        scratch,
        &mut log[..],
        keep_going,
    )
    .map(|history| history.epochs().to_vec())
}

/// The no-heap entry point with caller-supplied buffers gives exactly what `fit` gives.
#[test]
fn caller_supplied_scratch_matches_the_allocating_fit() {
    let (xs, ys) = blobs();
    let data = Data::new(&xs, &ys).unwrap();
    let config = FitConfig::new(6, BatchSize::Mini(8)).seed(4);

    let mut a = Classifier::<f32>::new(2);
    let ha = fit::<CrossEntropy, Accuracy, _, _>(
        &mut a,
        &mut Sgd::new(0.2),
        data,
        Some(data),
        &config,
        keep_going,
    )
    .unwrap();

    let mut b = Classifier::<f32>::new(2);
    let hb = fit_on_stack::<24, 8, 6>(&mut b, data, Some(data), &config).unwrap();
    assert_eq!(weights(&a), weights(&b));
    assert_eq!(ha.epochs(), &hb[..]);
    assert!(hb.iter().all(|e| e.val_loss.is_some()));
}

#[test]
fn short_buffers_are_refused() {
    let (xs, ys) = blobs();
    let data = Data::new(&xs, &ys).unwrap();
    let mut net = Classifier::<f32>::new(2);
    let config = FitConfig::new(2, BatchSize::Mini(8));
    let err = fit_on_stack::<23, 8, 2>(&mut net, data, None, &config).unwrap_err();
    assert_eq!(
        err,
        Error::BufferTooSmall {
            what: "shuffle index buffer",
            needed: 24,
            found: 23
        }
    );

    // A history too short for the epochs asked for.
    let err = fit_on_stack::<24, 8, 3>(&mut net, data, None, &FitConfig::new(4, BatchSize::Full))
        .unwrap_err();
    assert_eq!(
        err,
        Error::BufferTooSmall {
            what: "history",
            needed: 4,
            found: 3
        }
    );

    // Early stopping that restores the best weights needs somewhere to keep them.
    let mut ws = Workspace::new();
    let mut checkpoint = Classifier::<f32>::ZERO;
    let scratch = Scratch {
        workspace: &mut ws,
        order: &mut [],
        batch_inputs: &mut [],
        batch_targets: &mut [],
        checkpoint: &mut checkpoint,
        best: None,
    };
    let config = FitConfig::new(2, BatchSize::Full).early_stopping(EarlyStopping::new(1));
    let err = fit_with::<CrossEntropy, Accuracy, _, _, _>(
        &mut net,
        &mut Sgd::new(0.1),
        data,
        None,
        &config,
        scratch,
        &mut [Epoch::BLANK; 2][..],
        keep_going,
    )
    .unwrap_err();
    assert!(matches!(
        err,
        Error::BufferTooSmall {
            what: "best-weights copy",
            ..
        }
    ));

    let err = fit::<CrossEntropy, Accuracy, _, _>(
        &mut net,
        &mut Sgd::new(0.1),
        data,
        None,
        &FitConfig::new(2, BatchSize::Mini(0)),
        keep_going,
    )
    .unwrap_err();
    assert_eq!(err, Error::EmptyBatch);
}

#[test]
fn data_is_checked() {
    let (xs, ys) = blobs();
    assert_eq!(
        Data::new(&xs, &ys[..3]).unwrap_err(),
        Error::BatchMismatch {
            inputs: 24,
            targets: 3
        }
    );
    assert_eq!(
        Data::<V2, V2>::new(&[], &[]).unwrap_err(),
        Error::EmptyBatch
    );
    let mut bad = xs.clone();
    bad[7][1] = f32::NAN;
    assert_eq!(
        Data::new(&bad, &ys).unwrap_err(),
        Error::NonFinite {
            what: "input",
            index: 7
        }
    );
    let mut bad = ys.clone();
    bad[2][0] = f32::INFINITY;
    assert_eq!(
        Data::new(&xs, &bad).unwrap_err(),
        Error::NonFinite {
            what: "target",
            index: 2
        }
    );
}

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

/// The divergence guard, triggered on purpose with a learning rate of 1e30: training stops
/// with the epoch and batch, and the weights handed back are finite and are exactly those
/// before the failing batch.
#[test]
fn a_huge_learning_rate_stops_with_finite_weights() {
    let xs: Vec<_> = (0..6).map(|i| SVector::<f32, 1>::new(i as f32)).collect();
    let ys: Vec<_> = xs
        .iter()
        .map(|x| x * 3.0 + SVector::<f32, 1>::new(1.0))
        .collect();
    let data = Data::new(&xs, &ys).unwrap();
    let run = |epochs| {
        let mut net = Line::<f32>::new(1);
        let result = fit::<Mse, RSquared, _, _>(
            &mut net,
            &mut Sgd::new(1e30),
            data,
            None,
            &FitConfig::new(epochs, BatchSize::Full),
            keep_going,
        );
        (net, result)
    };
    let (net, result) = run(10);
    let err = result.unwrap_err();
    let Error::Diverged { epoch, batch, what } = err else {
        panic!("expected Diverged, got {err:?}")
    };
    assert_eq!((batch, what), (1, Divergence::Loss));
    assert!(epoch >= 2, "the first loss is finite: {err}");
    assert!(net.all_finite());
    // Exactly the weights after the last finite epoch.
    let (before, ok) = run(epoch - 1);
    ok.unwrap();
    assert_eq!(net.layer1.weight, before.layer1.weight);
    assert_eq!(net.layer1.bias, before.layer1.bias);
    assert!(err.to_string().contains(&format!("epoch {epoch}, batch 1")));
}

/// An update that would overflow the weights themselves (the loss before it was finite) is
/// refused whole: training stops at that batch with the weights before it.
#[test]
fn an_update_to_infinite_weights_is_refused() {
    let xs: Vec<_> = (1..5).map(|i| SVector::<f32, 1>::new(i as f32)).collect();
    let ys: Vec<_> = xs.iter().map(|x| x * 2.0).collect();
    let data = Data::new(&xs, &ys).unwrap();
    let mut net = Line::<f32>::new(1);
    let initial = net.clone();
    let err = fit::<Mse, RSquared, _, _>(
        &mut net,
        &mut Sgd::new(1e38), // finite in f32, but lr * gradient is not
        data,
        None,
        &FitConfig::new(3, BatchSize::Mini(2)),
        keep_going,
    )
    .unwrap_err();
    assert_eq!(
        err,
        Error::Diverged {
            epoch: 1,
            batch: 1,
            what: Divergence::Update
        }
    );
    assert!(err.to_string().contains("all finite"), "{err}");
    assert_eq!(net.layer1.weight, initial.layer1.weight);
    assert_eq!(net.layer1.bias, initial.layer1.bias);

    // A learning rate that is infinite once cast to f32 is refused before any batch.
    let err = fit::<Mse, RSquared, _, _>(
        &mut net,
        &mut Sgd::new(1e300),
        data,
        None,
        &FitConfig::new(3, BatchSize::Mini(2)),
        keep_going,
    )
    .unwrap_err();
    assert!(
        matches!(err, Error::InvalidHyperParameter { name: "lr", .. }),
        "{err:?}"
    );
    assert_eq!(net.layer1.weight, initial.layer1.weight);
}

#[test]
fn predict_writes_every_output_and_checks_lengths() {
    let net = Classifier::<f32>::new(3);
    let (xs, _) = blobs();
    let mut out = vec![V2::zeros(); xs.len()];
    predict(&net, &xs, &mut out).unwrap();
    for (x, y) in xs.iter().zip(&out) {
        assert_eq!(*y, net.forward(x));
    }
    assert_eq!(predict_all(&net, &xs), out);
    assert_eq!(
        predict(&net, &xs, &mut out[..5]).unwrap_err(),
        Error::Length {
            what: "output buffer",
            expected: 24,
            found: 5
        }
    );
}

#[test]
fn evaluate_is_the_mean_loss_and_the_metric() {
    let net = Classifier::<f64>::new(3);
    let mut rng = Rng::new(1);
    let xs: Vec<SVector<f64, 2>> = (0..10)
        .map(|_| SVector::<f64, 2>::new(rng.uniform_in(-1.0, 1.0), rng.uniform_in(-1.0, 1.0)))
        .collect();
    let ys: Vec<SVector<f64, 2>> = (0..10)
        .map(|i| SVector::<f64, 2>::new((i % 2) as f64, (1 - i % 2) as f64))
        .collect();
    let eval = evaluate::<CrossEntropy, Accuracy, _>(&net, Data::new(&xs, &ys).unwrap());
    let outputs: Vec<_> = xs.iter().map(|x| net.forward(x)).collect();
    let loss: f64 = outputs
        .iter()
        .zip(&ys)
        .map(|(p, y)| -(y[0] * p[0].ln() + y[1] * p[1].ln()))
        .sum::<f64>()
        / 10.0;
    approx::assert_relative_eq!(eval.loss, loss, max_relative = 1e-12);
    assert_eq!(eval.metric, score::<Accuracy, _, _>(&outputs, &ys));
}

fn v<const K: usize>(x: [f64; K]) -> SVector<f64, K> {
    SVector::from(x)
}

#[test]
fn accuracy_by_argmax_and_by_threshold() {
    let outputs = [
        v([0.1, 0.7, 0.2]),
        v([0.5, 0.3, 0.2]),
        v([0.2, 0.2, 0.6]),
        v([0.3, 0.4, 0.3]),
    ];
    let targets = [
        v([0.0, 1.0, 0.0]),
        v([0.0, 1.0, 0.0]),
        v([0.0, 0.0, 1.0]),
        v([1.0, 0.0, 0.0]),
    ];
    assert_eq!(score::<Accuracy, f64, _>(&outputs, &targets), 0.5);

    let outputs = [v([0.9]), v([0.4]), v([0.51]), v([0.2]), v([0.6])];
    let targets = [v([1.0]), v([1.0]), v([1.0]), v([0.0]), v([0.0])];
    assert_eq!(score::<Accuracy, f64, _>(&outputs, &targets), 0.6);

    assert!(score::<Accuracy, f64, SVector<f64, 1>>(&[], &[]).is_nan());
}

#[test]
fn mse_and_mae_over_every_element() {
    let outputs = [v([1.0, 2.0]), v([0.0, -1.0])];
    let targets = [v([0.0, 4.0]), v([0.5, -1.0])];
    // errors: 1, -2, -0.5, 0
    assert_eq!(
        score::<MeanSquaredError, f64, _>(&outputs, &targets),
        (1.0 + 4.0 + 0.25) / 4.0
    );
    assert_eq!(
        score::<MeanAbsoluteError, f64, _>(&outputs, &targets),
        (1.0 + 2.0 + 0.5) / 4.0
    );
}

#[test]
fn r_squared_as_scikit_learn() {
    // y = [3, -0.5, 2, 7], o = [2.5, 0, 2, 8]: scikit-learn's r2_score docstring gives 0.948...
    let targets = [v([3.0]), v([-0.5]), v([2.0]), v([7.0])];
    let outputs = [v([2.5]), v([0.0]), v([2.0]), v([8.0])];
    let ss_res = 0.25 + 0.25 + 0.0 + 1.0;
    let mean = 11.5 / 4.0;
    let ss_tot: f64 = [3.0, -0.5, 2.0, 7.0]
        .iter()
        .map(|y: &f64| (y - mean).powi(2))
        .sum();
    let r2: f64 = score::<RSquared, f64, _>(&outputs, &targets);
    approx::assert_relative_eq!(r2, 1.0 - ss_res / ss_tot, max_relative = 1e-14);
    approx::assert_relative_eq!(r2, 0.9486081370449679, max_relative = 1e-14);

    // Two outputs: the average of each output's R²; a constant target predicted exactly is 1.
    let targets = [v([0.5, 1.0]), v([-1.0, 1.0]), v([7.0, 1.0])];
    let outputs = [v([0.0, 1.0]), v([-1.0, 1.0]), v([8.0, 1.0])];
    let m = 6.5 / 3.0;
    let ss_tot: f64 = [0.5, -1.0, 7.0].iter().map(|y: &f64| (y - m).powi(2)).sum();
    let first = 1.0 - (0.25 + 0.0 + 1.0) / ss_tot;
    let r2: f64 = score::<RSquared, f64, _>(&outputs, &targets);
    approx::assert_relative_eq!(r2, (first + 1.0) / 2.0, max_relative = 1e-14);

    // Predicting the mean scores 0; a constant target predicted wrongly scores 0.
    let outputs = [v([m, 2.0]); 3];
    let r2: f64 = score::<RSquared, f64, _>(&outputs, &targets);
    approx::assert_abs_diff_eq!(r2, 0.0, epsilon = 1e-14);

    // Streaming gives the same as the one-shot score.
    let mut state = <RSquared as Metric>::State::<f64, SVector<f64, 2>>::new();
    for (o, t) in outputs.iter().zip(&targets) {
        state.add(o, t);
    }
    assert_eq!(state.value(), r2);
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
