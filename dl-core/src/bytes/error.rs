//! Why an image was refused.

#[cfg(doc)]
use super::{ParamBytes, MAGIC, VERSION};

/// Why an image was refused. Import returns it and leaves the network untouched.
///
/// ```
/// use dl_core::prelude::*;
/// network! { struct Small { Dense<2, 3, Tanh>, Dense<3, 1, Identity> } }
/// let net = Small::<f32>::new(1);
/// let mut image = [0u8; <Small<f32> as ParamBytes>::BYTES];
/// net.export_bytes(&mut image)?;
/// let mut other = Small::<f32>::ZERO;
/// let short = other.import_bytes(&image[..10]);
/// assert_eq!(short, Err(BytesError::Length { expected: image.len(), found: 10 }));
/// image[0] = b'X';
/// assert!(matches!(other.import_bytes(&image), Err(BytesError::Magic { .. })));
/// assert_eq!(other, Small::<f32>::ZERO); // refused images change nothing
/// # Ok::<(), BytesError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BytesError {
    /// The image is not [`ParamBytes::BYTES`] long (or the output buffer of an export is not).
    #[error("the parameter image has the wrong length: {found} bytes, expected {expected}")]
    Length {
        /// The length this network's image has.
        expected: usize,
        /// The length given.
        found: usize,
    },
    /// The image does not start with [`MAGIC`]: it is not a `dl` parameter image.
    #[error("the parameter image does not start with DLNN: found {found:?}")]
    Magic {
        /// The first four bytes found.
        found: [u8; 4],
    },
    /// The image was written in another format version.
    #[error(
        "the parameter image has another format version: version {found}, expected {expected}"
    )]
    Version {
        /// [`VERSION`].
        expected: u16,
        /// The version in the image.
        found: u16,
    },
    /// The image holds another scalar type (e.g. `f64` weights for an `f32` network).
    #[error("the parameter image holds another scalar type: {found}-byte scalars, expected {expected}-byte")]
    Scalar {
        /// Bytes of this network's scalar.
        expected: u16,
        /// Bytes of the image's scalar.
        found: u16,
    },
    /// The image was made by a network with other layers.
    #[error("the parameter image was made by a network with other layers: fingerprint {found:#018x}, expected {expected:#018x}")]
    Architecture {
        /// This network's fingerprint.
        expected: u64,
        /// The image's fingerprint.
        found: u64,
    },
    /// The image holds another number of parameters.
    #[error("the parameter image holds another parameter count: {found} parameters, expected {expected}")]
    Params {
        /// This network's parameter count.
        expected: usize,
        /// The image's parameter count.
        found: usize,
    },
    /// The bytes were changed after the image was written.
    #[error("the parameter image fails its CRC-32 checksum: stored {stored:#010x}, computed {computed:#010x}")]
    Checksum {
        /// The CRC-32 stored in the header.
        stored: u32,
        /// The CRC-32 of the bytes as they are.
        computed: u32,
    },
    /// Parameter number `index` (in image order) is NaN or infinite.
    #[error("the parameter image holds a NaN or infinity: parameter {index}")]
    NonFinite {
        /// Its index among the parameters.
        index: usize,
    },
    /// An int8 image (`dl_core::quant`) holds an out-of-range scale, zero point, rescale
    /// or clamp at byte `at`.
    #[error("the int8 parameter image holds an out-of-range quantisation parameter at byte {at}")]
    Quantization {
        /// Its byte offset in the image.
        at: usize,
    },
}

impl BytesError {
    /// A fixed description, usable in `const` panics (where formatting is not available).
    pub const fn message(&self) -> &'static str {
        match self {
            BytesError::Length { .. } => "the parameter image has the wrong length",
            BytesError::Magic { .. } => "the parameter image does not start with DLNN",
            BytesError::Version { .. } => "the parameter image has another format version",
            BytesError::Scalar { .. } => "the parameter image holds another scalar type",
            BytesError::Architecture { .. } => {
                "the parameter image was made by a network with other layers"
            }
            BytesError::Params { .. } => "the parameter image holds another parameter count",
            BytesError::Checksum { .. } => "the parameter image fails its CRC-32 checksum",
            BytesError::NonFinite { .. } => "the parameter image holds a NaN or infinity",
            BytesError::Quantization { .. } => {
                "the int8 parameter image holds an out-of-range quantisation parameter"
            }
        }
    }
}
