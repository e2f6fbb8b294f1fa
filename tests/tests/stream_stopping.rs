//! Resuming a streamed run under early stopping (`fit_stream_resumed`): with the counters it
//! saved (`StreamHistory::early_stopping`, as bytes) and the best weights, the resumed run
//! stops, and restores the best weights, at the epoch the uninterrupted one did, bit for bit.
//! Without the counters it does not; counters that do not follow from the resumed epoch, and
//! missing best weights, are refused.

use dl_core::error::Operand;
use dl_core::fit::{EarlyStoppingState, OnEpoch};
use dl_core::optim::OptimizerState;
use dl_core::parallel::{Parallel, ParallelConfig};
use dl_core::prelude::*;
use dl_core::stream::{fit_stream_resumed, InMemory, StreamConfig, StreamError, StreamHistory};
use dl_tests::param_bits;
use std::convert::Infallible;

network! {
    /// A classifier wide enough to overfit 24 samples.
    struct Wide { Dense<3, 24, Tanh>, Dense<24, 3, Softmax> }
}

type Net = Wide<f64>;
type Grad = WideGradient<f64>;
const EPOCHS: usize = 60;

/// Sample `i` of a seeded set: class `i % 3`, whose input coordinate is raised by 1.
fn samples(n: usize, seed: u64) -> (Vec<SVector<f64, 3>>, Vec<SVector<f64, 3>>) {
    let mut rng = Rng::new(seed);
    (0..n)
        .map(|i| {
            let mut x = SVector::<f64, 3>::from_fn(|_, _| rng.uniform_in(-1.0, 1.0));
            x[i % 3] += 1.0;
            (x, SVector::from_fn(|j, _| f64::from(u8::from(j == i % 3))))
        })
        .unzip()
}

/// Stop after 4 epochs without a 1e-4 improvement of the validation loss, restoring the best.
fn rule() -> EarlyStopping {
    EarlyStopping {
        min_delta: 1e-4,
        ..EarlyStopping::new(4)
    }
}

/// A streamed run's history and `net`'s bytes after each epoch.
type Streamed = (StreamHistory<f64>, Vec<Vec<u8>>);

/// A run's records, best epoch, whether it stopped early, and its final weights.
type Outcome = (Vec<Epoch<f64>>, Option<usize>, bool, Vec<u64>);

/// Epochs `initial + 1 ..= epochs` of `net` with `opt` from the given early-stopping state
/// and best weights; the history, and `net`'s bytes after each epoch (before any restore).
fn run(
    net: &mut Net,
    opt: &mut Adam<f64, Grad>,
    (initial, epochs): (usize, usize),
    resume: Option<(EarlyStoppingState, Option<&Net>)>,
) -> Result<Streamed, StreamError<Infallible>> {
    let (xs, ys) = samples(24, 5);
    let (vx, vy) = samples(30, 6);
    let train = InMemory(Data::new(&xs, &ys).unwrap());
    let val = InMemory(Data::new(&vx, &vy).unwrap());
    let mut config = StreamConfig::new(epochs, 6)
        .seed(4)
        .initial_epoch(initial)
        .early_stopping(rule());
    let mut best = None;
    if let Some((state, weights)) = resume {
        config = config.resume_early_stopping(state);
        best = weights;
    }
    let mut engine = Parallel::new(ParallelConfig::new().threads(2).shard(3)).unwrap();
    let mut seen = Vec::new();
    let callback = OnEpoch(|_: &Epoch<f64>, net: &Net| {
        let mut bytes = vec![0; Net::BYTES];
        net.export_bytes(&mut bytes).unwrap();
        seen.push(bytes);
        Control::Continue
    });
    let data = (&train, Some(&val));
    let history = fit_stream_resumed::<CrossEntropy, Accuracy, _, _, _>(
        &mut engine,
        (net, best),
        opt,
        data,
        &config,
        callback,
    )?;
    Ok((history, seen))
}

