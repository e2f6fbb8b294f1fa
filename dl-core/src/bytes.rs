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

use crate::float::Float;
use crate::network::Network;
use crate::summary::Summary;

/// The four bytes every image starts with.
pub const MAGIC: [u8; 4] = *b"DLNN";
/// The format version this crate writes and reads.
pub const VERSION: u16 = 1;
/// Bytes before the parameters.
pub const HEADER_BYTES: usize = 24;
/// Where the checksum sits in the header.
const CHECKSUM_AT: usize = 20;

/// Why an image was refused. Import returns it and leaves the network untouched.
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

/// Export to and import from the byte image described in the [module docs](self).
/// Implemented for every [`Network`].
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

/// Writes `v` as `f32` or `f64` little-endian, by the width of `out` (the scalar's size).
/// The round trip through `f64` is exact for both types.
#[inline]
pub(crate) fn write_scalar<T: Float>(v: T, out: &mut [u8]) {
    if out.len() == 4 {
        out.copy_from_slice(&(v.as_f64() as f32).to_le_bytes());
    } else {
        out.copy_from_slice(&v.as_f64().to_le_bytes());
    }
}

/// Reads an `f32` or `f64` little-endian scalar, by the width of `b`.
#[inline]
pub(crate) fn read_scalar<T: Float>(b: &[u8]) -> T {
    if b.len() == 4 {
        T::cast(f32::from_le_bytes([b[0], b[1], b[2], b[3]]) as f64)
    } else {
        T::cast(f64::from_le_bytes([
            b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
        ]))
    }
}

