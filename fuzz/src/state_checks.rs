//! The saved optimizer state (DLOS, `OptimizerState::load_state`): any bytes into Adam,
//! SGD with momentum, a scheduled RMSprop and a plateau-driven Adam over `Tiny`'s gradients
//! (f32 and f64), and into an early-stopping state (`EarlyStoppingState::load`, the same
//! format with three words).
//!
//! - no panic;
//! - `Err` leaves the optimizer's state (and the plateau's counters) unchanged, bit for bit;
//! - `Ok` gives finite state values and a finite learning rate, and saving gives back the
//!   input where the format is canonical (version 2 without a plateau: every byte is fixed
//!   by the state); otherwise the saved state loads again into the same bytes. An accepted
//!   early-stopping state saves back to the input (version 2) and is one a run can be in.
//!
//! Used by the fuzz target `optimizer_state` and, through `#[path]`, by the stable test
//! `tests/tests/fuzz_corpus.rs`.

use super::checks::{Tiny, TinyGradient};
use dl_core::fit::EarlyStoppingState;
use dl_core::optim::OptimizerState;
use dl_core::prelude::*;
use dl_core::schedule::StepDecay;

type G32 = TinyGradient<f32>;
type G64 = TinyGradient<f64>;

/// Every optimizer kind the check loads `data` into.
pub fn optimizer_state(data: &[u8]) {
    load::<f32, _>(data, &mut Adam::<f32, G32>::new(0.1), true);
    load::<f64, _>(data, &mut Adam::<f64, G64>::new(0.1), true);
    load::<f32, _>(data, &mut Sgd::<f32>::new(0.1).momentum::<G32>(0.9), true);
    let rmsprop = RmsProp::<f64, G64>::new(0.01).momentum(0.9).centered();
    load::<f64, _>(
        data,
        &mut Scheduled::per_epoch(rmsprop, StepDecay::new(0.01, 3, 0.5)),
        true,
    );
    for plateau in [
        ReduceLrOnPlateau::new(0.5, 3),
        ReduceLrOnPlateau::new(0.1, 1).cooldown(2),
    ] {
        load::<f32, _>(data, &mut plateau.wrap(Adam::<f32, G32>::new(0.1)), false);
    }
    for rule in [EarlyStopping::new(4), EarlyStopping::new(1)] {
        early_stopping(data, rule);
    }
}

/// `data` as an early-stopping state under `rule`, asserting the invariants.
fn early_stopping(data: &[u8], rule: EarlyStopping) {
    match EarlyStoppingState::load(rule, data) {
        Err(e) => {
            let _ = e.to_string();
        }
        Ok(state) => {
            assert!(!state.best_loss.is_nan() && state.best_loss != f64::NEG_INFINITY);
            assert!(state.waited < rule.patience.max(1));
            assert_eq!(state.best_epoch.is_some(), state.best_loss.is_finite());
            assert_eq!(
                &state.to_bytes()[..],
                data,
                "saving does not reproduce the accepted early-stopping state"
            );
        }
    }
}

/// `data` into `opt`, asserting the invariants; `canonical`: whether the state's every byte
/// is fixed by what it restores (a plateau's learning rate is computed from its words, so
/// the header's copy is not).
fn load<T: Float, O: OptimizerState<T>>(data: &[u8], opt: &mut O, canonical: bool) {
    let before = opt.state_to_vec();
    match opt.load_state(data) {
        Err(e) => {
            assert_eq!(
                opt.state_to_vec(),
                before,
                "an error ({e}) changed the state"
            );
            let _ = e.to_string();
        }
        Ok(()) => {
            for i in 0..O::STATE_TENSORS {
                assert!(
                    opt.state_tensor(i).iter().all(|v| v.finite()),
                    "an accepted state holds a non-finite value"
                );
            }
            assert!(opt.learning_rate().is_finite());
            let saved = opt.state_to_vec();
            if canonical && data[4..6] == [2, 0] {
                assert_eq!(saved, data, "saving does not reproduce the accepted state");
            }
            opt.load_state(&saved).expect("a saved state loads");
            assert_eq!(
                opt.state_to_vec(),
                saved,
                "a second round trip changed the state"
            );
        }
    }
}

