//! A Dense layer's input gradients over a batch, `dL/dx_s = W^T dz_s` for every sample `s`,
//! as blocked products on the dispatched kernels (std builds).
//!
//! Why: per sample, `W^T dz` is `I` dot products of length `O` down `W`'s columns (nalgebra's
//! `tr_mul_to`), which a default x86-64 build runs two lanes wide. In the CIFAR-sized CNN's
//! training step (Dense 4096 -> 128 after the convolutions, batch 32) that loop took 11% of
//! the step (`perf`, 2026-12-02). As one product per block it runs on the kernels' AVX-512
//! tiles instead:
//!
//! `dX^T = dZ^T W`, i.e. `dx_s[i] = sum_o dz_s[o] W[o][i]`,
//!
//! with `A = dZ^T` (`m` samples by up to [`DEPTH`] outputs, packed column-major on the stack),
//! `W`'s columns (contiguous in nalgebra's column-major storage) as the right-hand columns,
//! and the product's columns (one input `i` each, `m` long) added into the samples' `dx`.
//!
//! Each `dx_s[i]` is `0 + c_1 + c_2 + ...` over the blocks of [`DEPTH`] outputs, where each
//! block's `c` is one chain of multiply-adds whatever else is in the batch (`m k` never passes
//! the block the kernel keeps in L1, so it does not split the chain): a sample's input
//! gradient does not depend on which samples share its chunk, which the data-parallel
//! engine's thread-count bit-identity relies on.

use crate::float::Float;
use crate::kernel::MAX_COLUMNS;
use nalgebra::{SMatrix, SVector};

/// Fewest outputs `O` for which the blocked products pay. Below, a product's columns are too
/// short for the packing and the transposed adds: 784-128-10's output layer (`O = 10`) trained
/// 1-2% slower through them at batch 32 (A/B, 3 runs each, 2026-12-02), so it keeps the
/// per-sample `tr_mul_to`.
pub(super) const MIN_OUTPUTS: usize = 32;

/// Outputs of `dz` packed at a time: `MAX_COLUMNS * DEPTH` scalars on the stack (4 KiB of
/// `f32`; with the product's block of `MAX_COLUMNS * MAX_COLUMNS`, [`STACK_SCALARS`] in
/// all, 8 KiB, which `Layer::STACK_SCALARS` counts). `MAX_COLUMNS * DEPTH = 1024` stays under
/// the 8192 floats the AVX-512 product keeps in L1 at once, so a block's sums are never split.
///
/// Why not 128 (one block for the CIFAR network's 128 outputs, 13% faster step than the
/// per-sample loop against 8% at 32, A/B, 4 runs each, 2026-12-02): its 20 KiB overflowed the
/// 64 KiB thread on which `tests/tests/any_size` runs the 150x150x3 network's
/// workspace-backed passes in a debug build (MSRV 1.89's CI run).
const DEPTH: usize = 32;

/// Scalars [`input_gradients`] keeps on the stack: the packed block of `dz` and the product's
/// block.
pub(super) const STACK_SCALARS: usize = MAX_COLUMNS * DEPTH + MAX_COLUMNS * MAX_COLUMNS;
const _: () = assert!(STACK_SCALARS == crate::stack::DENSE_STACK_SCALARS);
const _: () = assert!(
    super::dense_transposed::stack_scalars(super::dense_transposed::MAX_OUTPUTS)
        <= crate::stack::DENSE_STACK_SCALARS
);

