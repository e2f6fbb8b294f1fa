//! Resuming a run under early stopping: its counters (best loss, wait, best epoch) are saved
//! as bytes in the optimizer-state format and given back with the best weights, so the
//! resumed run stops, and restores the best weights, at the epoch the uninterrupted one did,
//! bit for bit. Without the counters it does not; bad counters are refused.

use dl_core::error::Operand;
use dl_core::fit::EarlyStoppingState;
use dl_core::optim::{OptimizerState, StateError, StateField, STATE_VERSION};
use dl_core::prelude::*;
use dl_tests::param_bits;

use super::resume::samples;
use super::resume_wrapped::resealed;

network! {
    /// A classifier wide enough to overfit 24 samples.
    pub struct Wide {
        Dense<3, 24, Tanh>,
        Dense<24, 3, Softmax>,
    }
}

type Net = Wide<f64>;
type Grad = WideGradient<f64>;
const EPOCHS: usize = 60;

/// The rule every run uses: stop after 4 epochs without a 1e-4 improvement of the validation
/// loss, restoring the best weights.
fn rule() -> EarlyStopping {
    EarlyStopping {
        min_delta: 1e-4,
        ..EarlyStopping::new(4)
    }
}

/// How a resumed run gets early stopping back.
#[derive(Clone, Copy, PartialEq)]
enum Resume {
    /// From the saved counters and the best weights.
    Saved,
    /// Afresh (the negative control).
    Afresh,
}

/// What a run gives: the weights, every epoch's record, and where early stopping ended it.
struct Run {
    net: Net,
    epochs: Vec<Epoch<f64>>,
    best_epoch: Option<usize>,
    stopped_early: bool,
}

fn adam() -> Adam<f64, Grad> {
    Adam::new(0.01)
}

/// Trains `Wide::new(3)` under [`rule`] until epoch [`EPOCHS`] (or until it stops); with
/// `stop_at`, it stops after that epoch, keeps only byte images (the weights of that epoch,
/// the best weights, the optimizer's state and the early-stopping state) and resumes from
/// them.
fn train(stop_at: Option<usize>, resume: Resume) -> Run {
    let (xs, ys) = samples(24, 5);
    let (vx, vy) = samples(30, 6);
    let (train, val) = (Data::new(&xs, &ys).unwrap(), Data::new(&vx, &vy).unwrap());
    let k = stop_at.unwrap_or(EPOCHS);
    let mut net = Net::new(3);
    let mut opt = adam();
    let mut at_k = vec![0; Net::BYTES];
    let history = Trainer::new(&mut net, &mut opt, train)
        .loss(CrossEntropy)
        .epochs(k)
        .batch(BatchSize::Mini(6))
        .seed(4)
        .validation(val)
        .early_stopping(rule())
        .on_epoch(|_, net| {
            // The checkpoint: the weights as the epoch left them, before any restore.
            net.export_bytes(&mut at_k).unwrap();
            Control::Continue
        })
        .run()
        .unwrap();
    let mut epochs = history.epochs().to_vec();
    if stop_at.is_none() || history.stopped_early() {
        return Run {
            net,
            epochs,
            best_epoch: history.best_epoch(),
            stopped_early: history.stopped_early(),
        };
    }
    // The best weights: what the run handed back (the best epoch's, or epoch k's if it was
    // the best).
    let mut best = vec![0; Net::BYTES];
    net.export_bytes(&mut best).unwrap();
    let stopping = history.early_stopping().unwrap().to_bytes();
    assert_eq!(
        EarlyStoppingState::after(rule(), &epochs),
        history.early_stopping().unwrap()
    );
    let state = opt.state_to_vec();
    // From here on, only the four byte images carry the run over.

    let (mut net, mut best_net, mut opt) = (Net::ZERO, Net::ZERO, adam());
    net.import_bytes(&at_k).unwrap();
    best_net.import_bytes(&best).unwrap();
    opt.load_state(&state).unwrap();
    let trainer = Trainer::new(&mut net, &mut opt, train)
        .loss(CrossEntropy)
        .initial_epoch(k)
        .epochs(EPOCHS)
        .batch(BatchSize::Mini(6))
        .seed(4)
        .validation(val)
        .early_stopping(rule());
    let trainer = match resume {
        Resume::Saved => {
            let saved = EarlyStoppingState::load(rule(), &stopping).unwrap();
            trainer.resume_early_stopping(saved, Some(&best_net))
        }
        Resume::Afresh => trainer,
    };
    let more = trainer.run().unwrap();
    epochs.extend_from_slice(more.epochs());
    let (best_epoch, stopped_early) = (more.best_epoch(), more.stopped_early());
    Run {
        net,
        epochs,
        best_epoch,
        stopped_early,
    }
}

