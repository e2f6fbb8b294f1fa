//! int8 networks as byte images, in dl's image format ([`crate::bytes`]): the same header
//! (magic `DLNN`, format version, architecture fingerprint of the float declaration,
//! payload length, CRC-32) with 1-byte scalars, then the payload, layer by layer:
//!
//! - the network input's `QuantParams` (scale as `f32` bits, zero point as `i32`);
//! - `QDense` / `QConv2D`: input and output `QuantParams`, `act_min`, `act_max`, the int8
//!   weights (`[O][I]`, `[CO][CI][K][K]`), the int32 biases, the rescales (`i32` multiplier,
//!   `i32` shift);
//! - pools: `act_min`, `act_max`; `Flatten`: nothing;
//! - `QSigmoid` / `QTanh`: input and output `QuantParams`, the 256-entry table (index
//!   `x as u8`), which must be non-decreasing; `QSoftmax`: input `QuantParams`, the rescale.
//!
//! Little-endian throughout. Decoding is `const`, so `include_network!(NetI8, "x.bin")`
//! checks and decodes an image in the compiler and the network lands in flash; every
//! scale, zero point, rescale and clamp is checked ([`BytesError::Quantization`]).

use super::conv2d::qconv2d_impl;
use super::lookup::monotone;
use super::pool2d::qpool2d_impl;
use super::{
    Multiplier, QConv2D, QDense, QFlatten, QPool2D, QSigmoid, QSoftmax, QTanh, QuantParams,
};
use crate::bytes::BytesError;

/// `?` for `const fn`s.
macro_rules! tri {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(e) => return Err(e),
        }
    };
}

/// Reads an image from `at` on, in a `const fn`.
pub struct Reader<'a> {
    bytes: &'a [u8],
    /// The next byte to read.
    pub at: usize,
}

impl<'a> Reader<'a> {
    /// A reader from byte `at`.
    pub const fn new(bytes: &'a [u8], at: usize) -> Reader<'a> {
        Reader { bytes, at }
    }

    const fn take<const N: usize>(&mut self) -> Result<[u8; N], BytesError> {
        if self.at + N > self.bytes.len() {
            return Err(BytesError::Length {
                expected: self.at + N,
                found: self.bytes.len(),
            });
        }
        let mut out = [0u8; N];
        let mut i = 0;
        while i < N {
            out[i] = self.bytes[self.at + i];
            i += 1;
        }
        self.at += N;
        Ok(out)
    }

    /// One `i8`.
    pub const fn i8(&mut self) -> Result<i8, BytesError> {
        Ok(tri!(self.take::<1>())[0] as i8)
    }

    /// One little-endian `i32`.
    pub const fn i32(&mut self) -> Result<i32, BytesError> {
        Ok(i32::from_le_bytes(tri!(self.take::<4>())))
    }

    /// A scale and zero point, checked (finite scale above 0, int8 zero point).
    pub const fn params(&mut self) -> Result<QuantParams, BytesError> {
        let at = self.at;
        let scale = f32::from_bits(u32::from_le_bytes(tri!(self.take::<4>())));
        let zero_point = tri!(self.i32());
        if !(scale.is_finite() && scale > 0.0) || zero_point < -128 || zero_point > 127 {
            return Err(BytesError::Quantization { at });
        }
        Ok(QuantParams { scale, zero_point })
    }

    /// A rescale, checked.
    pub const fn multiplier(&mut self) -> Result<Multiplier, BytesError> {
        let at = self.at;
        let (q, shift) = (tri!(self.i32()), tri!(self.i32()));
        match Multiplier::new(q, shift) {
            Some(m) => Ok(m),
            None => Err(BytesError::Quantization { at }),
        }
    }

    /// A clamp `act_min <= act_max`.
    pub const fn clamp(&mut self) -> Result<(i8, i8), BytesError> {
        let at = self.at;
        let (lo, hi) = (tri!(self.i8()), tri!(self.i8()));
        if lo > hi {
            return Err(BytesError::Quantization { at });
        }
        Ok((lo, hi))
    }

    /// `N` int8 values.
    pub const fn i8s<const N: usize>(&mut self) -> Result<[i8; N], BytesError> {
        let mut out = [0i8; N];
        let mut i = 0;
        while i < N {
            out[i] = tri!(self.i8());
            i += 1;
        }
        Ok(out)
    }

    /// `N` int32 values.
    pub const fn i32s<const N: usize>(&mut self) -> Result<[i32; N], BytesError> {
        let mut out = [0i32; N];
        let mut i = 0;
        while i < N {
            out[i] = tri!(self.i32());
            i += 1;
        }
        Ok(out)
    }

    /// `N` rescales.
    pub const fn multipliers<const N: usize>(&mut self) -> Result<[Multiplier; N], BytesError> {
        let mut out = [Multiplier::ZERO; N];
        let mut i = 0;
        while i < N {
            out[i] = tri!(self.multiplier());
            i += 1;
        }
        Ok(out)
    }
}

/// Writes an image's payload from `at` on. The caller sizes `bytes` from the network's
/// `BYTES`, so every write fits.
pub struct Writer<'a> {
    bytes: &'a mut [u8],
    at: usize,
}

