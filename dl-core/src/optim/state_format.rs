//! The bytes of a saved optimizer state (DLOS): the header, its checks and its errors. The
//! [`OptimizerState`](super::OptimizerState) trait writes and reads them; the layout is
//! documented on [`STATE_VERSION`], where users see it.

use crate::bytes::crc32_without;

/// The four bytes every saved optimizer state starts with.
pub const STATE_MAGIC: [u8; 4] = *b"DLOS";
/// The format version this crate writes (it also reads version 1).
///
/// # Format (version 2)
///
/// Every integer and every scalar is little-endian, whatever the target.
///
/// | offset | size | field |
/// |---|---|---|
/// | 0  | 4 | magic `DLOS` |
/// | 4  | 2 | format version, [`STATE_VERSION`] |
/// | 6  | 2 | bytes of one scalar: 4 (`f32`) or 8 (`f64`) |
/// | 8  | 8 | FNV-1a (64 bit) of the optimizer's [`NAME`](super::OptimizerState::NAME) |
/// | 16 | 4 | number of state tensors |
/// | 20 | 4 | CRC-32 (IEEE) of every byte except these four |
/// | 24 | 8 | updates applied ([`steps`](super::OptimizerBase::steps)) |
/// | 32 | 8 | schedule position (0 without a schedule) |
/// | 40 | 8 | learning rate, `f64` bits |
/// | 48 | 8 | number of state scalars |
/// | 56 | 8 | number of extra words `w` ([`EXTRA_WORDS`](super::OptimizerState::EXTRA_WORDS)) |
/// | 64 | `8 w` | the extra words: a wrapper's counters (a [`ReduceLrOnPlateau`]'s) |
/// | `64 + 8 w` | `scalars * scalar bytes` | the state tensors, buffer after buffer |
///
/// Version 1 had no extra words (its scalars start at 56); an optimizer without extra words
/// still reads it, so checkpoints written before version 2 load as they did.
///
/// An early-stopping rule's counters ([`EarlyStoppingState`]) are saved in the same layout,
/// version 2 only: name `early_stopping`, scalar bytes 8, no tensors or scalars, counters 0,
/// learning rate 0, and three extra words: the best loss (`f64` bits), the epochs waited, and
/// the best epoch (0 for none).
///
/// [`EarlyStoppingState`]: crate::fit::EarlyStoppingState
///
/// [`ReduceLrOnPlateau`]: crate::schedule::ReduceLrOnPlateau
pub const STATE_VERSION: u16 = 2;
/// Bytes before the extra words (and, without them, before the state scalars).
pub const STATE_HEADER_BYTES: usize = 64;
/// Version 1's header: no count of extra words.
const V1_HEADER_BYTES: usize = 56;
const CHECKSUM_AT: usize = 20;

/// Why a saved state was refused. Loading returns it and leaves the optimizer untouched.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StateError {
    /// The bytes are not [`OptimizerState::SAVED_BYTES`] long (or the output buffer is not).
    ///
    /// [`OptimizerState::SAVED_BYTES`]: super::OptimizerState::SAVED_BYTES
    #[error("the optimizer state has the wrong length: {found} bytes, expected {expected}")]
    Length {
        /// This optimizer's length (in the version the bytes say).
        expected: usize,
        /// The length given.
        found: usize,
    },
    /// The bytes do not start with [`STATE_MAGIC`].
    #[error("the optimizer state does not start with DLOS")]
    Magic,
    /// A format version this crate does not read.
    #[error("the optimizer state has format version {found}, expected {STATE_VERSION} or 1")]
    Version {
        /// The version in the bytes.
        found: u16,
    },
    /// Another scalar type, another optimizer, another number of state tensors or scalars
    /// (the state of another network), or another wrapper.
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
    /// An extra word holds a value its wrapper can never be in (a NaN best loss, a plateau
    /// scale outside `(0, 1]`, a wait past the patience...).
    #[error("the optimizer state holds an impossible value in extra word {word}")]
    Extra {
        /// The word's index among the extra words.
        word: usize,
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
    /// The optimizer (the FNV-1a of its [`NAME`](super::OptimizerState::NAME)).
    #[error("optimizer")]
    Optimizer,
    /// The number of state tensors.
    #[error("tensors")]
    Tensors,
    /// The number of state scalars.
    #[error("scalars")]
    Scalars,
    /// The number of extra words: a wrapped optimizer's state (a plateau's) and the state of
    /// the optimizer alone differ here.
    #[error("extra words")]
    Extra,
}

/// What an optimizer's type says its saved bytes must hold.
#[derive(Clone, Copy)]
pub(crate) struct Shape {
    pub(crate) scalar_bytes: usize,
    pub(crate) name: u64,
    pub(crate) tensors: usize,
    pub(crate) scalars: usize,
    pub(crate) extra_words: usize,
}

