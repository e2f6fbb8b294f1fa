//! An optimizer's state (Adam's moments, momentum buffers, accumulators, step count, schedule
//! position, learning rate, a plateau's counters) as bytes, saved with a checkpoint so that
//! training resumes where it stopped and trains the same weights, bit for bit, as a run that
//! never stopped. The bytes' layout is documented on [`STATE_VERSION`](super::STATE_VERSION).
//!
//! Loading checks every field before it writes anything, and refuses NaN and infinities.

use super::state_format::{fnv1a, read_header, seal, write_header, Shape};
use super::{Adagrad, Adam, AdamW, OptimizerBase, RmsProp, Sgd, SgdMomentum};
use super::{StateError, STATE_HEADER_BYTES};
use crate::bytes::{read_scalar, write_scalar};
use crate::float::Float;
use crate::network::Params;
use crate::schedule::{Schedule, Scheduled};

/// An optimizer whose state can be saved and restored: its state tensors, its counters, its
/// learning rate and a wrapper's counters (a plateau's), in the layout documented on
/// [`STATE_VERSION`](super::STATE_VERSION).
///
#[cfg_attr(feature = "alloc", doc = "```")]
#[cfg_attr(not(feature = "alloc"), doc = "```ignore")]
/// use dl_core::prelude::*;
/// use dl_core::optim::OptimizerState;
///
/// network! {
///     struct Line { Dense<1, 1, Identity> }
/// }
///
/// let xs = [[0.0], [1.0]].map(SVector::<f32, 1>::from);
/// let ys = [[1.0], [3.0]].map(SVector::<f32, 1>::from);
/// let (mut net, mut ws) = (Line::<f32>::new(1), Workspace::new());
/// let mut adam = Adam::new(0.1);
/// train_batch::<_, Mse, _>(&mut net, &mut adam, &xs, &ys, &mut ws)?;
/// let saved = adam.state_to_vec(); // moments, step count, learning rate
///
/// let mut resumed = Adam::new(0.1);
/// resumed.load_state(&saved).expect("the state of the same optimizer and network");
/// let mut copy = net.clone();
/// train_batch::<_, Mse, _>(&mut net, &mut adam, &xs, &ys, &mut ws)?;
/// train_batch::<_, Mse, _>(&mut copy, &mut resumed, &xs, &ys, &mut ws)?;
/// assert_eq!(copy, net); // bit for bit
/// assert!(Sgd::<f32>::new(0.1).load_state(&saved).is_err()); // another optimizer's state
/// # Ok::<(), dl_core::error::Error>(())
/// ```
pub trait OptimizerState<T: Float>: OptimizerBase {
    /// The optimizer's name, whose fingerprint the saved bytes carry.
    const NAME: &'static str;
    /// The number of state tensors.
    const STATE_TENSORS: usize;
    /// The number of state scalars.
    const STATE_SCALARS: usize;
    /// The 64-bit words a wrapper keeps beside the tensors and counters (a
    /// [`ReduceLrOnPlateau`](crate::schedule::ReduceLrOnPlateau)'s best loss, wait, cooldown
    /// and scale): none for the optimizers themselves.
    const EXTRA_WORDS: usize = 0;
    /// The length of the saved bytes.
    const SAVED_BYTES: usize = STATE_HEADER_BYTES
        + 8 * Self::EXTRA_WORDS
        + Self::STATE_SCALARS * core::mem::size_of::<T>();

    /// State tensor `i`, `i < STATE_TENSORS`.
    fn state_tensor(&self, i: usize) -> &[T];
    /// State tensor `i`, mutable.
    fn state_tensor_mut(&mut self, i: usize) -> &mut [T];
    /// The schedule's position (0 without a schedule).
    fn position(&self) -> u64 {
        0
    }
    /// Sets the step count and the schedule position.
    fn set_counters(&mut self, steps: u64, position: u64);

