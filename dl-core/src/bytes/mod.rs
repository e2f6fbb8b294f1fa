//! A network's parameters as a fixed-size byte image: for flash, files and radio links.
//!
//! # Format (version 1)
//!
//! Every integer and every scalar is little-endian, whatever the target.
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0  | 4 | magic `DLNN` |
//! | 4  | 2 | format version, [`VERSION`] |
//! | 6  | 2 | bytes of one scalar: 4 (`f32`) or 8 (`f64`) |
//! | 8  | 8 | architecture fingerprint, [`ParamBytes::ARCHITECTURE`] |
//! | 16 | 4 | number of parameters |
//! | 20 | 4 | CRC-32 (IEEE) of every byte of the image except these four |
//! | 24 | `PARAMS * scalar` | the parameters, tensor by tensor in [`Params::tensor`](crate::network::Params::tensor) order |
//!
//! Tensors are in nalgebra's column-major memory order (a `Dense` weight `W[out][in]` is
//! stored `in`-major), so the image is a straight copy of the network's memory on a
//! little-endian machine. The whole image is [`ParamBytes::BYTES`] long, known at compile
//! time.
//!
//! # Why each header field
//!
//! - The architecture fingerprint is FNV-1a (64 bit) over the network's
//!   [`Summary`]: the input shape, and for each layer its text as
//!   written (`Dense<2,4,Sigmoid>`, spaces ignored), output shape and parameter count. Layer
//!   *names* and the network's name are left out: renaming a field does not change which
//!   weights fit. It is computed at compile time (`const`), so it costs nothing on a
//!   microcontroller.
//! - CRC-32 detects every error burst of up to 32 bits and every 1-, 2- or 3-bit error in
//!   images under 11 kB; anything else slips through with probability `2^-32`. It is a
//!   guard against flipped bits and truncated copies, not against an attacker.
//! - Import also refuses NaN and infinities, so a checksum-valid image of a diverged network
//!   cannot be loaded either.
//!
//! # Weights in flash
//!
//! [`include_network!`](crate::include_network) decodes an image in a `const`: the decoded
//! network is an ordinary value of the network's type, so a `static` of it lands in
//! `.rodata` (flash on a microcontroller) and inference reads it there with no RAM copy.
//! Every check above runs in the compiler, so a wrong or corrupt `.bin` is a build error,
//! not a boot-time failure. A zero-copy *view* of the bytes was the alternative; it would
//! need either `unsafe` casts from `&[u8]` to `&[f32]` (alignment, endianness) or a second
//! forward pass written over byte slices. Decoding at compile time needs neither: the image
//! itself never reaches the binary, only the decoded parameters do. The decoding `const fn`
//! exists per scalar type ([`decode_f32`], [`decode_f64`]) because stable Rust has no
//! `const` trait methods to convert bytes to a generic `T`.

#[cfg(doc)]
use crate::summary::Summary;

mod crc;
mod decode;
mod error;
mod fingerprint;
mod include;
mod layout;
mod param_bytes;
mod scalar;

pub use crc::crc32;
pub(crate) use crc::crc32_without;
pub use decode::{decode_f32, decode_f64};
pub use error::BytesError;
pub use fingerprint::fingerprint;
pub use layout::Layout;
pub use param_bytes::ParamBytes;
pub(crate) use scalar::{read_scalar, write_scalar};

/// The four bytes every image starts with.
pub const MAGIC: [u8; 4] = *b"DLNN";
/// The format version this crate writes and reads.
pub const VERSION: u16 = 1;
/// Bytes before the parameters.
pub const HEADER_BYTES: usize = 24;
/// Where the checksum sits in the header.
pub(super) const CHECKSUM_AT: usize = 20;
