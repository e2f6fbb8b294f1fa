//! Streaming sources: errors of the source stop training and name the sample, skipped samples
//! are counted and never trained on, non-finite loaded values are refused, predictions come
//! back in source order, and the stream loads exactly the epoch's samples. A run resumed
//! after epoch `k` (`initial_epoch`) equals an uninterrupted one bit for bit; the callback sees
//! the network, and its error ends training.

use dl_core::fit::OnEpoch;
use dl_core::parallel::{Parallel, ParallelConfig};
use dl_core::prelude::*;
use dl_core::stream::{
    evaluate_stream, fit_stream, predict_stream, Loaded, Source, StreamConfig, StreamError,
};
use std::sync::atomic::{AtomicUsize, Ordering};

network! {
    struct Net { Dense<2, 8, Tanh>, Dense<8, 2, Softmax> }
}

/// Sample `i`: `x = (i % 7 / 7, i % 3 / 3)`, class `i % 2`; it fails at `fail`, skips the
/// multiples of `skip` and yields a NaN at `nan`, and counts every load.
struct Synthetic {
    n: usize,
    fail: Option<usize>,
    skip: Option<usize>,
    nan: Option<usize>,
    loads: AtomicUsize,
}

impl Synthetic {
    fn new(n: usize) -> Self {
        Synthetic {
            n,
            fail: None,
            skip: None,
            nan: None,
            loads: AtomicUsize::new(0),
        }
    }
}

#[derive(Debug)]
struct Broken(usize);

impl std::fmt::Display for Broken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "sample {} is broken", self.0)
    }
}

impl std::error::Error for Broken {}

impl Source<SVector<f32, 2>, SVector<f32, 2>> for Synthetic {
    type Error = Broken;
    fn len(&self) -> usize {
        self.n
    }
    fn load(
        &self,
        i: usize,
        _: Option<&mut Rng>,
        x: &mut SVector<f32, 2>,
        y: &mut SVector<f32, 2>,
    ) -> Result<Loaded, Broken> {
        self.loads.fetch_add(1, Ordering::Relaxed);
        if self.fail == Some(i) {
            return Err(Broken(i));
        }
        if self.skip.is_some_and(|k| i.is_multiple_of(k)) {
            return Ok(Loaded::Skipped);
        }
        *x = SVector::from([(i % 7) as f32 / 7.0, (i % 3) as f32 / 3.0]);
        if self.nan == Some(i) {
            x[1] = f32::NAN;
        }
        *y = SVector::from([
            f32::from(i.is_multiple_of(2)),
            f32::from(!i.is_multiple_of(2)),
        ]);
        Ok(Loaded::Sample)
    }
}

fn engine() -> Parallel<Net<f32>> {
    Parallel::new(ParallelConfig::new().threads(2).shard(4)).unwrap()
}

fn fit(source: &Synthetic, config: &StreamConfig) -> Result<usize, StreamError<Broken>> {
    let mut net = Net::<f32>::new(1);
    fit_stream::<CrossEntropy, Accuracy, _, _, _>(
        &mut engine(),
        &mut net,
        &mut Sgd::new(0.1),
        source,
        None,
        config,
        (),
    )
    .map(|h| h.skipped)
}

#[test]
fn every_epoch_loads_each_sample_once() {
    let source = Synthetic::new(101);
    let skipped = fit(&source, &StreamConfig::new(3, 10).prefetch(3, 2)).unwrap();
    assert_eq!(skipped, 0);
    assert_eq!(source.loads.load(Ordering::Relaxed), 303);
}

#[test]
fn a_source_error_stops_training_and_names_the_sample() {
    let mut source = Synthetic::new(50);
    source.fail = Some(37);
    let err = fit(&source, &StreamConfig::new(2, 8)).unwrap_err();
    assert!(matches!(err, StreamError::Source(Broken(37))), "{err:?}");
    assert!(err.to_string().contains("sample 37"), "{err}");
}