impl Shape {
    /// The length of the bytes in `version`'s layout.
    pub(crate) const fn length(&self, version: u16) -> usize {
        let header = if version == 1 {
            V1_HEADER_BYTES
        } else {
            STATE_HEADER_BYTES + 8 * self.extra_words
        };
        header + self.scalars * self.scalar_bytes
    }
}

/// The counters of a saved state, and where its extra words and scalars lie.
pub(crate) struct Header {
    pub(crate) steps: u64,
    pub(crate) position: u64,
    pub(crate) learning_rate: f64,
    pub(crate) extra: core::ops::Range<usize>,
    pub(crate) scalars_at: usize,
}

/// Writes the version-2 header of `shape` with these counters into `out` (already checked to
/// be `shape.length(STATE_VERSION)` long), leaving the checksum to [`seal`].
pub(crate) fn write_header(out: &mut [u8], shape: &Shape, steps: u64, position: u64, lr: f64) {
    out[..4].copy_from_slice(&STATE_MAGIC);
    out[4..6].copy_from_slice(&STATE_VERSION.to_le_bytes());
    out[6..8].copy_from_slice(&(shape.scalar_bytes as u16).to_le_bytes());
    out[8..16].copy_from_slice(&shape.name.to_le_bytes());
    out[16..20].copy_from_slice(&(shape.tensors as u32).to_le_bytes());
    out[24..32].copy_from_slice(&steps.to_le_bytes());
    out[32..40].copy_from_slice(&position.to_le_bytes());
    out[40..48].copy_from_slice(&lr.to_bits().to_le_bytes());
    out[48..56].copy_from_slice(&(shape.scalars as u64).to_le_bytes());
    out[56..64].copy_from_slice(&(shape.extra_words as u64).to_le_bytes());
}

/// Writes the checksum of everything else into its field.
pub(crate) fn seal(out: &mut [u8]) {
    let crc = checksum(out);
    out[CHECKSUM_AT..CHECKSUM_AT + 4].copy_from_slice(&crc.to_le_bytes());
}

/// The word at byte `at` of `bytes`.
pub(crate) fn word(bytes: &[u8], at: usize) -> u64 {
    let mut b = [0; 8];
    b.copy_from_slice(&bytes[at..at + 8]);
    u64::from_le_bytes(b)
}

/// Checks every header field of `bytes` against `shape`, in order: length (of the version the
/// bytes say), magic, version, checksum, then each field. Reads nothing past the header.
pub(crate) fn read_header(bytes: &[u8], shape: &Shape) -> Result<Header, StateError> {
    let current = shape.length(STATE_VERSION);
    let length = |expected| StateError::Length {
        expected,
        found: bytes.len(),
    };
    if bytes.len() < 6 {
        return Err(length(current));
    }
    if bytes[..4] != STATE_MAGIC {
        return Err(StateError::Magic);
    }
    let version = u16::from_le_bytes([bytes[4], bytes[5]]);
    if version != STATE_VERSION && version != 1 {
        return Err(StateError::Version { found: version });
    }
    let expected = shape.length(version);
    if bytes.len() != expected {
        return Err(length(expected));
    }
    let stored = u32::from_le_bytes([bytes[20], bytes[21], bytes[22], bytes[23]]);
    let computed = checksum(bytes);
    if stored != computed {
        return Err(StateError::Checksum { stored, computed });
    }
    let mismatch = |what| Err(StateError::Mismatch { what });
    if usize::from(u16::from_le_bytes([bytes[6], bytes[7]])) != shape.scalar_bytes {
        return mismatch(StateField::ScalarType);
    }
    if word(bytes, 8) != shape.name {
        return mismatch(StateField::Optimizer);
    }
    if u32::from_le_bytes([bytes[16], bytes[17], bytes[18], bytes[19]]) as usize != shape.tensors {
        return mismatch(StateField::Tensors);
    }
    if word(bytes, 48) != shape.scalars as u64 {
        return mismatch(StateField::Scalars);
    }
    let extra_words = if version == 1 { 0 } else { word(bytes, 56) };
    if extra_words != shape.extra_words as u64 {
        return mismatch(StateField::Extra);
    }
    let learning_rate = f64::from_bits(word(bytes, 40));
    if !learning_rate.is_finite() {
        return Err(StateError::NonFinite { index: usize::MAX });
    }
    let scalars_at = expected - shape.scalars * shape.scalar_bytes;
    Ok(Header {
        steps: word(bytes, 24),
        position: word(bytes, 32),
        learning_rate,
        extra: STATE_HEADER_BYTES.min(scalars_at)..scalars_at,
        scalars_at,
    })
}

/// The CRC-32 of `bytes` without its checksum field.
fn checksum(bytes: &[u8]) -> u32 {
    crc32_without(bytes, CHECKSUM_AT, CHECKSUM_AT + 4)
}

/// FNV-1a, 64 bit.
pub(crate) const fn fnv1a(text: &str) -> u64 {
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
