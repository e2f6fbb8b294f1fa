//! What an [`EarlyStopping`] rule has seen, as a value and as bytes: the best monitored loss,
//! the epochs waited since, and the best epoch. A run resumed with it
//! ([`FitConfig::resume_early_stopping`](super::FitConfig::resume_early_stopping)) stops, and
//! restores the best weights, at the epoch the uninterrupted run did.
//!
//! The bytes are the optimizer-state format (DLOS, see
//! [`STATE_VERSION`](crate::optim::STATE_VERSION)) with the name `early_stopping`, no state
//! tensors and three extra words, so they are checked as an optimizer's are (length, magic,
//! version, CRC-32, every field) and each word against the rule.

use super::{EarlyStopping, Epoch, Patience};
use crate::error::Error;
use crate::float::Float;
use crate::optim::state_format::{fnv1a, read_header, seal, word, write_header, Shape};
use crate::optim::{StateError, STATE_HEADER_BYTES};

/// The words after the header: best loss (`f64` bits), epochs waited, best epoch (0: none).
const WORDS: usize = 3;

/// An early-stopping rule's counters after some epochs of a run.
///
#[cfg_attr(feature = "alloc", doc = "```")]
#[cfg_attr(not(feature = "alloc"), doc = "```ignore")]
/// use dl_core::fit::EarlyStoppingState;
/// use dl_core::optim::StateError;
/// use dl_core::prelude::*;
///
/// let rule = EarlyStopping::new(3);
/// let e = |epoch, loss| Epoch { epoch, train_loss: loss, ..Epoch::BLANK };
/// let state = EarlyStoppingState::after(rule, &[e(1, 0.9f32), e(2, 0.5), e(3, 0.6)]);
/// assert_eq!((state.best_loss, state.waited, state.best_epoch), (0.5, 1, Some(2)));
///
/// let bytes = state.to_bytes(); // saved with the weights and the optimizer's bytes
/// assert_eq!(EarlyStoppingState::load(rule, &bytes), Ok(state));
/// // A wait of 3 would have stopped the run already: refused.
/// let stopped = EarlyStoppingState { waited: 3, ..state }.to_bytes();
/// assert_eq!(EarlyStoppingState::load(rule, &stopped), Err(StateError::Extra { word: 1 }));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EarlyStoppingState {
    /// The lowest monitored loss so far ([`Epoch::monitored_loss`] as `f64`), infinite
    /// before any finite one.
    pub best_loss: f64,
    /// Epochs since the monitored loss last improved by more than `min_delta`.
    pub waited: usize,
    /// The epoch (from 1) whose weights are the best, if any.
    pub best_epoch: Option<usize>,
}

impl EarlyStoppingState {
    /// Before the first epoch.
    pub const START: Self = EarlyStoppingState {
        best_loss: f64::INFINITY,
        waited: 0,
        best_epoch: None,
    };
    /// The name whose FNV-1a the bytes carry in the optimizer field.
    pub const NAME: &'static str = "early_stopping";
    /// The length of the saved bytes.
    pub const SAVED_BYTES: usize = STATE_HEADER_BYTES + 8 * WORDS;

    /// The state after `epochs`, a run's records from epoch 1 on in order (a
    /// [`History`](super::History)'s), under `rule`: what a checkpoint taken after the last of
    /// them saves. [`History::early_stopping`](super::History::early_stopping) gives it too.
    pub fn after<T: Float>(rule: EarlyStopping, epochs: &[Epoch<T>]) -> Self {
        let mut patience = Patience::new(rule);
        for record in epochs {
            patience.observe(record);
        }
        patience.state()
    }

    /// Whether a run resumed after epoch `initial_epoch` can carry on from this state:
    /// [`Error::ResumedEarlyStopping`] unless the epochs waited are those since the best
    /// epoch (since the start without one).
    pub fn check_resume(&self, initial_epoch: usize) -> Result<(), Error> {
        let since_best = initial_epoch.checked_sub(self.best_epoch.unwrap_or(0));
        if since_best != Some(self.waited) {
            return Err(Error::ResumedEarlyStopping {
                best_epoch: self.best_epoch,
                waited: self.waited,
                initial_epoch,
            });
        }
        Ok(())
    }

    /// Writes the bytes into `out`, exactly [`SAVED_BYTES`](Self::SAVED_BYTES) long.
    pub fn save(&self, out: &mut [u8]) -> Result<(), StateError> {
        if out.len() != Self::SAVED_BYTES {
            return Err(StateError::Length {
                expected: Self::SAVED_BYTES,
                found: out.len(),
            });
        }
        write_header(out, &shape(), 0, 0, 0.0);
        let words = [
            self.best_loss.to_bits(),
            self.waited as u64,
            self.best_epoch.map_or(0, |e| e as u64),
        ];
        for (chunk, w) in out[STATE_HEADER_BYTES..].chunks_exact_mut(8).zip(words) {
            chunk.copy_from_slice(&w.to_le_bytes());
        }
        seal(out);
        Ok(())
    }

    /// The bytes as an array.
    pub fn to_bytes(&self) -> [u8; Self::SAVED_BYTES] {
        let mut out = [0; Self::SAVED_BYTES];
        // The length is right by construction.
        let _ = self.save(&mut out);
        out
    }

    /// Reads bytes written by [`save`](Self::save), checking each word against `rule`: a NaN
    /// or negative-infinite best loss (word 0), a wait that would have stopped the run
    /// already (word 1), a best epoch without a finite best loss or the reverse (word 2) are
    /// refused with [`StateError::Extra`]; an optimizer's bytes with
    /// [`StateError::Mismatch`].
    pub fn load(rule: EarlyStopping, bytes: &[u8]) -> Result<Self, StateError> {
        let header = read_header(bytes, &shape())?;
        let at = header.extra.start;
        let bad = |word| Err(StateError::Extra { word });
        let best_loss = f64::from_bits(word(bytes, at));
        if best_loss.is_nan() || best_loss == f64::NEG_INFINITY {
            return bad(0);
        }
        let waited = word(bytes, at + 8);
        if waited >= rule.patience.max(1) as u64 {
            return bad(1);
        }
        let best_epoch = word(bytes, at + 16);
        let Ok(epoch) = usize::try_from(best_epoch) else {
            return bad(2);
        };
        if (epoch == 0) != (best_loss == f64::INFINITY) {
            return bad(2);
        }
        Ok(EarlyStoppingState {
            best_loss,
            // Below the patience, a usize.
            waited: waited as usize,
            best_epoch: (epoch != 0).then_some(epoch),
        })
    }
}

/// What the bytes of a state must hold.
fn shape() -> Shape {
    Shape {
        scalar_bytes: 8,
        name: fnv1a(EarlyStoppingState::NAME),
        tensors: 0,
        scalars: 0,
        extra_words: WORDS,
    }
}