#[test]
fn skipped_samples_are_counted_and_not_trained_on() {
    let mut source = Synthetic::new(40);
    source.skip = Some(5);
    assert_eq!(fit(&source, &StreamConfig::new(2, 8)).unwrap(), 16);
    let net = Net::<f32>::new(1);
    let mut seen = Vec::new();
    let skipped = predict_stream(
        &mut engine(),
        &net,
        &source,
        &StreamConfig::new(1, 6),
        |i, o| {
            assert_eq!(i.len(), o.len());
            seen.extend_from_slice(i);
        },
    )
    .unwrap();
    assert_eq!(skipped, 8);
    let expected: Vec<usize> = (0..40usize).filter(|i| !i.is_multiple_of(5)).collect();
    assert_eq!(seen, expected);
}

#[test]
fn a_non_finite_loaded_value_is_refused_with_its_index() {
    let mut source = Synthetic::new(30);
    source.nan = Some(21);
    let err = fit(&source, &StreamConfig::new(1, 4)).unwrap_err();
    assert!(
        matches!(
            err,
            StreamError::Training(Error::NonFinite {
                what: Operand::Input,
                index: 21
            })
        ),
        "{err:?}"
    );
}

#[test]
fn empty_sources_and_zero_batches_are_errors() {
    let empty = Synthetic::new(0);
    let err = fit(&empty, &StreamConfig::new(1, 4)).unwrap_err();
    assert!(matches!(err, StreamError::Training(Error::EmptyBatch)));
    let err = fit(&Synthetic::new(10), &StreamConfig::new(1, 0)).unwrap_err();
    assert!(matches!(err, StreamError::Training(Error::EmptyBatch)));
    let mut all_skipped = Synthetic::new(10);
    all_skipped.skip = Some(1);
    let net = Net::<f32>::new(1);
    let r = evaluate_stream::<CrossEntropy, Accuracy, _, _>(
        &mut engine(),
        &net,
        &all_skipped,
        &StreamConfig::new(1, 4),
    );
    assert!(matches!(r, Err(StreamError::Training(Error::EmptyBatch))));
}

#[test]
fn streamed_evaluation_equals_the_in_memory_one() {
    let source = Synthetic::new(64);
    let (mut xs, mut ys) = (Vec::new(), Vec::new());
    for i in 0..64 {
        let (mut x, mut y) = (SVector::zeros(), SVector::zeros());
        source.load(i, None, &mut x, &mut y).unwrap();
        xs.push(x);
        ys.push(y);
    }
    let net = Net::<f32>::new(4);
    let memory = evaluate::<CrossEntropy, Accuracy, _>(&net, Data::new(&xs, &ys).unwrap());
    let streamed = evaluate_stream::<CrossEntropy, Accuracy, _, _>(
        &mut engine(),
        &net,
        &source,
        &StreamConfig::new(1, 10),
    )
    .unwrap();
    assert_eq!(streamed.evaluation.metric, memory.metric);
    assert!((streamed.evaluation.loss - memory.loss).abs() < 1e-6);
}

/// What [`resumable`] gives: the weights, every epoch's record, and the weights the callback
/// saw after each epoch.
struct Resumable {
    net: Net<f32>,
    epochs: Vec<Epoch<f32>>,
    seen: Vec<Vec<u64>>,
}

/// Trains `net` with `adam` on 90 shuffled samples until epoch `epochs`, resuming after epoch
/// `initial`, with a callback that sees the network.
fn resumable(
    net: &mut Net<f32>,
    adam: &mut Adam<f32, NetGradient<f32>>,
    initial: usize,
    epochs: usize,
) -> Resumable {
    let source = Synthetic::new(90);
    let validation = Synthetic::new(30);
    let config = StreamConfig::new(epochs, 8)
        .seed(3)
        .prefetch(3, 2)
        .initial_epoch(initial);
    let mut seen = Vec::new();
    let history = fit_stream::<CrossEntropy, Accuracy, _, _, _>(
        &mut engine(),
        net,
        adam,
        &source,
        Some(&validation),
        &config,
        OnEpoch(|_: &Epoch<f32>, net: &Net<f32>| {
            seen.push(dl_tests::param_bits(net));
            Control::Continue
        }),
    )
    .unwrap();
    Resumable {
        net: net.clone(),
        epochs: history.epochs,
        seen,
    }
}