impl<'a> Writer<'a> {
    /// A writer from byte `at`.
    pub fn new(bytes: &'a mut [u8], at: usize) -> Writer<'a> {
        Writer { bytes, at }
    }
    fn put(&mut self, b: &[u8]) {
        if let Some(dst) = self.bytes.get_mut(self.at..self.at + b.len()) {
            dst.copy_from_slice(b);
        }
        self.at += b.len();
    }
    /// Int8 values.
    pub fn i8s<'b>(&mut self, values: impl IntoIterator<Item = &'b i8>) {
        for &v in values {
            self.put(&[v as u8]);
        }
    }
    /// Int32 values.
    pub fn i32s<'b>(&mut self, values: impl IntoIterator<Item = &'b i32>) {
        for v in values {
            self.put(&v.to_le_bytes());
        }
    }
    /// A scale and zero point.
    pub fn params(&mut self, p: QuantParams) {
        self.put(&p.scale.to_bits().to_le_bytes());
        self.put(&p.zero_point.to_le_bytes());
    }
    fn multipliers(&mut self, m: &[Multiplier]) {
        for m in m {
            self.i32s(&[m.multiplier(), m.shift()]);
        }
    }
}

impl<const I: usize, const O: usize> QDense<I, O> {
    /// Bytes of the layer in an int8 image.
    pub const IMAGE_BYTES: usize = 18 + I * O + 12 * O;

    /// The layer read from an image.
    pub const fn read_image(r: &mut Reader) -> Result<Self, BytesError> {
        let input = tri!(r.params());
        let output = tri!(r.params());
        let (act_min, act_max) = tri!(r.clamp());
        let mut weight = [[0i8; I]; O];
        let mut o = 0;
        while o < O {
            weight[o] = tri!(r.i8s::<I>());
            o += 1;
        }
        let bias = tri!(r.i32s::<O>());
        let rescale = tri!(r.multipliers::<O>());
        Ok(QDense::from_raw(
            weight, bias, rescale, input, output, act_min, act_max,
        ))
    }

    /// The layer written into an image.
    pub fn write_image(&self, w: &mut Writer) {
        w.params(self.input);
        w.params(self.output);
        w.i8s(&[self.act_min, self.act_max]);
        w.i8s(self.weight.iter().flatten());
        w.i32s(&self.bias);
        w.multipliers(&self.rescale);
    }
}

qconv2d_impl! {
    /// Bytes of the layer in an int8 image.
    pub const IMAGE_BYTES: usize = 18 + CO * CI * K * K + 12 * CO;

    /// The layer read from an image.
    pub const fn read_image(r: &mut Reader) -> Result<Self, BytesError> {
        let input = tri!(r.params());
        let output = tri!(r.params());
        let (act_min, act_max) = tri!(r.clamp());
        let mut weight = [[[[0i8; K]; K]; CI]; CO];
        let mut i = 0;
        while i < CO * CI * K {
            weight[i / (CI * K)][i / K % CI][i % K] = tri!(r.i8s::<K>());
            i += 1;
        }
        let bias = tri!(r.i32s::<CO>());
        let rescale = tri!(r.multipliers::<CO>());
        Ok(QConv2D {
            weight,
            bias,
            rescale,
            input,
            output,
            act_min,
            act_max,
        })
    }

    /// The layer written into an image.
    pub fn write_image(&self, w: &mut Writer) {
        w.params(self.input);
        w.params(self.output);
        w.i8s(&[self.act_min, self.act_max]);
        w.i8s(self.weight.iter().flatten().flatten().flatten());
        w.i32s(&self.bias);
        w.multipliers(&self.rescale);
    }
}

qpool2d_impl! {
    /// Bytes of the layer in an int8 image: its clamp.
    pub const IMAGE_BYTES: usize = 2;

    /// The layer read from an image.
    pub const fn read_image(r: &mut Reader) -> Result<Self, BytesError> {
        let (act_min, act_max) = tri!(r.clamp());
        Ok(QPool2D::clamped(act_min, act_max))
    }

    /// The layer written into an image.
    pub fn write_image(&self, w: &mut Writer) {
        w.i8s(&[self.act_min, self.act_max]);
    }
}

macro_rules! lookup_image {
    ($layer:ident) => {
        impl<const N: usize> $layer<N> {
            /// Bytes of the layer in an int8 image: its quantisation and table.
            pub const IMAGE_BYTES: usize = 16 + 256;

            /// The layer read from an image; a table that decreases somewhere is refused.
            pub const fn read_image(r: &mut Reader) -> Result<Self, BytesError> {
                let input = tri!(r.params());
                let output = tri!(r.params());
                let at = r.at;
                let table = tri!(r.i8s::<256>());
                if !monotone(&table) {
                    return Err(BytesError::Quantization { at });
                }
                Ok($layer::from_table(input, output, table))
            }

            /// The layer written into an image.
            pub fn write_image(&self, w: &mut Writer) {
                w.params(self.input);
                w.params(self.output);
                w.i8s(&self.table);
            }
        }
    };
}
lookup_image!(QSigmoid);
lookup_image!(QTanh);

impl<const N: usize> QSoftmax<N> {
    /// Bytes of the layer in an int8 image: its input quantisation and rescale.
    pub const IMAGE_BYTES: usize = 16;

    /// The layer read from an image; a rescale that shifts right is refused.
    pub const fn read_image(r: &mut Reader) -> Result<Self, BytesError> {
        let input = tri!(r.params());
        let at = r.at;
        let rescale = tri!(r.multiplier());
        if rescale.shift() < 0 {
            return Err(BytesError::Quantization { at });
        }
        Ok(QSoftmax::from_raw(input, rescale))
    }

    /// The layer written into an image.
    pub fn write_image(&self, w: &mut Writer) {
        w.params(self.input);
        w.multipliers(&[self.rescale]);
    }
}

impl<const C: usize, const H: usize, const W: usize, const N: usize> QFlatten<C, H, W, N> {
    /// Bytes of the layer in an int8 image: none.
    pub const IMAGE_BYTES: usize = 0;

    /// The layer read from an image (nothing to read).
    pub const fn read_image(_: &mut Reader) -> Result<Self, BytesError> {
        Ok(QFlatten)
    }

    /// The layer written into an image (nothing to write).
    pub fn write_image(&self, _: &mut Writer) {}
}
