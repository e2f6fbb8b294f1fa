//! A batch's input gradients of a Dense layer with few outputs, `dx_s = W^T dz_s` for every
//! sample `s`, with [`LANES`] columns of `W` in vector lanes read from a transposed copy.
//!
//! Why: per sample, nalgebra's `tr_mul_to` is `I` dot products of length `O` down `W`'s
//! columns. LLVM unrolls each short dot and vectorises the loop over the columns, which reads
//! `W[o, j..j + 16]`, elements `O` apart in the column-major storage: a `-C target-cpu=native`
//! build loaded them with 16-lane gathers (`vgatherqps`; most of the 204 gathers of the native
//! `native_rows` binary), and its 784-128-10 batch-32 step ran 3% slower than the default
//! build's; the default build assembled the same vectors from single loads. Here each block of
//! [`LANES`] columns is transposed once a batch into `O` contiguous rows on the stack, and
//! every sample's [`LANES`] dots are plain vector multiplies and adds of those rows.
//!
//! Bits: each lane adds its products in the order of nalgebra's `dotx`
//! ([`super::dense_small::dot_in_nalgebra_order`]), so `dx` is bit-identical to `tr_mul_to`.

use crate::float::Float;
use nalgebra::{SMatrix, SVector};

/// Columns of `W` a block: one AVX-512 register of `f32`.
pub(super) const LANES: usize = 16;

/// Most outputs `O` this path takes: the transposed block is `O * LANES` scalars on the stack
/// (2 KiB of `f32` at 32).
pub(super) const MAX_OUTPUTS: usize = 32;

/// Scalars [`input_gradients`] keeps on the stack for `O` outputs: the transposed block, a
/// lane's column and the lanes' dots (`Layer::STACK_SCALARS` counts them).
pub(super) const fn stack_scalars(outputs: usize) -> usize {
    outputs * LANES + outputs + LANES
}

/// `dx[s] = W^T dz[s]` for `s < min(dz.len(), dx.len())`, overwriting `dx[s]`; the same bits
/// as `W.tr_mul_to(dz[s], dx[s])`. The last `I mod LANES` columns one dot at a time.
#[inline]
pub(super) fn input_gradients<T: Float, const I: usize, const O: usize>(
    weight: &SMatrix<T, O, I>,
    dz: &[SVector<T, O>],
    dx: &mut [SVector<T, I>],
) {
    let w: &[[T; O]; I] = &weight.data.0;
    let (blocks, rest) = w.as_chunks::<LANES>();
    for (k, columns) in blocks.iter().enumerate() {
        let rows = transpose(columns);
        for (dz, dx) in dz.iter().zip(dx.iter_mut()) {
            let (_, dx) = dx.data.0[0].split_at_mut(k * LANES);
            if let Some(dx) = dx.first_chunk_mut::<LANES>() {
                *dx = dots(&rows, &dz.data.0[0]);
            }
        }
    }
    let done = I - rest.len();
    for (dz, dx) in dz.iter().zip(dx.iter_mut()) {
        for (dx, w) in dx.data.0[0][done..].iter_mut().zip(rest) {
            *dx = super::dense_small::dot_in_nalgebra_order(w, &dz.data.0[0]);
            // Keeps LLVM from running these columns in lanes (with gathers, as above).
            core::sync::atomic::compiler_fence(core::sync::atomic::Ordering::SeqCst);
        }
    }
}

/// `rows[o][l] = columns[l][o]`.
#[inline(always)]
fn transpose<T: Float, const O: usize>(columns: &[[T; O]; LANES]) -> [[T; LANES]; O] {
    let mut rows = [[T::ZERO; LANES]; O];
    for (o, row) in rows.iter_mut().enumerate() {
        for (r, column) in row.iter_mut().zip(columns) {
            *r = column[o];
        }
    }
    rows
}

/// Lane `l`: `sum_o rows[o][l] d[o]`, in the order of nalgebra's `dotx`
/// ([`super::dense_small::dot_in_nalgebra_order`]). Written as one dot a lane so that, once
/// LLVM has unrolled the dot, the loop over the lanes is the innermost and reads each row
/// contiguously: vectorised across the lanes (written with lane arrays, LLVM vectorised the
/// loop over the eight partial sums instead, with scatters).
#[inline(always)]
fn dots<T: Float, const O: usize>(rows: &[[T; LANES]; O], d: &[T; O]) -> [T; LANES] {
    let mut out = [T::ZERO; LANES];
    for (l, out) in out.iter_mut().enumerate() {
        let column: [T; O] = core::array::from_fn(|o| rows[o][l]);
        *out = super::dense_small::dot_in_nalgebra_order(&column, d);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bit-identical to `tr_mul_to` for every sample, at output sizes that take each of
    /// `dotx`'s orders, with and without a partial block of columns.
    fn same_bits<const I: usize, const O: usize>() {
        let mut s = 0x51f1_5eedu32;
        let mut next = || {
            s = s.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (s >> 8) as f32 / (1 << 24) as f32 * 2.0 - 1.0
        };
        let w = SMatrix::<f32, O, I>::from_fn(|_, _| next());
        let dz: [SVector<f32, O>; 5] = core::array::from_fn(|_| SVector::from_fn(|_, _| next()));
        let mut got = [SVector::<f32, I>::from_element(7.0); 5];
        input_gradients(&w, &dz, &mut got);
        for (dz, got) in dz.iter().zip(&got) {
            let mut want = SVector::<f32, I>::zeros();
            w.tr_mul_to(dz, &mut want);
            for (g, w) in got.iter().zip(&want) {
                assert_eq!(g.to_bits(), w.to_bits(), "I = {I}, O = {O}");
            }
        }
    }

    #[test]
    fn gives_the_bits_of_tr_mul_to() {
        same_bits::<16, 1>();
        same_bits::<17, 2>();
        same_bits::<32, 3>();
        same_bits::<20, 4>();
        same_bits::<16, 5>();
        same_bits::<48, 8>();
        same_bits::<128, 10>();
        same_bits::<35, 17>();
        same_bits::<16, 32>();
        same_bits::<5, 10>();
    }
}
