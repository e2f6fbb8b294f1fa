//! A [`ReduceLrOnPlateau`]'s counters saved with the state of the optimizer it drives: the
//! bytes of `plateau.wrap(adam)` hold Adam's state and, as extra words, the plateau's base
//! learning rate, best loss, wait, cooldown and scale. So a run resumed from them cuts the
//! learning rate at the epochs the uninterrupted run cut it.

use super::{OnPlateau, ReduceLrOnPlateau};
use crate::float::Float;
use crate::optim::{OptimizerState, StateError};

/// The plateau's own words: base learning rate, best loss, wait, cooldown left, scale.
const WORDS: usize = 5;

/// Word `i` of `words`.
fn word(words: &[u8], i: usize) -> u64 {
    let mut b = [0; 8];
    b.copy_from_slice(&words[8 * i..8 * i + 8]);
    u64::from_le_bytes(b)
}

impl ReduceLrOnPlateau {
    /// Refuses counters this plateau can never be in: a non-finite base rate, a NaN or
    /// negative-infinite best loss, a wait that would have cut already, a cooldown longer
    /// than its own, a scale outside `[0, 1]`.
    fn check_words(&self, words: &[u8]) -> Result<(), StateError> {
        let bad = |word| Err(StateError::Extra { word });
        if !f64::from_bits(word(words, 0)).is_finite() {
            return bad(0);
        }
        let best = f64::from_bits(word(words, 1));
        if best.is_nan() || best == f64::NEG_INFINITY {
            return bad(1);
        }
        if word(words, 2) >= self.patience.max(1) as u64 {
            return bad(2);
        }
        if word(words, 3) > self.cooldown as u64 {
            return bad(3);
        }
        if !(0.0..=1.0).contains(&f64::from_bits(word(words, 4))) {
            return bad(4);
        }
        Ok(())
    }
}

/// The wrapped optimizer's state, and the plateau's counters as the first extra words (the
/// wrapped optimizer's own extra words follow).
///
#[cfg_attr(feature = "alloc", doc = "```")]
#[cfg_attr(not(feature = "alloc"), doc = "```ignore")]
/// use dl_core::optim::{OptimizerState, StateError};
/// use dl_core::prelude::*;
///
/// network! { struct Line { Dense<1, 1, Identity> } }
///
/// let plateau = ReduceLrOnPlateau::new(0.5, 1);
/// let mut opt = plateau.wrap(Adam::<f64, LineGradient<f64>>::new(0.1));
/// let e = |loss| Epoch { train_loss: loss, ..Epoch::BLANK };
/// for loss in [1.0, 0.5, 0.7] {
///     plateau.observe(&e(loss)); // 0.7 is no better than 0.5: cut
/// }
/// assert_eq!(opt.learning_rate(), 0.05);
/// let saved = opt.state_to_vec();
///
/// let resumed_plateau = ReduceLrOnPlateau::new(0.5, 1);
/// let mut resumed = resumed_plateau.wrap(Adam::<f64, LineGradient<f64>>::new(0.1));
/// resumed.load_state(&saved).expect("the state of the same optimizer and plateau");
/// assert_eq!((resumed.learning_rate(), resumed_plateau.scale()), (0.05, 0.5));
/// // Adam's state alone is not the plateau-driven optimizer's: 5 words shorter.
/// let adam = Adam::<f64, LineGradient<f64>>::new(0.1).state_to_vec();
/// assert!(matches!(resumed.load_state(&adam), Err(StateError::Length { .. })));
/// ```
impl<T: Float, O: OptimizerState<T>> OptimizerState<T> for OnPlateau<'_, O> {
    const NAME: &'static str = O::NAME;
    const STATE_TENSORS: usize = O::STATE_TENSORS;
    const STATE_SCALARS: usize = O::STATE_SCALARS;
    const EXTRA_WORDS: usize = WORDS + O::EXTRA_WORDS;

    fn state_tensor(&self, i: usize) -> &[T] {
        self.optimizer.state_tensor(i)
    }
    fn state_tensor_mut(&mut self, i: usize) -> &mut [T] {
        self.optimizer.state_tensor_mut(i)
    }
    fn position(&self) -> u64 {
        self.optimizer.position()
    }
    fn set_counters(&mut self, steps: u64, position: u64) {
        self.optimizer.set_counters(steps, position);
    }

    fn save_extra(&self, out: &mut [u8]) {
        let p = self.plateau;
        let words = [
            self.base_lr.to_bits(),
            p.best.get().to_bits(),
            p.wait.get() as u64,
            p.cooling.get() as u64,
            p.scale.get().to_bits(),
        ];
        for (chunk, w) in out.chunks_exact_mut(8).zip(words) {
            chunk.copy_from_slice(&w.to_le_bytes());
        }
        self.optimizer.save_extra(&mut out[8 * WORDS..]);
    }

    fn check_extra(&self, words: &[u8]) -> Result<(), StateError> {
        self.plateau.check_words(words)?;
        match self.optimizer.check_extra(&words[8 * WORDS..]) {
            Err(StateError::Extra { word }) => Err(StateError::Extra { word: WORDS + word }),
            other => other,
        }
    }

    fn load_extra(&mut self, words: &[u8]) {
        self.optimizer.load_extra(&words[8 * WORDS..]);
        let p = self.plateau;
        self.base_lr = f64::from_bits(word(words, 0));
        p.best.set(f64::from_bits(word(words, 1)));
        // Both were checked against the plateau's patience and cooldown, which are usizes.
        p.wait.set(word(words, 2) as usize);
        p.cooling.set(word(words, 3) as usize);
        p.scale.set(f64::from_bits(word(words, 4)));
        self.apply();
    }
}
