//! `Trainer`, fit's builder form: the same training as `fit` bit for bit, several metrics an
//! epoch, callbacks that see the network, and the `SaveBest` checkpoint callback.

use dl_core::fit::SaveBest;
use dl_core::metrics::{evaluate_metrics, Precision, Recall, F1};
use dl_core::prelude::*;
use dl_tests::param_bits;

network! {
    /// A small classifier: 2 inputs, 2 classes.
    pub struct Classifier {
        Dense<2, 6, Tanh>,
        Dense<6, 2, Softmax>,
    }
}

network! {
    /// Linear regression on one feature.
    pub struct Line {
        Dense<1, 1, Identity>,
    }
}

type V2 = SVector<f32, 2>;

/// `n` points of two overlapping clusters (deterministic from `seed`), one-hot labels.
fn blobs(n: usize, seed: u64) -> (Vec<V2>, Vec<V2>) {
    let mut rng = Rng::new(seed);
    (0..n)
        .map(|i| {
            let class = i % 2;
            let centre = if class == 0 { -0.5 } else { 0.5 };
            let x = V2::new(
                centre + rng.uniform_in(-1.0, 1.0) as f32,
                -centre + rng.uniform_in(-1.0, 1.0) as f32,
            );
            let mut y = V2::zeros();
            y[class] = 1.0;
            (x, y)
        })
        .unzip()
}

#[test]
fn trainer_trains_as_fit_does_bit_for_bit() {
    let (xs, ys) = blobs(40, 1);
    let (vx, vy) = blobs(20, 2);
    let (train, val) = (Data::new(&xs, &ys).unwrap(), Data::new(&vx, &vy).unwrap());
    let config = FitConfig::new(15, BatchSize::Mini(6))
        .seed(4)
        .train_metric(true);

    let mut by_fn = Classifier::<f32>::new(9);
    let fn_history = fit::<CrossEntropy, Accuracy, _, _>(
        &mut by_fn,
        &mut Adam::new(0.02),
        train,
        Some(val),
        &config,
        keep_going,
    )
    .unwrap();
    let mut by_builder = Classifier::<f32>::new(9);
    let history = Trainer::new(&mut by_builder, &mut Adam::new(0.02), train)
        .loss(CrossEntropy)
        .metrics(Accuracy)
        .epochs(15)
        .batch(BatchSize::Mini(6))
        .seed(4)
        .train_metrics(true)
        .validation(val)
        .run()
        .unwrap();
    assert_eq!(param_bits(&by_builder), param_bits(&by_fn));
    assert_eq!(history.epochs(), fn_history.epochs());
    assert_eq!(history.len(), 15);

    // The no-heap form, in stack buffers, trains the same weights too.
    let mut in_stack = Classifier::<f32>::new(9);
    let (mut checkpoint, mut ws) = (Classifier::<f32>::ZERO, Workspace::new());
    let (mut order, mut bx, mut by) = ([0; 40], [V2::zeros(); 6], [V2::zeros(); 6]);
    let mut epochs = [Epoch::BLANK; 15];
    let scratch = Scratch {
        workspace: &mut ws,
        order: &mut order,
        batch_inputs: &mut bx,
        batch_targets: &mut by,
        checkpoint: &mut checkpoint,
        best: None,
    };
    let stack_history = Trainer::new(&mut in_stack, &mut Adam::new(0.02), train)
        .loss(CrossEntropy)
        .metrics(Accuracy)
        .config(config)
        .validation(val)
        .run_with(scratch, &mut epochs[..])
        .unwrap();
    assert_eq!(param_bits(&in_stack), param_bits(&by_fn));
    assert_eq!(stack_history.epochs(), fn_history.epochs());
}

#[test]
fn every_epoch_records_every_metric() {
    let (xs, ys) = blobs(40, 3);
    let data = Data::new(&xs, &ys).unwrap();
    let mut net = Classifier::<f32>::new(2);
    type Report = (Accuracy, Precision, Recall, F1);
    let history = Trainer::new(&mut net, &mut Adam::new(0.01), data)
        .loss(CrossEntropy)
        .metrics((Accuracy, Precision, Recall, F1))
        .epochs(8)
        .batch(BatchSize::Full)
        .train_metrics(true)
        .validation(data)
        .run()
        .unwrap();
    assert_eq!(
        history.metric_names(),
        ["accuracy", "precision", "recall", "f1"]
    );
    assert_eq!(history.metric_name(), "accuracy");
    for e in history.epochs() {
        let values = e.val_metrics.unwrap();
        assert_eq!(values.as_slice().len(), 4, "epoch {}", e.epoch);
        assert_eq!(
            e.train_metrics, e.val_metrics,
            "the same data, the same values"
        );
        assert_eq!(e.val_metric(), Some(values.as_slice()[0]));
    }
    // The last epoch's values are those of the trained network, and they change over training.
    let last = history.last().unwrap().val_metrics.unwrap();
    assert_eq!(last.as_slice(), evaluate_metrics::<Report, _>(&net, data));
    let f1: Vec<_> = history.val_series("f1").collect();
    assert_eq!(f1.len(), 8);
    assert!(f1
        .iter()
        .all(|v| v.is_some_and(|v| (0.0..=1.0).contains(&v))));
    assert!(
        history.val_series("r2").all(|v| v.is_none()),
        "no such metric in this run"
    );

    // Regression metrics, and a run with none.
    let lx = [[0.0], [1.0], [2.0], [3.0]].map(SVector::<f64, 1>::from);
    let ly = [[1.0], [3.0], [5.0], [7.0]].map(SVector::<f64, 1>::from);
    let line = Data::new(&lx, &ly).unwrap();
    let mut net = Line::<f64>::new(1);
    let history = Trainer::new(&mut net, &mut Sgd::new(0.05), line)
        .loss(Mse)
        .metrics((MeanSquaredError, MeanAbsoluteError, RSquared))
        .epochs(30)
        .batch(BatchSize::Full)
        .validation(line)
        .run()
        .unwrap();
    let values = history.last().unwrap().val_metrics.unwrap();
    let [mse, mae, r2] = values.as_slice() else {
        panic!("three values")
    };
    assert!(*mse >= 0.0 && *mae >= 0.0 && *r2 <= 1.0);
    assert_eq!(
        *mse,
        history.last().unwrap().val_loss.unwrap(),
        "MSE is the Mse loss here"
    );
    let mut net = Line::<f64>::new(1);
    let history = Trainer::new(&mut net, &mut Sgd::new(0.05), line)
        .loss(Mse)
        .epochs(3)
        .validation(line)
        .run()
        .unwrap();
    assert!(history.metric_names().is_empty());
    assert_eq!(history.last().unwrap().val_metric(), None);
}

