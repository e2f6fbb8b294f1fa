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

/// `dx = W^T dz`, `dx[j] = dot(W[:, j], dz)`. In builds for AVX-512 CPUs
/// ([`weighted_transpose_by_columns`]) one contiguous column of `W` at a time, the column's
/// products in vector lanes: there LLVM vectorised nalgebra's `tr_mul_to` of a 10-row layer
/// across columns instead, gathering every weight at a stride of `O` elements (40 bytes), and
/// the 64-32-10 batch-1 step ran 6-18% slower than the SSE2 build. Elsewhere `tr_mul_to`,
/// whose vectorisation across columns (without gathers) is the faster one in the SSE2 build.
/// Both give the same bits.
#[inline(always)]
pub(super) fn weighted_transpose<T: Float, const I: usize, const O: usize>(
    weight: &SMatrix<T, O, I>,
    dz: &SVector<T, O>,
    dx: &mut SVector<T, I>,
) {
    if cfg!(target_feature = "avx512f") {
        weighted_transpose_by_columns(weight, dz, dx);
    } else {
        weight.tr_mul_to(dz, dx);
    }
}

/// `W += dz x^T`, the weight gradient of one sample, bit-identical to nalgebra's `ger` with
/// both factors 1 (column `j` gets `x[j] * dz[o] + W[o, j]`, the same products and adds). In
/// builds for CPUs with gather instructions (AVX2 on, as `-C target-cpu=native` here) one
/// contiguous column at a time: there LLVM vectorised `ger` of the 64-32-10 network's 32x10
/// layer across columns instead, loading and storing the gradient with 16-lane gathers and
/// scatters at a stride of `O` elements, and the batch-1 step took 1,158 ns against 783 ns in
/// the default build (criterion medians, 4 alternating runs, 14:23 UTC, load 2.9-4.0).
/// A single row (`O = 1`) keeps `ger`: its columns are adjacent scalars, so running them in
/// lanes needs no gather, and column by column each sample's update of each weight was a
/// store and a reload of one scalar (the XOR 2-4-1 step's output layer).
#[inline(always)]
pub(super) fn add_outer<T: Float, const I: usize, const O: usize>(
    weight: &mut SMatrix<T, O, I>,
    dz: &SVector<T, O>,
    x: &SVector<T, I>,
) {
    if cfg!(target_feature = "avx2") && O > 1 {
        add_outer_by_columns(weight, dz, x);
    } else {
        weight.ger(T::ONE, dz, x, T::ONE);
    }
}

/// [`add_outer`]'s column-by-column form, in every build (so the test of its bits runs in the
/// default build too).
#[inline(always)]
fn add_outer_by_columns<T: Float, const I: usize, const O: usize>(
    weight: &mut SMatrix<T, O, I>,
    dz: &SVector<T, O>,
    x: &SVector<T, I>,
) {
    let d: &[T; O] = &dz.data.0[0];
    for (column, &x) in weight.data.0.iter_mut().zip(&x.data.0[0]) {
        for (w, &d) in column.iter_mut().zip(d) {
            *w = x * d + *w;
        }
        // Keeps LLVM's loop vectoriser from running the columns in lanes; no instruction.
        core::sync::atomic::compiler_fence(core::sync::atomic::Ordering::SeqCst);
    }
}

/// `b += dz` for each `dz` of a batch, sample after sample (the bias gradient): with gather
/// instructions (see [`add_outer`]), one sample's vector at a time, where LLVM otherwise
/// loaded the same element of 16 samples with a gather. Not for one output: the samples'
/// `dz` are then adjacent scalars (no gather), and the fence made the sum a chain of stores
/// and reloads of the one bias.
#[inline(always)]
pub(super) fn add_each<T: Float, const O: usize>(bias: &mut SVector<T, O>, dz: &[SVector<T, O>]) {
    for dz in dz {
        *bias += dz;
        if cfg!(target_feature = "avx2") && O > 1 {
            core::sync::atomic::compiler_fence(core::sync::atomic::Ordering::SeqCst);
        }
    }
}