#[test]
fn a_resumed_stream_run_equals_an_uninterrupted_one_and_the_callback_sees_the_network() {
    use dl_core::optim::OptimizerState;
    let adam = || Adam::<f32, NetGradient<f32>>::new(0.02);
    let whole = resumable(&mut Net::new(1), &mut adam(), 0, 6);
    assert_eq!(whole.epochs.len(), 6);
    // The callback saw the network after each epoch: the last one is the trained network.
    assert_eq!(whole.seen.len(), 6);
    assert_eq!(whole.seen[5], dl_tests::param_bits(&whole.net));
    assert_ne!(whole.seen[4], whole.seen[5]);

    for k in [1, 3] {
        let (mut net, mut opt) = (Net::new(1), adam());
        let first = resumable(&mut net, &mut opt, 0, k);
        // Only the weights and the optimizer's bytes carry the run over.
        let state = opt.state_to_vec();
        let mut resumed_opt = adam();
        resumed_opt.load_state(&state).unwrap();
        let mut resumed_net = first.net.clone();
        let second = resumable(&mut resumed_net, &mut resumed_opt, k, 6);
        let label = format!("resumed after epoch {k}");
        assert_eq!(second.epochs[0].epoch, k + 1, "{label}");
        let epochs: Vec<_> = first.epochs.iter().chain(&second.epochs).copied().collect();
        assert_eq!(epochs, whole.epochs, "{label}");
        assert_eq!(
            dl_tests::param_bits(&second.net),
            dl_tests::param_bits(&whole.net),
            "{label}"
        );

        // Negative control: the same weights and optimizer trained as a fresh run (epochs
        // 1..=6-k, shuffled as epochs 1.. were) end elsewhere.
        let mut fresh_opt = adam();
        fresh_opt.load_state(&state).unwrap();
        let fresh = resumable(&mut first.net.clone(), &mut fresh_opt, 0, 6 - k);
        assert_ne!(
            dl_tests::param_bits(&fresh.net),
            dl_tests::param_bits(&whole.net),
            "{label}"
        );
    }
}

/// A callback that fails after epoch 2.
struct FailsAtTwo;

impl Callback<Net<f32>> for FailsAtTwo {
    fn on_epoch(&mut self, e: &Epoch<f32>, _: &Net<f32>) -> Result<Control, Error> {
        if e.epoch == 2 {
            Err(Error::EmptyBatch)
        } else {
            Ok(Control::Continue)
        }
    }
}

#[test]
fn a_callback_error_ends_streamed_training_with_the_weights_so_far() {
    let config = StreamConfig::new(5, 10).seed(2);
    let source = Synthetic::new(40);
    let mut net = Net::<f32>::new(1);
    let err = fit_stream::<CrossEntropy, Accuracy, _, _, _>(
        &mut engine(),
        &mut net,
        &mut Sgd::new(0.1),
        &source,
        None,
        &config,
        FailsAtTwo,
    )
    .unwrap_err();
    assert!(
        matches!(err, StreamError::Training(Error::EmptyBatch)),
        "{err:?}"
    );
    let mut two = Net::<f32>::new(1);
    let config = StreamConfig {
        epochs: 2,
        ..config
    };
    fit_stream::<CrossEntropy, Accuracy, _, _, _>(
        &mut engine(),
        &mut two,
        &mut Sgd::new(0.1),
        &source,
        None,
        &config,
        (),
    )
    .unwrap();
    assert_eq!(dl_tests::param_bits(&net), dl_tests::param_bits(&two));
}