#[test]
fn a_resumed_run_under_early_stopping_equals_an_uninterrupted_one() {
    let whole = train(None, Resume::Saved);
    // The run is one early stopping ends: it stops at epoch 18, 4 epochs after its best
    // (14), and hands back epoch 14's weights.
    assert_eq!((whole.best_epoch, whole.epochs.len()), (Some(14), 18));
    assert!(whole.stopped_early);
    // Cut before the best, one epoch after it, and one epoch before the stop (the counters
    // then say 3 epochs waited, and the best weights exist only in the first part's copy).
    for k in [5, 15, 17] {
        let resumed = train(Some(k), Resume::Saved);
        let label = format!("resumed after epoch {k}");
        assert_eq!(param_bits(&resumed.net), param_bits(&whole.net), "{label}");
        assert_eq!(resumed.epochs, whole.epochs, "{label}");
        assert_eq!(resumed.best_epoch, whole.best_epoch, "{label}");
        assert!(resumed.stopped_early, "{label}");
    }

    // Negative control: the same weights and optimizer with the rule started afresh train
    // past epoch 18 and do not hand back epoch 14's weights.
    let afresh = train(Some(17), Resume::Afresh);
    assert!(afresh.epochs.len() > whole.epochs.len());
    assert_ne!(param_bits(&afresh.net), param_bits(&whole.net));
}

#[test]
fn a_resume_without_the_best_weights_or_with_impossible_counters_is_refused() {
    let (xs, ys) = samples(12, 1);
    let data = Data::new(&xs, &ys).unwrap();
    let state = EarlyStoppingState {
        best_loss: 0.5,
        waited: 2,
        best_epoch: Some(6),
    };
    let run = |state, best: Option<&Net>, initial| {
        let mut net = Net::new(1);
        Trainer::new(&mut net, &mut adam(), data)
            .loss(CrossEntropy)
            .initial_epoch(initial)
            .epochs(10)
            .early_stopping(rule())
            .resume_early_stopping(state, best)
            .run()
            .map(|h| h.len())
    };
    assert_eq!(
        run(state, None, 8),
        Err(Error::BufferTooSmall {
            what: Operand::BestWeights,
            needed: 1,
            found: 0
        })
    );
    let best = Net::new(2);
    assert_eq!(run(state, Some(&best), 8), Ok(2));
    // A best epoch after the epoch the run resumes from; a wait that is not the epochs
    // since the best one.
    let late_best = (state, 5);
    let wrong_wait = (EarlyStoppingState { waited: 3, ..state }, 8);
    for (state, initial) in [late_best, wrong_wait] {
        assert_eq!(
            run(state, Some(&best), initial),
            Err(Error::ResumedEarlyStopping {
                best_epoch: state.best_epoch,
                waited: state.waited,
                initial_epoch: initial
            })
        );
    }
}

#[test]
fn bad_early_stopping_bytes_are_refused() {
    let state = EarlyStoppingState {
        best_loss: 0.25,
        waited: 3,
        best_epoch: Some(9),
    };
    let saved = state.to_bytes().to_vec();
    assert_eq!(saved.len(), EarlyStoppingState::SAVED_BYTES);
    assert_eq!(u16::from_le_bytes([saved[4], saved[5]]), STATE_VERSION);
    assert_eq!(EarlyStoppingState::load(rule(), &saved), Ok(state));
    // Words: best loss, epochs waited, best epoch; from byte 64.
    let with_word = |i: usize, value: u64| {
        let mut b = saved.clone();
        b[64 + 8 * i..72 + 8 * i].copy_from_slice(&value.to_le_bytes());
        resealed(b)
    };
    let cases = [
        (0, f64::NAN.to_bits()),
        (0, f64::NEG_INFINITY.to_bits()),
        (1, 4), // a wait of the patience would have stopped the run
        (1, u64::MAX),
        (2, 0),                       // no best epoch, yet a finite best loss
        (0, f64::INFINITY.to_bits()), // a best epoch, yet no finite best loss
    ];
    for (word, value) in cases {
        let refused = if value == f64::INFINITY.to_bits() {
            2
        } else {
            word
        };
        assert_eq!(
            EarlyStoppingState::load(rule(), &with_word(word, value)),
            Err(StateError::Extra { word: refused }),
            "word {word} = {value:#x}"
        );
    }
    // Fresh counters: an infinite best loss and no best epoch load.
    let start = EarlyStoppingState::START.to_bytes();
    assert_eq!(
        EarlyStoppingState::load(rule(), &start),
        Ok(EarlyStoppingState::START)
    );

    // Another record: an optimizer's state, another length, another version.
    let adam = adam().state_to_vec();
    assert!(matches!(
        EarlyStoppingState::load(rule(), &adam),
        Err(StateError::Length { .. })
    ));
    let mut sgd = Sgd::<f64>::new(0.1).state_to_vec();
    sgd.resize(saved.len(), 0);
    sgd[56..64].copy_from_slice(&3u64.to_le_bytes());
    assert_eq!(
        EarlyStoppingState::load(rule(), &resealed(sgd)),
        Err(StateError::Mismatch {
            what: StateField::Optimizer
        })
    );
    let mut v3 = saved.clone();
    v3[4..6].copy_from_slice(&3u16.to_le_bytes());
    assert_eq!(
        EarlyStoppingState::load(rule(), &resealed(v3)),
        Err(StateError::Version { found: 3 })
    );
    // Version 1 had no extra words: its header is 56 bytes and it holds no counters.
    let mut v1 = saved[..56].to_vec();
    v1[4..6].copy_from_slice(&1u16.to_le_bytes());
    assert_eq!(
        EarlyStoppingState::load(rule(), &resealed(v1)),
        Err(StateError::Mismatch {
            what: StateField::Extra
        })
    );
    let mut flipped = saved.clone();
    flipped[70] ^= 1;
    assert!(matches!(
        EarlyStoppingState::load(rule(), &flipped),
        Err(StateError::Checksum { .. })
    ));
}