/// `dx[s] = W^T dz[s]` for `s < min(dz.len(), dx.len())`, overwriting `dx[s]`.
pub(super) fn input_gradients<T: Float, const I: usize, const O: usize>(
    weight: &SMatrix<T, O, I>,
    dz: &[SVector<T, O>],
    dx: &mut [SVector<T, I>],
) {
    let w = weight.as_slice();
    for (dz, dx) in dz.chunks(MAX_COLUMNS).zip(dx.chunks_mut(MAX_COLUMNS)) {
        let m = dz.len().min(dx.len());
        let dx = &mut dx[..m];
        for dx in dx.iter_mut() {
            dx.fill(T::ZERO);
        }
        let mut packed = [T::ZERO; MAX_COLUMNS * DEPTH];
        for start in (0..O).step_by(DEPTH) {
            let depth = DEPTH.min(O - start);
            // Column `o` of `dZ^T`: every sample's `dz[start + o]`.
            for (o, column) in packed.chunks_exact_mut(m).take(depth).enumerate() {
                for (p, dz) in column.iter_mut().zip(dz) {
                    *p = dz[start + o];
                    // Scalar: vectorised over the samples, these loads a row of `dz` apart
                    // are the strided pattern LLVM turns into gathers in
                    // `-C target-cpu=native` builds (issue 12); emits no instruction.
                    core::sync::atomic::compiler_fence(core::sync::atomic::Ordering::SeqCst);
                }
            }
            add_block_products(w, O, start, depth, &packed[..m * depth], dx);
        }
    }
}

/// `dx[s][i] += sum_{o < depth} a[s + m o] W[start + o][i]` for every input `i`, up to
/// [`MAX_COLUMNS`] inputs a product; `w` is `W` column-major (`rows` outputs a column).
fn add_block_products<T: Float, const I: usize>(
    w: &[T],
    rows: usize,
    start: usize,
    depth: usize,
    a: &[T],
    dx: &mut [SVector<T, I>],
) {
    let m = dx.len();
    for first in (0..I).step_by(MAX_COLUMNS) {
        let n = MAX_COLUMNS.min(I - first);
        let columns: [&[T]; MAX_COLUMNS] = core::array::from_fn(|j| {
            let at = (first + j) * rows + start;
            w.get(at..at + depth).filter(|_| j < n).unwrap_or_default()
        });
        let mut block = [T::ZERO; MAX_COLUMNS * MAX_COLUMNS];
        let mut outs = block.chunks_exact_mut(m);
        let mut outputs: [&mut [T]; MAX_COLUMNS] =
            core::array::from_fn(|_| outs.next().unwrap_or_default());
        T::matmul_acc(a, m, depth, &columns[..n], &mut outputs[..n]);
        // Sample by sample, so each sample's `dx` is written in one run of `n` (the other
        // order strides by a whole `dx` a store, `I` scalars, and thrashed L1's sets: 4.5%
        // of the CIFAR step).
        for (s, dx) in dx.iter_mut().enumerate() {
            let column = block.iter().skip(s).step_by(m);
            for (d, &v) in dx.as_mut_slice()[first..first + n].iter_mut().zip(column) {
                *d += v;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;
    use alloc::vec::Vec;

    /// Every `dx_s` against the plain double sum, for sizes that cross every block edge:
    /// outputs past one [`DEPTH`] block, inputs past one product's columns, batches past one
    /// chunk, and a batch of one.
    #[test]
    fn matches_the_transposed_product() {
        fn check<const I: usize, const O: usize>(batch: usize) {
            let weight = SMatrix::<f64, O, I>::from_fn(|r, c| ((r * 7 + c * 3) % 11) as f64 - 5.0);
            let dz: Vec<SVector<f64, O>> = (0..batch)
                .map(|s| SVector::from_fn(|o, _| ((o + 5 * s) % 13) as f64 * 0.25 - 1.5))
                .collect();
            let mut dx = vec![SVector::<f64, I>::from_element(9.0); batch];
            input_gradients(&weight, &dz, &mut dx);
            for (s, (dx, dz)) in dx.iter().zip(&dz).enumerate() {
                for i in 0..I {
                    let want: f64 = (0..O).map(|o| weight[(o, i)] * dz[o]).sum();
                    // Small integers and quarters: every partial sum is exact in f64.
                    assert_eq!(dx[i], want, "I {I}, O {O}, batch {batch}: dx[{s}][{i}]");
                }
            }
        }
        check::<5, 3>(1);
        check::<40, 300>(70);
        check::<33, 129>(33);
        check::<64, 128>(32);
    }
}
