//! An image's header: what it must say to fit a network, written and checked (in `const`).

use super::crc::image_crc;
use super::error::BytesError;
use super::fingerprint::fingerprint;
use super::{CHECKSUM_AT, HEADER_BYTES, MAGIC, VERSION};
use crate::network::Network;

/// What an image must say to fit a network: everything in the header but the checksum.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    /// Bytes of one scalar.
    pub scalar_bytes: usize,
    /// The architecture fingerprint.
    pub architecture: u64,
    /// The number of parameters.
    pub params: usize,
}

impl Layout {
    /// The layout of network `N`'s images.
    pub const fn of<N: Network>() -> Self {
        Layout {
            scalar_bytes: core::mem::size_of::<N::Scalar>(),
            architecture: fingerprint(&N::SUMMARY),
            params: N::PARAMS,
        }
    }

    /// The length of an image: header plus parameters.
    pub const fn bytes(&self) -> usize {
        HEADER_BYTES + self.params * self.scalar_bytes
    }

    /// Writes the header for a payload already in `image[HEADER_BYTES..]`, checksum last.
    /// `image` must be [`bytes`](Layout::bytes) long.
    pub fn write_header(&self, image: &mut [u8]) {
        image[0..4].copy_from_slice(&MAGIC);
        image[4..6].copy_from_slice(&VERSION.to_le_bytes());
        image[6..8].copy_from_slice(&(self.scalar_bytes as u16).to_le_bytes());
        image[8..16].copy_from_slice(&self.architecture.to_le_bytes());
        image[16..20].copy_from_slice(&(self.params as u32).to_le_bytes());
        let crc = image_crc(image);
        image[CHECKSUM_AT..HEADER_BYTES].copy_from_slice(&crc.to_le_bytes());
    }

    /// Checks everything but the values of the parameters: magic, version, scalar,
    /// architecture, parameter count, length and checksum, in that order (so the error names
    /// the first thing that differs). A `const fn`, so
    /// [`include_network!`](crate::include_network) runs it in the compiler.
    pub const fn check(&self, image: &[u8]) -> Result<(), BytesError> {
        if image.len() >= 4 && !starts_with_magic(image) {
            return Err(BytesError::Magic {
                found: [image[0], image[1], image[2], image[3]],
            });
        }
        if image.len() < HEADER_BYTES {
            return Err(BytesError::Length {
                expected: self.bytes(),
                found: image.len(),
            });
        }
        let version = read_u16(image, 4);
        if version != VERSION {
            return Err(BytesError::Version {
                expected: VERSION,
                found: version,
            });
        }
        let scalar = read_u16(image, 6);
        if scalar as usize != self.scalar_bytes {
            return Err(BytesError::Scalar {
                expected: self.scalar_bytes as u16,
                found: scalar,
            });
        }
        let architecture = read_u64(image, 8);
        if architecture != self.architecture {
            return Err(BytesError::Architecture {
                expected: self.architecture,
                found: architecture,
            });
        }
        let params = read_u32(image, 16) as usize;
        if params != self.params {
            return Err(BytesError::Params {
                expected: self.params,
                found: params,
            });
        }
        if image.len() != self.bytes() {
            return Err(BytesError::Length {
                expected: self.bytes(),
                found: image.len(),
            });
        }
        let stored = read_u32(image, CHECKSUM_AT);
        let computed = image_crc(image);
        if stored != computed {
            return Err(BytesError::Checksum { stored, computed });
        }
        Ok(())
    }
}

pub(super) const fn starts_with_magic(image: &[u8]) -> bool {
    image[0] == MAGIC[0] && image[1] == MAGIC[1] && image[2] == MAGIC[2] && image[3] == MAGIC[3]
}

pub(super) const fn read_u16(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

pub(super) const fn read_u32(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

pub(super) const fn read_u64(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes([
        b[at],
        b[at + 1],
        b[at + 2],
        b[at + 3],
        b[at + 4],
        b[at + 5],
        b[at + 6],
        b[at + 7],
    ])
}
