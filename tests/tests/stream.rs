//! Streaming sources: errors of the source stop training and name the sample, skipped samples
//! are counted and never trained on, non-finite loaded values are refused, predictions come
//! back in source order, and the stream loads exactly the epoch's samples.

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
        keep_going,
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
