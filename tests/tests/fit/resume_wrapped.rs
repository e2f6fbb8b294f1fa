//! Resuming what lives outside the optimizer's tensors: a network with Dropout (whose masks
//! restart each epoch from the seed and the epoch) and a learning rate driven by
//! `ReduceLrOnPlateau` (whose counters ride in the optimizer's saved bytes, format version
//! 2). A run resumed from the weight image and the optimizer's bytes equals an uninterrupted
//! one bit for bit; without the plateau's counters, or with other masks, it does not.

use dl_core::bytes::crc32;
use dl_core::optim::{OptimizerState, StateError, StateField, STATE_VERSION};
use dl_core::prelude::*;
use dl_tests::param_bits;

use super::resume::samples;

network! {
    /// A classifier with Dropout between its layers.
    pub struct Dropped {
        Dense<3, 12, Relu>,
        Dropout<0.3>,
        Dense<12, 3, Softmax>,
    }
}

type Net = Dropped<f64>;
type Grad = DroppedGradient<f64>;
const EPOCHS: usize = 16;

/// The plateau every run uses: halve after 2 epochs without improvement, 1 epoch of cooldown.
fn plateau() -> ReduceLrOnPlateau {
    ReduceLrOnPlateau::new(0.5, 2).min_delta(1e-3).cooldown(1)
}

/// How a resumed run gets its optimizer back.
#[derive(Clone, Copy, PartialEq)]
enum Restore {
    /// From the bytes of the plateau-driven optimizer (Adam's state and the plateau's).
    Whole,
    /// From Adam's bytes alone, under a fresh plateau (the negative control).
    AdamOnly,
}

/// What a run gives: the weights, every epoch's record and the plateau's scale after it.
struct Run {
    net: Net,
    epochs: Vec<Epoch<f64>>,
    scales: Vec<f64>,
}

/// Trains `Dropped::new(5)` with Adam under the plateau, on shuffled mini-batches (or full
/// batches) with validation data, until epoch 16; with `stop_at`, it stops after that epoch,
/// keeps only the weight image and the optimizer's bytes, and resumes from them with a new
/// network, optimizer and plateau, shuffling and dropping with `resume_seed`.
fn train(batch: BatchSize, stop_at: Option<usize>, restore: Restore, resume_seed: u64) -> Run {
    let (xs, ys) = samples(36, 3);
    let (vx, vy) = samples(18, 4);
    let (train, val) = (Data::new(&xs, &ys).unwrap(), Data::new(&vx, &vy).unwrap());
    type Opt<'p> = OnPlateau<'p, Adam<f64, Grad>>;
    let part =
        |net: &mut Net, plateau: &ReduceLrOnPlateau, opt: &mut Opt, range: (usize, usize), seed| {
            let mut scales = Vec::new();
            let epochs = Trainer::new(net, opt, train)
                .loss(CrossEntropy)
                .metrics(Accuracy)
                .initial_epoch(range.0)
                .epochs(range.1)
                .batch(batch)
                .seed(seed)
                .validation(val)
                .callback(plateau)
                .on_epoch(|_, _| {
                    scales.push(plateau.scale());
                    Control::Continue
                })
                .run()
                .unwrap()
                .epochs()
                .to_vec();
            (epochs, scales)
        };
    let adam = || Adam::<f64, Grad>::new(0.05);
    let (first, mut net) = (plateau(), Net::new(5));
    let mut opt = first.wrap(adam());
    let k = stop_at.unwrap_or(EPOCHS);
    let (mut epochs, mut scales) = part(&mut net, &first, &mut opt, (0, k), 9);
    if k == EPOCHS {
        return Run {
            net,
            epochs,
            scales,
        };
    }
    let mut weights = vec![0; Net::BYTES];
    net.export_bytes(&mut weights).unwrap();
    let state = match restore {
        Restore::Whole => opt.state_to_vec(),
        Restore::AdamOnly => opt.optimizer.state_to_vec(),
    };
    // From here on, only the two byte images carry the run over.

    let (second, mut net) = (plateau(), Net::ZERO);
    net.import_bytes(&weights).unwrap();
    let mut opt = second.wrap(adam());
    match restore {
        Restore::Whole => opt.load_state(&state).unwrap(),
        Restore::AdamOnly => opt.optimizer.load_state(&state).unwrap(),
    }
    let (more, more_scales) = part(&mut net, &second, &mut opt, (k, EPOCHS), resume_seed);
    epochs.extend(more);
    scales.extend(more_scales);
    Run {
        net,
        epochs,
        scales,
    }
}

