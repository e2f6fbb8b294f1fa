//! An optimizer's state (Adam's moments, momentum buffers, accumulators, step count, schedule
//! position, learning rate) as bytes, saved with a checkpoint so that training resumes where
//! it stopped and trains the same weights, bit for bit, as a run that never stopped.
//!
//! # Format (version 1)
//!
//! Every integer and every scalar is little-endian, whatever the target.
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0  | 4 | magic `DLOS` |
//! | 4  | 2 | format version, [`STATE_VERSION`] |
//! | 6  | 2 | bytes of one scalar: 4 (`f32`) or 8 (`f64`) |
//! | 8  | 8 | FNV-1a (64 bit) of the optimizer's [`NAME`](OptimizerState::NAME) |
//! | 16 | 4 | number of state tensors |
//! | 20 | 4 | CRC-32 (IEEE) of every byte except these four |
//! | 24 | 8 | updates applied ([`steps`](OptimizerBase::steps)) |
//! | 32 | 8 | schedule position (0 without a schedule) |
//! | 40 | 8 | learning rate, `f64` bits |
//! | 48 | 8 | number of state scalars |
//! | 56 | `scalars * scalar bytes` | the state tensors, buffer after buffer |
//!
//! Loading checks every field before it writes anything, and refuses NaN and infinities.

use super::{Adagrad, Adam, AdamW, OptimizerBase, RmsProp, Sgd, SgdMomentum};
use crate::bytes::{crc32_without, read_scalar, write_scalar};
use crate::float::Float;
use crate::network::Params;
use crate::schedule::{Schedule, Scheduled};

/// The four bytes every saved optimizer state starts with.
pub const STATE_MAGIC: [u8; 4] = *b"DLOS";
/// The format version this crate writes and reads.
pub const STATE_VERSION: u16 = 1;
/// Bytes before the state scalars.
pub const STATE_HEADER_BYTES: usize = 56;
const CHECKSUM_AT: usize = 20;

/// Why a saved state was refused. Loading returns it and leaves the optimizer untouched.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StateError {
    /// The bytes are not [`OptimizerState::SAVED_BYTES`] long (or the output buffer is not).
    #[error("the optimizer state has the wrong length: {found} bytes, expected {expected}")]
    Length {
        /// This optimizer's length.
        expected: usize,
        /// The length given.
        found: usize,
    },
    /// The bytes do not start with [`STATE_MAGIC`].
    #[error("the optimizer state does not start with DLOS")]
    Magic,
    /// Another format version.
    #[error("the optimizer state has format version {found}, expected {STATE_VERSION}")]
    Version {
        /// The version in the bytes.
        found: u16,
    },
    /// Another scalar type, another optimizer, or another number of state tensors or scalars
    /// (the state of another network).
    #[error("the optimizer state was saved by another optimizer ({what} differs)")]
    Mismatch {
        /// The field that differs.
        what: StateField,
    },
    /// The bytes were changed after they were written.
    #[error(
        "the optimizer state fails its CRC-32: stored {stored:#010x}, computed {computed:#010x}"
    )]
    Checksum {
        /// The CRC-32 stored.
        stored: u32,
        /// The CRC-32 of the bytes as they are.
        computed: u32,
    },
    /// A state value or the learning rate is NaN or infinite.
    #[error("the optimizer state holds a non-finite value at scalar {index}")]
    NonFinite {
        /// The scalar's index (the learning rate is `usize::MAX`).
        index: usize,
    },
}

/// The header field that differs in [`StateError::Mismatch`]: an enum, so code can tell
/// another optimizer from another network without comparing strings. Its `Display` is the
/// words the message uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StateField {
    /// The scalar type (`f32` or `f64`).
    #[error("scalar type")]
    ScalarType,
    /// The optimizer (the FNV-1a of its [`NAME`](OptimizerState::NAME)).
    #[error("optimizer")]
    Optimizer,
    /// The number of state tensors.
    #[error("tensors")]
    Tensors,
    /// The number of state scalars.
    #[error("scalars")]
    Scalars,
}