/// `dx = W^T dz` column by column, bit-identical to nalgebra's `tr_mul_to`: each dot product
/// adds in the order of nalgebra's `dotx`: for `O` of 2, 3 and 4, `p0 + p1`, `(p0 + p1) + p2`
/// and `(p0 + p2) + (p1 + p3)`; otherwise eight lane sums `s_l = p_l + p_{l+8} + ...` from 0,
/// then `(((0 + (s0 + s4)) + (s1 + s5)) + (s2 + s6)) + (s3 + s7)`, then the last `O mod 8`
/// products one at a time.
#[inline(always)]
fn weighted_transpose_by_columns<T: Float, const I: usize, const O: usize>(
    weight: &SMatrix<T, O, I>,
    dz: &SVector<T, O>,
    dx: &mut SVector<T, I>,
) {
    let w: &[[T; O]; I] = &weight.data.0;
    let d: &[T; O] = &dz.data.0[0];
    for (dx, w) in dx.data.0[0].iter_mut().zip(w) {
        *dx = dot_in_nalgebra_order(w, d);
        // Keeps LLVM's loop vectoriser from running the columns in lanes (the gathers above);
        // emits no instruction.
        core::sync::atomic::compiler_fence(core::sync::atomic::Ordering::SeqCst);
    }
}

/// `sum_i a_i b_i` in the order of nalgebra's `dotx` (see [`weighted_transpose`]).
#[inline(always)]
pub(super) fn dot_in_nalgebra_order<T: Float, const O: usize>(a: &[T; O], b: &[T; O]) -> T {
    let p = |i: usize| a[i] * b[i];
    match O {
        2 => return p(0) + p(1),
        3 => return p(0) + p(1) + p(2),
        4 => return (p(0) + p(2)) + (p(1) + p(3)),
        _ => {}
    }
    let (a8, a_rest) = a.as_chunks::<8>();
    let (b8, b_rest) = b.as_chunks::<8>();
    let mut acc = [T::ZERO; 8];
    for (a, b) in a8.iter().zip(b8) {
        for ((acc, &a), &b) in acc.iter_mut().zip(a).zip(b) {
            *acc += a * b;
        }
    }
    let mut res = T::ZERO;
    for l in 0..4 {
        res += acc[l] + acc[l + 4];
    }
    for (&a, &b) in a_rest.iter().zip(b_rest) {
        res += a * b;
    }
    res
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

    /// Bit-identical to `tr_mul_to` at output sizes that take each of `dotx`'s orders.
    fn same_bits<const I: usize, const O: usize>() {
        let mut s = 0x9e37_79b9u32;
        let mut next = || {
            s = s.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (s >> 8) as f32 / (1 << 24) as f32 * 2.0 - 1.0
        };
        let w = SMatrix::<f32, O, I>::from_fn(|_, _| next());
        let dz = SVector::<f32, O>::from_fn(|_, _| next() * 1e3);
        let (mut got, mut want) = (SVector::<f32, I>::zeros(), SVector::<f32, I>::zeros());
        weighted_transpose_by_columns(&w, &dz, &mut got);
        w.tr_mul_to(&dz, &mut want);
        for (g, w) in got.iter().zip(&want) {
            assert_eq!(g.to_bits(), w.to_bits(), "O = {O}");
        }
    }

    #[test]
    fn add_outer_gives_the_bits_of_ger() {
        let mut s = 0x2545_f491u32;
        let mut next = || {
            s = s.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (s >> 8) as f32 / (1 << 24) as f32 * 2.0 - 1.0
        };
        let g0 = SMatrix::<f32, 10, 32>::from_fn(|_, _| next());
        let dz = SVector::<f32, 10>::from_fn(|_, _| next() * 1e3);
        let x = SVector::<f32, 32>::from_fn(|_, _| next());
        let (mut got, mut want) = (g0, g0);
        add_outer_by_columns(&mut got, &dz, &x);
        want.ger(1.0, &dz, &x, 1.0);
        assert_ne!(got, g0);
        for (g, w) in got.iter().zip(&want) {
            assert_eq!(g.to_bits(), w.to_bits());
        }
    }

    #[test]
    fn by_columns_gives_the_bits_of_tr_mul_to() {
        same_bits::<3, 1>();
        same_bits::<5, 2>();
        same_bits::<4, 3>();
        same_bits::<7, 4>();
        same_bits::<6, 5>();
        same_bits::<9, 8>();
        same_bits::<32, 10>();
        same_bits::<11, 17>();
        same_bits::<2, 24>();
    }
}