#[test]
fn a_resumed_dropout_and_plateau_run_equals_an_uninterrupted_one() {
    let batch = BatchSize::Mini(8);
    let whole = train(batch, None, Restore::Whole, 9);
    assert_eq!(whole.epochs.len(), EPOCHS);
    // The run is one that exercises the plateau: it cuts, before and after the resume points.
    let cuts: Vec<usize> = (1..EPOCHS)
        .filter(|&i| whole.scales[i] < whole.scales[i - 1])
        .map(|i| i + 1)
        .collect();
    assert!(
        cuts.len() >= 2 && cuts[0] <= 6 && cuts[cuts.len() - 1] > 8,
        "cuts after epochs {cuts:?}"
    );
    for k in [1, 4, 8] {
        let resumed = train(batch, Some(k), Restore::Whole, 9);
        let label = format!("resumed after epoch {k}");
        assert_eq!(param_bits(&resumed.net), param_bits(&whole.net), "{label}");
        assert_eq!(resumed.epochs, whole.epochs, "{label}");
        assert_eq!(resumed.scales, whole.scales, "{label}");
    }

    // Negative control: Adam's state without the plateau's counters is another run (the
    // fresh plateau has forgotten the cut before epoch 8 and its best loss).
    let forgetful = train(batch, Some(8), Restore::AdamOnly, 9);
    assert!(whole.scales[7] < 1.0);
    assert_ne!(forgetful.scales, whole.scales);
    assert_ne!(param_bits(&forgetful.net), param_bits(&whole.net));
}

#[test]
fn dropout_masks_follow_the_seed_and_the_epoch() {
    // Full batches: no shuffle, so the seed moves only the Dropout masks.
    let whole = train(BatchSize::Full, None, Restore::Whole, 9);
    let resumed = train(BatchSize::Full, Some(5), Restore::Whole, 9);
    assert_eq!(param_bits(&resumed.net), param_bits(&whole.net));
    assert_eq!(resumed.epochs, whole.epochs);
    // Negative control: other masks after epoch 5 train other weights, so the equality
    // above depends on the masks being the uninterrupted run's.
    let other_masks = train(BatchSize::Full, Some(5), Restore::Whole, 10);
    assert_eq!(other_masks.epochs[..5], whole.epochs[..5]);
    assert_ne!(param_bits(&other_masks.net), param_bits(&whole.net));
}

/// The state of a plateau-driven Adam, after training one step and one plateau cut.
fn plateau_state(plateau: &ReduceLrOnPlateau) -> Vec<u8> {
    let (xs, ys) = samples(6, 1);
    let (mut net, mut ws) = (Net::new(1), Workspace::new());
    let mut opt = plateau.wrap(Adam::<f64, Grad>::new(0.05));
    train_batch::<_, CrossEntropy, _>(&mut net, &mut opt, &xs, &ys, &mut ws).unwrap();
    for loss in [1.0, 0.5, 0.9, 0.8] {
        plateau.observe(&Epoch {
            train_loss: loss,
            ..Epoch::BLANK
        });
    }
    assert_eq!(plateau.scale(), 0.5);
    opt.state_to_vec()
}