    /// Writes the extra words into `out` (`8 * EXTRA_WORDS` bytes, little-endian).
    fn save_extra(&self, out: &mut [u8]) {
        let _ = out;
    }
    /// Refuses extra words (`8 * EXTRA_WORDS` bytes) this optimizer can never hold, with
    /// [`StateError::Extra`]; changes nothing.
    fn check_extra(&self, words: &[u8]) -> Result<(), StateError> {
        let _ = words;
        Ok(())
    }
    /// Restores the extra words (checked by [`check_extra`](Self::check_extra)). Called last
    /// when loading, after the counters and the learning rate.
    fn load_extra(&mut self, words: &[u8]) {
        let _ = words;
    }

    /// Writes the state into `out`, exactly [`SAVED_BYTES`](Self::SAVED_BYTES) long.
    fn save_state(&self, out: &mut [u8]) -> Result<(), StateError> {
        let shape = shape::<T, Self>();
        if out.len() != Self::SAVED_BYTES {
            return Err(StateError::Length {
                expected: Self::SAVED_BYTES,
                found: out.len(),
            });
        }
        let lr = self.learning_rate();
        write_header(out, &shape, self.steps(), self.position(), lr);
        let at = STATE_HEADER_BYTES + 8 * Self::EXTRA_WORDS;
        self.save_extra(&mut out[STATE_HEADER_BYTES..at]);
        let width = core::mem::size_of::<T>();
        let mut scalars = out[at..].chunks_exact_mut(width);
        for i in 0..Self::STATE_TENSORS {
            for (&x, b) in self.state_tensor(i).iter().zip(&mut scalars) {
                write_scalar(x, b);
            }
        }
        seal(out);
        Ok(())
    }

    /// Restores the state from `bytes` written by [`save_state`](Self::save_state) for the
    /// same optimizer type (and so the same network), in this format version or version 1.
    /// All or nothing: on an error the optimizer is unchanged.
    fn load_state(&mut self, bytes: &[u8]) -> Result<(), StateError> {
        let header = read_header(bytes, &shape::<T, Self>())?;
        self.check_extra(&bytes[header.extra.clone()])?;
        let width = core::mem::size_of::<T>();
        let scalars = bytes[header.scalars_at..].chunks_exact(width);
        if let Some(index) = scalars.clone().position(|b| !read_scalar::<T>(b).finite()) {
            return Err(StateError::NonFinite { index });
        }
        let mut scalars = scalars.map(read_scalar::<T>);
        for i in 0..Self::STATE_TENSORS {
            for (x, v) in self.state_tensor_mut(i).iter_mut().zip(&mut scalars) {
                *x = v;
            }
        }
        self.set_counters(header.steps, header.position);
        self.set_learning_rate(header.learning_rate);
        self.load_extra(&bytes[header.extra]);
        Ok(())
    }

    /// The state as a new vector of [`SAVED_BYTES`](Self::SAVED_BYTES) bytes.
    #[cfg(feature = "alloc")]
    fn state_to_vec(&self) -> alloc::vec::Vec<u8> {
        let mut out = alloc::vec![0; Self::SAVED_BYTES];
        // The length is right by construction.
        let _ = self.save_state(&mut out);
        out
    }
}

/// What `O`'s type says its saved bytes hold.
fn shape<T: Float, O: OptimizerState<T> + ?Sized>() -> Shape {
    Shape {
        scalar_bytes: core::mem::size_of::<T>(),
        name: fnv1a(O::NAME),
        tensors: O::STATE_TENSORS,
        scalars: O::STATE_SCALARS,
        extra_words: O::EXTRA_WORDS,
    }
}

