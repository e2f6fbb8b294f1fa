//! The element types of a file: which are read and written, and how one element converts.

use crate::float::Float;
use ::safetensors::tensor::Dtype as FileDtype;
use core::fmt;
use std::vec::Vec;

/// The element types this module reads and writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dtype {
    /// IEEE half precision (read exactly; written rounded to nearest).
    F16,
    /// bfloat16 (read exactly; written rounded to nearest).
    BF16,
    /// IEEE single precision.
    F32,
    /// IEEE double precision.
    F64,
}

impl Dtype {
    /// The dtype of the scalar `T` (`F32` for `f32`, `F64` for `f64`).
    pub fn of<T: Float>() -> Self {
        if core::mem::size_of::<T>() == 4 {
            Dtype::F32
        } else {
            Dtype::F64
        }
    }

    /// Bytes of one element.
    pub const fn size(self) -> usize {
        match self {
            Dtype::F16 | Dtype::BF16 => 2,
            Dtype::F32 => 4,
            Dtype::F64 => 8,
        }
    }

    pub(super) fn file_dtype(self) -> FileDtype {
        match self {
            Dtype::F16 => FileDtype::F16,
            Dtype::BF16 => FileDtype::BF16,
            Dtype::F32 => FileDtype::F32,
            Dtype::F64 => FileDtype::F64,
        }
    }

    pub(super) fn from_file(dtype: FileDtype) -> Option<Self> {
        match dtype {
            FileDtype::F16 => Some(Dtype::F16),
            FileDtype::BF16 => Some(Dtype::BF16),
            FileDtype::F32 => Some(Dtype::F32),
            FileDtype::F64 => Some(Dtype::F64),
            _ => None,
        }
    }

    /// Element `k` of little-endian `data`, exactly, as `f64`. `data` holds at least `k + 1`
    /// elements (checked by the caller against the shape).
    #[inline]
    pub(super) fn read(self, data: &[u8], k: usize) -> f64 {
        let s = self.size();
        let b = &data[k * s..(k + 1) * s];
        match self {
            Dtype::F16 => half::f16::from_le_bytes([b[0], b[1]]).to_f64(),
            Dtype::BF16 => half::bf16::from_le_bytes([b[0], b[1]]).to_f64(),
            Dtype::F32 => f32::from_le_bytes([b[0], b[1], b[2], b[3]]) as f64,
            Dtype::F64 => f64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]),
        }
    }

    /// Appends `x`, rounded to nearest, in little-endian order; returns the value written.
    #[inline]
    pub(super) fn write(self, x: f64, out: &mut Vec<u8>) -> f64 {
        match self {
            Dtype::F16 => {
                let h = half::f16::from_f64(x);
                out.extend_from_slice(&h.to_le_bytes());
                h.to_f64()
            }
            Dtype::BF16 => {
                let h = half::bf16::from_f64(x);
                out.extend_from_slice(&h.to_le_bytes());
                h.to_f64()
            }
            Dtype::F32 => {
                let v = x as f32;
                out.extend_from_slice(&v.to_le_bytes());
                v as f64
            }
            Dtype::F64 => {
                out.extend_from_slice(&x.to_le_bytes());
                x
            }
        }
    }
}

impl fmt::Display for Dtype {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Dtype::F16 => "F16",
            Dtype::BF16 => "BF16",
            Dtype::F32 => "F32",
            Dtype::F64 => "F64",
        })
    }
}