/// Defines `decode_f32` and `decode_f64`: one `const fn` a scalar type, because stable Rust
/// has no `const` trait methods to turn bytes into a generic `T`.
macro_rules! const_decoder {
    ($(#[$doc:meta])* $name:ident, $t:ty) => {
        $(#[$doc])*
        pub const fn $name<const P: usize>(
            image: &[u8],
            layout: Layout,
        ) -> Result<[$t; P], BytesError> {
            const WIDTH: usize = core::mem::size_of::<$t>();
            if let Err(e) = layout.check(image) {
                return Err(e);
            }
            if P != layout.params || layout.scalar_bytes != WIDTH {
                return Err(BytesError::Params {
                    expected: layout.params,
                    found: P,
                });
            }
            let mut out = [0.0; P];
            let mut i = 0;
            while i < P {
                let mut le = [0u8; WIDTH];
                let mut k = 0;
                while k < WIDTH {
                    le[k] = image[HEADER_BYTES + WIDTH * i + k];
                    k += 1;
                }
                let v = <$t>::from_le_bytes(le);
                if !v.is_finite() {
                    return Err(BytesError::NonFinite { index: i });
                }
                out[i] = v;
                i += 1;
            }
            Ok(out)
        }
    };
}

const_decoder!(
    /// The parameters of an `f32` image, checked against `layout` (header, checksum,
    /// finiteness), as an array: the `const` half of
    /// [`include_network!`](crate::include_network). `P` must equal `layout.params`.
    decode_f32,
    f32
);
const_decoder!(
    /// [`decode_f32`] for `f64` images.
    decode_f64,
    f64
);

/// A network decoded at compile time from a parameter image, for a `const` or `static`:
///
/// ```
/// use dl_core::prelude::*;
///
/// network! {
///     pub struct Xor {
///         hidden: Dense<2, 4, Sigmoid>,
///         out: Dense<4, 1, Sigmoid>,
///     }
/// }
///
/// // Usually a path relative to this source file: include_network!(Xor<f32>, "xor.bin").
/// static NET: Xor<f32> = dl_core::include_network!(
///     Xor<f32>,
///     concat!(env!("CARGO_MANIFEST_DIR"), "/doc/xor.bin") // written by `export_bytes`
/// );
/// const _: () = assert!(Xor::<f32>::PARAM_BYTES <= 1024); // a flash budget, checked by rustc
///
/// for (a, b) in [(0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (1.0, 1.0)] {
///     let y = NET.forward(&SVector::from([a, b]))[0];
///     assert_eq!(y > 0.5, (a != b), "{a} xor {b}: {y}");
/// }
/// ```
///
/// A file for another architecture, a corrupt or truncated one, or NaN weights do not build
/// (the trybuild cases `include_network_wrong_architecture` and `include_network_corrupt`).
///
/// `include_bytes!` reads the file relative to the calling source file. Every check of
/// [`ParamBytes::import_bytes`] runs in the compiler; a failing one stops the build with
/// the [`BytesError::message`]. The image itself does not reach the binary, only the decoded
/// parameters, in `.rodata` (flash) when the result is a `static`. The scalar must be
/// written out (`Net<f32>` or `Net<f64>`), since the decoder is chosen by it; an int8 network
/// (`NetI8`, see `dl_core::quant`) is named alone: `include_network!(NetI8, "net_i8.bin")`.
#[macro_export]
macro_rules! include_network {
    ($($net:ident)::+ < f32 >, $path:expr) => {
        $crate::include_network!(@decode $($net)::+ <f32>, decode_f32, $path)
    };
    ($($net:ident)::+ < f64 >, $path:expr) => {
        $crate::include_network!(@decode $($net)::+ <f64>, decode_f64, $path)
    };
    ($($net:ident)::+, $path:expr) => {{
        // An int8 network (`{Name}I8`): its own const decoder.
        const NET: $($net)::+ = match <$($net)::+>::from_bytes(include_bytes!($path)) {
            Ok(net) => net,
            Err(e) => panic!("{}", e.message()),
        };
        NET
    }};
    (@decode $net:ty, $decode:ident, $path:expr) => {{
        const IMAGE: &[u8] = include_bytes!($path);
        const PARAMS: usize = <$net as $crate::network::Network>::PARAMS;
        const LAYOUT: $crate::bytes::Layout = $crate::bytes::Layout::of::<$net>();
        const NET: $net = match $crate::bytes::$decode::<PARAMS>(IMAGE, LAYOUT) {
            Ok(scalars) => match <$net>::from_scalars(&scalars) {
                Some(net) => net,
                None => panic!("the decoded parameters do not fit the network"),
            },
            Err(e) => panic!("{}", e.message()),
        };
        NET
    }};
}

const fn starts_with_magic(image: &[u8]) -> bool {
    image[0] == MAGIC[0] && image[1] == MAGIC[1] && image[2] == MAGIC[2] && image[3] == MAGIC[3]
}

const fn read_u16(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

const fn read_u32(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

const fn read_u64(b: &[u8], at: usize) -> u64 {
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

/// CRC-32 lookup table for the reflected IEEE polynomial `0xEDB88320`, built at compile time.
const CRC_TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut n = 0;
    while n < 256 {
        let mut c = n as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            k += 1;
        }
        table[n] = c;
        n += 1;
    }
    table
};

/// Feeds `bytes[from..to]` into a running CRC-32 state.
const fn crc_update(mut state: u32, bytes: &[u8], from: usize, to: usize) -> u32 {
    let mut i = from;
    while i < to {
        state = CRC_TABLE[((state ^ bytes[i] as u32) & 0xFF) as usize] ^ (state >> 8);
        i += 1;
    }
    state
}

/// CRC-32 (IEEE 802.3, as zlib's `crc32`) of `bytes`.
pub const fn crc32(bytes: &[u8]) -> u32 {
    !crc_update(!0, bytes, 0, bytes.len())
}

/// CRC-32 of `bytes` with `bytes[from..to]` (a checksum field) skipped.
pub(crate) const fn crc32_without(bytes: &[u8], from: usize, to: usize) -> u32 {
    let state = crc_update(!0, bytes, 0, from);
    !crc_update(state, bytes, to, bytes.len())
}

/// CRC-32 of an image with its checksum field skipped. `image` is at least a header long.
const fn image_crc(image: &[u8]) -> u32 {
    let state = crc_update(!0, image, 0, CHECKSUM_AT);
    !crc_update(state, image, HEADER_BYTES, image.len())
}

const FNV_OFFSET: u64 = 0xCBF2_9CE4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01B3;

const fn fnv_byte(h: u64, b: u8) -> u64 {
    (h ^ b as u64).wrapping_mul(FNV_PRIME)
}

const fn fnv_u64(mut h: u64, v: u64) -> u64 {
    let b = v.to_le_bytes();
    let mut i = 0;
    while i < 8 {
        h = fnv_byte(h, b[i]);
        i += 1;
    }
    h
}

const fn fnv_shape(mut h: u64, shape: &[usize]) -> u64 {
    h = fnv_u64(h, shape.len() as u64);
    let mut i = 0;
    while i < shape.len() {
        h = fnv_u64(h, shape[i] as u64);
        i += 1;
    }
    h
}

/// The architecture fingerprint of a layer table: FNV-1a over the input shape and, for each
/// layer, its text without whitespace, its output shape and its parameter count, each
/// length-prefixed so no two tables run together into the same bytes. Names are left out.
pub const fn fingerprint(summary: &Summary) -> u64 {
    let mut h = fnv_shape(FNV_OFFSET, summary.input);
    h = fnv_u64(h, summary.layers.len() as u64);
    let mut l = 0;
    while l < summary.layers.len() {
        let layer = &summary.layers[l];
        let text = layer.layer.as_bytes();
        let mut i = 0;
        while i < text.len() {
            if !text[i].is_ascii_whitespace() {
                h = fnv_byte(h, text[i]);
            }
            i += 1;
        }
        h = fnv_byte(h, 0);
        h = fnv_shape(h, layer.output);
        h = fnv_u64(h, layer.params as u64);
        l += 1;
    }
    h
}