/// The [`OptimizerState`] tensor accessors over state buffers `$field: $ty` in order.
macro_rules! state_buffers {
    ($t:ty; $($field:ident: $ty:ty),*) => {
        const STATE_TENSORS: usize = 0 $(+ <$ty as Params<$t>>::TENSORS)*;
        const STATE_SCALARS: usize = 0 $(+ <$ty as Params<$t>>::COUNT)*;
        #[allow(unused_mut, unused_variables, unused_assignments)]
        fn state_tensor(&self, i: usize) -> &[$t] {
            let mut i = i;
            $(
                if i < <$ty as Params<$t>>::TENSORS {
                    return self.$field.tensor(i);
                }
                i -= <$ty as Params<$t>>::TENSORS;
            )*
            &[]
        }
        #[allow(unused_mut, unused_variables, unused_assignments)]
        fn state_tensor_mut(&mut self, i: usize) -> &mut [$t] {
            let mut i = i;
            $(
                if i < <$ty as Params<$t>>::TENSORS {
                    return self.$field.tensor_mut(i);
                }
                i -= <$ty as Params<$t>>::TENSORS;
            )*
            &mut []
        }
        fn set_counters(&mut self, steps: u64, _position: u64) {
            self.steps = steps;
        }
    };
}

impl<T: Float> OptimizerState<T> for Sgd<T> {
    const NAME: &'static str = "sgd";
    state_buffers!(T;);
}

impl<T: Float, G: Params<T>> OptimizerState<T> for SgdMomentum<T, G> {
    const NAME: &'static str = "sgd_momentum";
    state_buffers!(T; buffer: G);
}

impl<T: Float, G: Params<T>> OptimizerState<T> for Adagrad<T, G> {
    const NAME: &'static str = "adagrad";
    state_buffers!(T; sum_squares: G);
}

impl<T: Float, G: Params<T>, M: Params<T>, C: Params<T>> OptimizerState<T> for RmsProp<T, G, M, C> {
    const NAME: &'static str = "rmsprop";
    state_buffers!(T; square_avg: G, momentum_buffer: M, grad_avg: C);
}

impl<T: Float, G: Params<T>> OptimizerState<T> for Adam<T, G> {
    const NAME: &'static str = "adam";
    state_buffers!(T; m: G, v: G);
}

impl<T: Float, G: Params<T>> OptimizerState<T> for AdamW<T, G> {
    const NAME: &'static str = "adamw";
    const STATE_TENSORS: usize = <Adam<T, G> as OptimizerState<T>>::STATE_TENSORS;
    const STATE_SCALARS: usize = <Adam<T, G> as OptimizerState<T>>::STATE_SCALARS;
    fn state_tensor(&self, i: usize) -> &[T] {
        self.adam.state_tensor(i)
    }
    fn state_tensor_mut(&mut self, i: usize) -> &mut [T] {
        self.adam.state_tensor_mut(i)
    }
    fn set_counters(&mut self, steps: u64, position: u64) {
        self.adam.set_counters(steps, position);
    }
}

/// The wrapped optimizer's state and the schedule's position.
impl<T: Float, O: OptimizerState<T>, S: Schedule> OptimizerState<T> for Scheduled<O, S> {
    const NAME: &'static str = O::NAME;
    const STATE_TENSORS: usize = O::STATE_TENSORS;
    const STATE_SCALARS: usize = O::STATE_SCALARS;
    const EXTRA_WORDS: usize = O::EXTRA_WORDS;
    fn state_tensor(&self, i: usize) -> &[T] {
        self.optimizer.state_tensor(i)
    }
    fn state_tensor_mut(&mut self, i: usize) -> &mut [T] {
        self.optimizer.state_tensor_mut(i)
    }
    fn position(&self) -> u64 {
        Scheduled::position(self)
    }
    fn set_counters(&mut self, steps: u64, position: u64) {
        self.optimizer.set_counters(steps, 0);
        self.set_position(position);
    }
    fn save_extra(&self, out: &mut [u8]) {
        self.optimizer.save_extra(out);
    }
    fn check_extra(&self, words: &[u8]) -> Result<(), StateError> {
        self.optimizer.check_extra(words)
    }
    fn load_extra(&mut self, words: &[u8]) {
        self.optimizer.load_extra(words);
    }
}