/// Valid states of each kind after a few steps, and near misses: the seed corpus.
pub fn seeds() -> Vec<(&'static str, Vec<u8>)> {
    let (xs, ys): (Vec<_>, Vec<_>) = (0..6)
        .map(|i| {
            let x = SVector::<f32, 3>::from_fn(|r, _| (i + r) as f32 * 0.3 - 0.5);
            (x, SVector::<f32, 2>::new(i as f32 * 0.1, 1.0))
        })
        .unzip();
    let (mut net, mut ws) = (Tiny::<f32>::new(1), Workspace::new());
    let mut adam = Adam::<f32, G32>::new(0.1);
    let mut momentum = Sgd::<f32>::new(0.1).momentum::<G32>(0.9);
    let plateau = ReduceLrOnPlateau::new(0.5, 3);
    let mut driven = plateau.wrap(Adam::<f32, G32>::new(0.1));
    for _ in 0..3 {
        train_batch::<_, Mse, _>(&mut net, &mut adam, &xs, &ys, &mut ws).unwrap();
        train_batch::<_, Mse, _>(&mut net, &mut momentum, &xs, &ys, &mut ws).unwrap();
        train_batch::<_, Mse, _>(&mut net, &mut driven, &xs, &ys, &mut ws).unwrap();
    }
    for loss in [1.0, 0.5, 0.6, 0.7] {
        plateau.observe(&Epoch {
            train_loss: loss,
            ..Epoch::BLANK
        });
    }
    let adam = adam.state_to_vec();
    let driven = driven.state_to_vec();
    let mut truncated = adam.clone();
    truncated.truncate(40);
    let mut flipped = adam.clone();
    flipped[70] ^= 4;
    // Version 1 of the same state: no count of extra words.
    let mut v1 = adam[..56].to_vec();
    v1.extend_from_slice(&adam[64..]);
    v1[4] = 1;
    let v1 = resealed(v1);
    let mut wait = driven.clone();
    wait[80..88].copy_from_slice(&7u64.to_le_bytes()); // past the patience of 3
    let stopping = EarlyStoppingState::after(
        EarlyStopping::new(4),
        &[(1, 0.9), (2, 0.4), (3, 0.6)].map(|(epoch, train_loss)| Epoch {
            epoch,
            train_loss,
            ..Epoch::BLANK
        }),
    )
    .to_bytes()
    .to_vec();
    let mut stopped = stopping.clone();
    stopped[72..80].copy_from_slice(&4u64.to_le_bytes()); // a wait of the patience of 4
    vec![
        ("adam_f32.dlos", adam),
        ("momentum_f32.dlos", momentum.state_to_vec()),
        ("plateau_adam_f32.dlos", driven),
        ("adam_f32_truncated.dlos", truncated),
        ("adam_f32_bad_crc.dlos", flipped),
        ("adam_f32_v1.dlos", v1),
        ("plateau_adam_f32_bad_wait.dlos", resealed(wait)),
        ("early_stopping.dlos", stopping),
        (
            "early_stopping_start.dlos",
            EarlyStoppingState::START.to_bytes().to_vec(),
        ),
        ("early_stopping_bad_wait.dlos", resealed(stopped)),
    ]
}

/// `bytes` with the CRC-32 of everything but bytes 20..24 written there.
fn resealed(mut bytes: Vec<u8>) -> Vec<u8> {
    let mut covered = bytes[..20].to_vec();
    covered.extend_from_slice(&bytes[24..]);
    let crc = dl_core::bytes::crc32(&covered);
    bytes[20..24].copy_from_slice(&crc.to_le_bytes());
    bytes
}
