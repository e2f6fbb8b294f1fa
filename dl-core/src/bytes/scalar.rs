//! One `f32` or `f64` scalar to and from little-endian bytes.

use crate::float::Float;

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
