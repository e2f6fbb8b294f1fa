//! Batching and shuffling: reproducibility, full-batch, stochastic and shuffled mini-batch
//! descent against `train_batch` by hand, and `fit_with` in caller memory.

use super::*;

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
pub(crate) fn fit_on_stack<const ORDER: usize, const B: usize, const E: usize>(
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