/// The epochs, best epoch, whether it stopped early, and the final weights of a run stopped
/// after epoch `k` and resumed from byte images of its weights, best weights, optimizer state
/// and (with `saved`) early-stopping counters; `None` if the run stopped by itself first.
fn resumed(k: usize, saved: bool) -> Option<Outcome> {
    let (mut net, mut opt) = (Net::new(3), Adam::new(0.01));
    let (first, seen) = run(&mut net, &mut opt, (0, k), None).unwrap();
    if first.stopped_early {
        return None;
    }
    let stopping = first.early_stopping.unwrap().to_bytes();
    assert_eq!(
        EarlyStoppingState::after(rule(), &first.epochs),
        first.early_stopping.unwrap()
    );
    let mut best = vec![0; Net::BYTES];
    net.export_bytes(&mut best).unwrap(); // what the run handed back: the best so far
    let state = opt.state_to_vec();

    let (mut net, mut best_net, mut opt) = (Net::ZERO, Net::ZERO, Adam::new(0.01));
    net.import_bytes(seen.last().unwrap()).unwrap();
    best_net.import_bytes(&best).unwrap();
    opt.load_state(&state).unwrap();
    let counters = EarlyStoppingState::load(rule(), &stopping).unwrap();
    let resume = saved.then_some((counters, Some(&best_net)));
    let (more, _) = run(&mut net, &mut opt, (k, EPOCHS), resume).unwrap();
    let epochs = first.epochs.iter().chain(&more.epochs).copied().collect();
    Some((
        epochs,
        more.best_epoch,
        more.stopped_early,
        param_bits(&net),
    ))
}

#[test]
fn a_resumed_stream_run_under_early_stopping_equals_an_uninterrupted_one() {
    let mut net = Net::new(3);
    let (whole, _) = run(&mut net, &mut Adam::new(0.01), (0, EPOCHS), None).unwrap();
    assert!(whole.stopped_early, "the rule never stopped the run");
    let best = whole.best_epoch.unwrap();
    let last = whole.epochs.len();
    assert!(best + 4 == last && best > 3, "best {best}, last {last}");
    let whole_bits = param_bits(&net);
    let mut checked = 0;
    for k in [2, best - 1, best, best + 1, last - 1] {
        let Some((epochs, best_epoch, stopped, bits)) = resumed(k, true) else {
            continue;
        };
        let label = format!("resumed after epoch {k}");
        assert_eq!(epochs, whole.epochs, "{label}");
        assert_eq!((best_epoch, stopped), (Some(best), true), "{label}");
        assert!(bits == whole_bits, "{label}: weights differ");
        checked += 1;
    }
    assert!(checked >= 4);
    // Negative control: resumed afresh after the best epoch, the rule waits 4 more epochs and
    // hands back other weights.
    let (epochs, _, _, bits) = resumed(best + 1, false).unwrap();
    assert!(epochs.len() > last, "afresh it stopped at {}", epochs.len());
    assert!(bits != whole_bits);
}

#[test]
fn counters_that_do_not_follow_and_missing_best_weights_are_refused() {
    let state = EarlyStoppingState {
        best_loss: 0.5,
        waited: 2,
        best_epoch: Some(3),
    };
    let mut net = Net::new(3);
    // After epoch 6 the wait since epoch 3 is 3, not 2.
    let best = Net::new(4);
    let err = run(
        &mut net,
        &mut Adam::new(0.01),
        (6, 8),
        Some((state, Some(&best))),
    );
    assert!(
        matches!(
            err,
            Err(StreamError::Training(Error::ResumedEarlyStopping {
                best_epoch: Some(3),
                waited: 2,
                initial_epoch: 6
            }))
        ),
        "{err:?}"
    );
    // After epoch 5 it follows, but the rule restores the best weights and none were given.
    let err = run(&mut net, &mut Adam::new(0.01), (5, 8), Some((state, None)));
    assert!(
        matches!(
            err,
            Err(StreamError::Training(Error::BufferTooSmall {
                what: Operand::BestWeights,
                ..
            }))
        ),
        "{err:?}"
    );
    assert!(
        param_bits(&net) == param_bits(&Net::new(3)),
        "a refused run trained"
    );
}
