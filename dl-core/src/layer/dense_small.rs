//! One sample's `z += W x` for layers below the kernels' threshold: four columns of `W` a step.

use crate::float::Float;
use nalgebra::{SMatrix, SVector};

/// `z += W x` with `W` column-major (`O` rows, `I` columns), four columns a step: each `z[o]`
/// is loaded and stored once per four columns instead of once per column (nalgebra's `gemv`
/// walks one column at a time, about 10 instructions a multiply-add on a Cortex-M4F at
/// opt-level "s"; this loop, about 5).
///
/// Each `z[o]` still adds its products one at a time in column order,
/// `((z + w0 x0) + w1 x1) + ...`, as `gemv` does: the result is bit-identical.
#[inline(always)]
pub(super) fn add_weighted_by_4<T: Float, const I: usize, const O: usize>(
    weight: &SMatrix<T, O, I>,
    x: &SVector<T, I>,
    z: &mut SVector<T, O>,
) {
    let w: &[[T; O]; I] = &weight.data.0;
    let x: &[T; I] = &x.data.0[0];
    let z: &mut [T; O] = &mut z.data.0[0];
    let (w4, w_rest) = w.as_chunks::<4>();
    let (x4, x_rest) = x.as_chunks::<4>();
    for (w, x) in w4.iter().zip(x4) {
        for (o, z) in z.iter_mut().enumerate() {
            let mut acc = *z;
            acc = x[0] * w[0][o] + acc;
            acc = x[1] * w[1][o] + acc;
            acc = x[2] * w[2][o] + acc;
            acc = x[3] * w[3][o] + acc;
            *z = acc;
        }
    }
    for (w, &x) in w_rest.iter().zip(x_rest) {
        for (z, &w) in z.iter_mut().zip(w) {
            *z = x * w + *z;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equals_gemv_bit_for_bit() {
        let mut seed = 12345u32;
        let mut next = || {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (seed >> 8) as f32 / (1 << 24) as f32 - 0.5
        };
        let w = SMatrix::<f32, 7, 11>::from_fn(|_, _| next());
        let x = SVector::<f32, 11>::from_fn(|_, _| next());
        let z0 = SVector::<f32, 7>::from_fn(|_, _| next());
        let (mut a, mut b) = (z0, z0);
        a.gemv(1.0, &w, &x, 1.0);
        add_weighted_by_4(&w, &x, &mut b);
        assert_eq!(a, b);
    }
}
