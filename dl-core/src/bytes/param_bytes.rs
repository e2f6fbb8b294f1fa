//! Export and import of a whole network's image ([`ParamBytes`], for every [`Network`]).

use super::error::BytesError;
use super::fingerprint::fingerprint;
use super::layout::Layout;
use super::scalar::{read_scalar, write_scalar};
use super::HEADER_BYTES;
use crate::float::Float;
use crate::network::Network;

/// Export to and import from the byte image described in the [module docs](super).
/// Implemented for every [`Network`].
///
/// ```
/// use dl_core::prelude::*;
/// network! { struct Small { Dense<2, 3, Tanh>, Dense<3, 1, Identity> } }
/// let net = Small::<f64>::new(4);
/// let mut image = [0u8; <Small<f64> as ParamBytes>::BYTES];
/// net.export_bytes(&mut image)?;
/// let mut copy = Small::<f64>::ZERO;
/// copy.import_bytes(&image)?;
/// assert_eq!(copy, net); // bit for bit
/// # Ok::<(), BytesError>(())
/// ```
pub trait ParamBytes: Network {
    /// The length of the image, header included: `24 + PARAM_BYTES`.
    const BYTES: usize = HEADER_BYTES + Self::PARAM_BYTES;
    /// The architecture fingerprint, computed at compile time from [`Network::SUMMARY`].
    const ARCHITECTURE: u64 = fingerprint(&Self::SUMMARY);
    /// The header this network's images carry.
    const LAYOUT: Layout = Layout::of::<Self>();

    /// Writes the image into `out`, which must be exactly [`BYTES`](ParamBytes::BYTES) long.
    /// Refuses (and writes nothing) if a parameter is NaN or infinite, since the image
    /// could never be imported.
    fn export_bytes(&self, out: &mut [u8]) -> Result<(), BytesError> {
        let layout = Self::LAYOUT;
        if out.len() != layout.bytes() {
            return Err(BytesError::Length {
                expected: layout.bytes(),
                found: out.len(),
            });
        }
        if let Some(index) = first_non_finite(self) {
            return Err(BytesError::NonFinite { index });
        }
        let width = layout.scalar_bytes;
        let mut at = HEADER_BYTES;
        for i in 0..Self::TENSORS {
            for &v in self.tensor(i) {
                write_scalar(v, &mut out[at..at + width]);
                at += width;
            }
        }
        layout.write_header(out);
        Ok(())
    }

    /// Replaces every parameter with the image's. Everything is checked first (header,
    /// checksum, finiteness); on any error the network is left exactly as it was.
    fn import_bytes(&mut self, image: &[u8]) -> Result<(), BytesError> {
        let layout = Self::LAYOUT;
        layout.check(image)?;
        let width = layout.scalar_bytes;
        let payload = &image[HEADER_BYTES..];
        if let Some(index) = payload
            .chunks_exact(width)
            .position(|b| !read_scalar::<Self::Scalar>(b).finite())
        {
            return Err(BytesError::NonFinite { index });
        }
        let mut scalars = payload.chunks_exact(width);
        for i in 0..Self::TENSORS {
            for (p, b) in self.tensor_mut(i).iter_mut().zip(&mut scalars) {
                *p = read_scalar(b);
            }
        }
        Ok(())
    }

    /// A network built from an image, by value: a compile error over the
    /// [stack budget](crate::stack) (use `boxed_from_bytes` (with `alloc`),
    /// or import into a `static`).
    fn from_bytes(image: &[u8]) -> Result<Self, BytesError>
    where
        Self: crate::stack::ValueOnStack,
    {
        let mut net = Self::ZERO;
        net.import_bytes(image)?;
        Ok(net)
    }

    /// A network built from an image in place on the heap, at any size.
    #[cfg(feature = "alloc")]
    fn boxed_from_bytes(image: &[u8]) -> Result<alloc::boxed::Box<Self>, BytesError> {
        let mut net = crate::zeroed::boxed::<Self>();
        net.import_bytes(image)?;
        Ok(net)
    }
}

impl<N: Network> ParamBytes for N {}

fn first_non_finite<N: Network>(net: &N) -> Option<usize> {
    (0..N::TENSORS)
        .flat_map(|i| net.tensor(i).iter())
        .position(|v| !v.finite())
}