/// An optimizer whose state can be saved and restored: its state tensors, its counters and
/// its learning rate.
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
    /// The length of the saved bytes.
    const SAVED_BYTES: usize = STATE_HEADER_BYTES + Self::STATE_SCALARS * core::mem::size_of::<T>();

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

    /// Writes the state into `out`, exactly [`SAVED_BYTES`](Self::SAVED_BYTES) long.
    fn save_state(&self, out: &mut [u8]) -> Result<(), StateError> {
        if out.len() != Self::SAVED_BYTES {
            return Err(StateError::Length {
                expected: Self::SAVED_BYTES,
                found: out.len(),
            });
        }
        out[..4].copy_from_slice(&STATE_MAGIC);
        out[4..6].copy_from_slice(&STATE_VERSION.to_le_bytes());
        out[6..8].copy_from_slice(&(core::mem::size_of::<T>() as u16).to_le_bytes());
        out[8..16].copy_from_slice(&fnv1a(Self::NAME).to_le_bytes());
        out[16..20].copy_from_slice(&(Self::STATE_TENSORS as u32).to_le_bytes());
        out[24..32].copy_from_slice(&self.steps().to_le_bytes());
        out[32..40].copy_from_slice(&self.position().to_le_bytes());
        out[40..48].copy_from_slice(&self.learning_rate().to_bits().to_le_bytes());
        out[48..56].copy_from_slice(&(Self::STATE_SCALARS as u64).to_le_bytes());
        let width = core::mem::size_of::<T>();
        let mut at = STATE_HEADER_BYTES;
        for i in 0..Self::STATE_TENSORS {
            for &x in self.state_tensor(i) {
                write_scalar(x, &mut out[at..at + width]);
                at += width;
            }
        }
        let crc = checksum(out);
        out[CHECKSUM_AT..CHECKSUM_AT + 4].copy_from_slice(&crc.to_le_bytes());
        Ok(())
    }

    /// Restores the state from `bytes` written by [`save_state`](Self::save_state) for the
    /// same optimizer type (and so the same network). All or nothing: on an error the
    /// optimizer is unchanged.
    fn load_state(&mut self, bytes: &[u8]) -> Result<(), StateError> {
        if bytes.len() != Self::SAVED_BYTES {
            return Err(StateError::Length {
                expected: Self::SAVED_BYTES,
                found: bytes.len(),
            });
        }
        if bytes[..4] != STATE_MAGIC {
            return Err(StateError::Magic);
        }
        let u16_at = |i: usize| u16::from_le_bytes([bytes[i], bytes[i + 1]]);
        let u64_at = |i: usize| {
            let mut b = [0; 8];
            b.copy_from_slice(&bytes[i..i + 8]);
            u64::from_le_bytes(b)
        };
        let version = u16_at(4);
        if version != STATE_VERSION {
            return Err(StateError::Version { found: version });
        }
        let stored = u32::from_le_bytes([bytes[20], bytes[21], bytes[22], bytes[23]]);
        let computed = checksum(bytes);
        if stored != computed {
            return Err(StateError::Checksum { stored, computed });
        }
        let mismatch = |what| Err(StateError::Mismatch { what });
        if usize::from(u16_at(6)) != core::mem::size_of::<T>() {
            return mismatch(StateField::ScalarType);
        }
        if u64_at(8) != fnv1a(Self::NAME) {
            return mismatch(StateField::Optimizer);
        }
        if u32::from_le_bytes([bytes[16], bytes[17], bytes[18], bytes[19]]) as usize
            != Self::STATE_TENSORS
        {
            return mismatch(StateField::Tensors);
        }
        if u64_at(48) != Self::STATE_SCALARS as u64 {
            return mismatch(StateField::Scalars);
        }
        let lr = f64::from_bits(u64_at(40));
        if !lr.is_finite() {
            return Err(StateError::NonFinite { index: usize::MAX });
        }
        let width = core::mem::size_of::<T>();
        let scalars = bytes[STATE_HEADER_BYTES..].chunks_exact(width);
        if let Some(index) = scalars.clone().position(|b| !read_scalar::<T>(b).finite()) {
            return Err(StateError::NonFinite { index });
        }
        let mut scalars = scalars.map(read_scalar::<T>);
        for i in 0..Self::STATE_TENSORS {
            for (x, v) in self.state_tensor_mut(i).iter_mut().zip(&mut scalars) {
                *x = v;
            }
        }
        self.set_counters(u64_at(24), u64_at(32));
        self.set_learning_rate(lr);
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

/// The CRC-32 of `bytes` without its checksum field.
fn checksum(bytes: &[u8]) -> u32 {
    crc32_without(bytes, CHECKSUM_AT, CHECKSUM_AT + 4)
}

/// FNV-1a, 64 bit.
const fn fnv1a(text: &str) -> u64 {
    let bytes = text.as_bytes();
    let mut hash = 0xcbf2_9ce4_8422_2325u64;
    let mut i = 0;
    while i < bytes.len() {
        hash ^= bytes[i] as u64;
        hash = hash.wrapping_mul(0x0100_0000_01b3);
        i += 1;
    }
    hash
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
}