#[test]
fn callbacks_see_the_network_and_may_stop() {
    let (xs, ys) = blobs(30, 5);
    let data = Data::new(&xs, &ys).unwrap();
    // The callback sees the network as it is after each epoch: its copy at epoch 4 is the
    // network of a run of 4 epochs.
    let mut at_epoch_4 = None;
    let mut seen = Vec::new();
    let mut net = Classifier::<f32>::new(3);
    let history = Trainer::new(&mut net, &mut Sgd::new(0.2), data)
        .loss(CrossEntropy)
        .epochs(10)
        .batch(BatchSize::Mini(7))
        .on_epoch(|e, net| {
            seen.push(e.epoch);
            if e.epoch == 4 {
                at_epoch_4 = Some(net.clone());
            }
            Control::Continue
        })
        .on_epoch(|e, _| {
            if e.epoch == 6 {
                Control::Stop
            } else {
                Control::Continue
            }
        })
        .run()
        .unwrap();
    assert_eq!(
        seen,
        [1, 2, 3, 4, 5, 6],
        "both callbacks ran; the second stopped at 6"
    );
    assert_eq!(history.len(), 6);
    assert!(history.stopped_early());
    let mut four = Classifier::<f32>::new(3);
    Trainer::new(&mut four, &mut Sgd::new(0.2), data)
        .loss(CrossEntropy)
        .epochs(4)
        .batch(BatchSize::Mini(7))
        .run()
        .unwrap();
    assert_eq!(param_bits(&at_epoch_4.unwrap()), param_bits(&four));
}

fn temp(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!(
        "dl_trainer_{name}_{}.safetensors",
        std::process::id()
    ))
}

#[test]
fn save_best_writes_the_best_epochs_weights() {
    let (xs, ys) = blobs(40, 7);
    let (vx, vy) = blobs(40, 8);
    let (train, val) = (Data::new(&xs, &ys).unwrap(), Data::new(&vx, &vy).unwrap());
    let path = temp("best");
    let mut save = SaveBest::new(&path);
    // Every epoch's weights and validation loss, to find the best by hand.
    let mut snapshots: Vec<(f32, Classifier<f32>)> = Vec::new();
    let mut net = Classifier::<f32>::new(4);
    Trainer::new(&mut net, &mut Sgd::new(1.5), train)
        .loss(CrossEntropy)
        .epochs(25)
        .batch(BatchSize::Stochastic)
        .validation(val)
        .on_epoch(|e, net| {
            snapshots.push((e.val_loss.unwrap(), net.clone()));
            Control::Continue
        })
        .callback(&mut save)
        .run()
        .unwrap();
    let best = (0..snapshots.len())
        .min_by(|&a, &b| snapshots[a].0.total_cmp(&snapshots[b].0))
        .unwrap();
    assert_ne!(
        best + 1,
        snapshots.len(),
        "a run whose last epoch is not its best"
    );
    assert_eq!(save.best_epoch(), Some(best + 1));
    let mut saved = Classifier::<f32>::ZERO;
    dl_core::safetensors::load(&mut saved, &path).unwrap();
    assert_eq!(param_bits(&saved), param_bits(&snapshots[best].1));
    assert_ne!(param_bits(&saved), param_bits(&net));
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn a_checkpoint_that_cannot_be_written_ends_training_with_an_error() {
    let (xs, ys) = blobs(10, 9);
    let data = Data::new(&xs, &ys).unwrap();
    let path = std::env::temp_dir()
        .join("dl_no_such_directory_17")
        .join("best.safetensors");
    let mut save = SaveBest::new(&path);
    let mut net = Classifier::<f32>::new(4);
    let err = Trainer::new(&mut net, &mut Sgd::new(0.1), data)
        .loss(CrossEntropy)
        .epochs(5)
        .callback(&mut save)
        .run()
        .unwrap_err();
    assert_eq!(err, Error::Checkpoint { epoch: 1 });
    assert!(save.error().is_some());
    assert_eq!(save.best_epoch(), None);
}