/// `bytes` with its CRC-32 (everything but bytes 20..24) recomputed.
pub(super) fn resealed(mut bytes: Vec<u8>) -> Vec<u8> {
    let crc = {
        let mut without = bytes[..20].to_vec();
        without.extend_from_slice(&bytes[24..]);
        crc32(&without)
    };
    bytes[20..24].copy_from_slice(&crc.to_le_bytes());
    bytes
}

#[test]
fn bad_plateau_counters_are_refused_and_change_nothing() {
    let saved = plateau_state(&plateau());
    assert_eq!(u16::from_le_bytes([saved[4], saved[5]]), STATE_VERSION);
    let target_plateau = plateau();
    let mut target = target_plateau.wrap(Adam::<f64, Grad>::new(0.5));
    let before = target.state_to_vec();
    // Words: base rate, best loss, wait, cooldown left, scale; from byte 64.
    let with_word = |i: usize, value: u64| {
        let mut b = saved.clone();
        b[64 + 8 * i..72 + 8 * i].copy_from_slice(&value.to_le_bytes());
        resealed(b)
    };
    let cases = [
        (0, f64::INFINITY.to_bits()),
        (1, f64::NAN.to_bits()),
        (1, f64::NEG_INFINITY.to_bits()),
        (2, 2), // a wait of the patience would have cut
        (3, 2), // longer than the cooldown of 1
        (4, 1.5f64.to_bits()),
        (4, (-0.5f64).to_bits()),
    ];
    for (word, value) in cases {
        assert_eq!(
            target.load_state(&with_word(word, value)),
            Err(StateError::Extra { word }),
            "word {word} = {value:#x}"
        );
    }
    // The plain optimizer's state and the wrapped one's differ by the extra words (5 x 8
    // bytes), so by length; a version-1 state of the same length is refused by its count
    // (`version_1_states_still_load`).
    let adam = Adam::<f64, Grad>::new(0.05).state_to_vec();
    assert_eq!(
        target.load_state(&adam),
        Err(StateError::Length {
            expected: adam.len() + 40,
            found: adam.len()
        })
    );
    assert!(matches!(
        Adam::<f64, Grad>::new(0.05).load_state(&saved),
        Err(StateError::Length { .. })
    ));
    assert_eq!(target.state_to_vec(), before, "nothing was written");
    assert_eq!((target.learning_rate(), target_plateau.scale()), (0.5, 1.0));

    target.load_state(&saved).unwrap();
    assert_eq!(target.state_to_vec(), saved);
    assert_eq!(
        (target.learning_rate(), target_plateau.scale()),
        (0.025, 0.5)
    );
}

#[test]
fn version_1_states_still_load() {
    let (xs, ys) = samples(6, 2);
    let (mut net, mut ws) = (Net::new(1), Workspace::new());
    let mut adam = Adam::<f64, Grad>::new(0.01);
    train_batch::<_, CrossEntropy, _>(&mut net, &mut adam, &xs, &ys, &mut ws).unwrap();
    let v2 = adam.state_to_vec();
    // Version 1: the same header without the count of extra words at 56..64.
    let mut v1 = v2[..56].to_vec();
    v1.extend_from_slice(&v2[64..]);
    v1[4..6].copy_from_slice(&1u16.to_le_bytes());
    let v1 = resealed(v1);
    let mut loaded = Adam::<f64, Grad>::new(0.5);
    loaded.load_state(&v1).unwrap();
    assert_eq!(loaded.state_to_vec(), v2);
    // A version-1 state has no plateau counters: the wrapped optimizer refuses it.
    let p = plateau();
    assert_eq!(
        p.wrap(Adam::<f64, Grad>::new(0.5)).load_state(&v1),
        Err(StateError::Mismatch {
            what: StateField::Extra
        })
    );
    let mut v3 = v2.clone();
    v3[4] = 3;
    assert_eq!(
        loaded.load_state(&resealed(v3)),
        Err(StateError::Version { found: 3 })
    );
}
