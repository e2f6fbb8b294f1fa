//! Register-blocked matrix products for mini-batches, in safe Rust, without allocation.
//!
//! nalgebra's fixed-size `gemm` does not block: on 128x784 by 784x32 it reaches about
//! 13 GFLOP/s on this project's machine. These kernels keep an `R x C` tile of the result in
//! registers and stream the shared dimension through it, one rank-1 update per step:
//!
//! `acc[c][r] += a[r] * b[c]`  for `r < R`, `c < C`,
//!
//! where `a` is `R` contiguous elements of a column of the left matrix (vector loads) and `b`
//! is `C` scalars of the right matrix (broadcasts). LLVM turns the fixed-size loops over `R`
//! into vector multiply-adds. The loops live in [`tiles`], generic over the tile sizes and
//! over how a multiply-add is done; this module picks the instantiation:
//!
//! - at compile time, from `cfg(target_feature)`, for every build (`no_std` included): tiles
//!   of [`ROWS`] x [`COLS`] sized so the accumulators fill the vector registers without
//!   spilling (32x4 with AVX-512, 16x4 with AVX, 8x4 otherwise, SSE2 and every non-x86
//!   target), multiply and add separate unless the build has FMA and `std`;
//! - at run time, in `std` builds on x86-64 (`x86`): copies compiled for AVX-512 and for
//!   AVX2, both with fused multiply-adds, chosen by what the CPU reports. A default
//!   (`x86-64`, SSE2) build running on an AVX-512 machine gets 64x4 tiles of 512-bit fused
//!   multiply-adds.
//!
//! `COLS` stays below the vector width on purpose. With 8 columns, `b` is itself one full
//! vector, and LLVM's SLP vectoriser then vectorised across the columns instead, reading and
//! writing the accumulators with gathers and scatters: 784-128-10 at batch 32 trained 7x
//! slower than the hand-written per-sample reference in a native AVX-512 build. With 4
//! columns the rows (`R` wide) are the only full vectors, and the inner loop is `C`
//! broadcasts and `C` fused multiply-adds per vector of rows, on registers.
//!
//! Rows left over when the height is not a multiple of the tile (a 10-wide output layer) are
//! done in tiles of 64, 32, 16, 8, 4, then 1 rows, and left-over columns one at a time (in
//! taller tiles, so a batch of one still keeps enough multiply-adds in flight), so odd sizes
//! stay on contiguous loads: no gathers.
//!
//! A batched [`Dense`](crate::layer::Dense) layer needs two products, both over the same tile:
//! - [`Kernels::matmul_acc`]: `C += A B`, `A` column-major (the weights), `B` by columns (the
//!   batch's inputs), `C` by columns (the batch's pre-activations);
//! - [`Kernels::outer_acc`]: `G += sum_s a_s b_s^T`, the weight gradient `sum_s dz_s x_s^T`.
//!
//! Both take their columns as slices of slices, so the kernels are ordinary functions of
//! `f32` and `f64`, compiled once in `dl-core` rather than once per layer of every network.

#[cfg(all(feature = "std", target_arch = "x86_64"))]
mod avx512;
mod dispatch;
pub mod ops;
pub mod tiles;
#[cfg(all(feature = "std", target_arch = "x86_64"))]
pub mod x86;

#[cfg(test)]
use dispatch::{run, Intrinsics};
use ops::Op;
use tiles::Separate;

/// Rows of a result tile held in registers: four 256-bit vector registers of `f32`.
#[cfg(all(target_arch = "x86_64", target_feature = "avx512f"))]
pub const ROWS: usize = 32;
/// Rows of a result tile held in registers: two vector registers of `f32`.
#[cfg(all(
    target_arch = "x86_64",
    target_feature = "avx",
    not(target_feature = "avx512f")
))]
pub const ROWS: usize = 16;
/// Rows of a result tile held in registers: two vector registers of `f32`.
#[cfg(not(all(target_arch = "x86_64", target_feature = "avx")))]
pub const ROWS: usize = 8;

/// Columns of a result tile: `ROWS / lanes * COLS` accumulators, 16 of the 32 AVX-512
/// registers (LLVM uses 256-bit vectors on this CPU) or 8 of the 16 AVX/SSE registers,
/// leaving room for loads and broadcasts. Kept below the vector width (see the module docs).
pub const COLS: usize = 4;

/// The most columns a caller passes to one kernel call: a layer gathers its batch's columns
/// into arrays of this many slices on the stack (512 bytes) and calls the kernels once per run
/// of up to this many samples.
pub const MAX_COLUMNS: usize = 32;

/// The smallest weight matrix (`rows x columns`) whose single-sample products a layer hands to
/// these kernels; smaller ones stay on inlined loops, where a function call and the
/// instruction-set check would cost more than they save (at 1024: the 64-32-10 network's
/// 32x10 output layer; one-sample inference went from 1.02x to 1.17x the hand-written
/// reference when that layer stopped calling the kernels).
///
/// The same in builds that target AVX2 or AVX-512 already (`-C target-cpu=native`): there
/// LLVM vectorised nalgebra's inlined `ger` across the columns of a 32x64 layer, with gathers
/// and scatters on the gradient, and the 64-32-10 network trained at batch 1 at 0.30x the
/// speed of the default build (an earlier threshold of 16k weights in those builds).
pub const MIN_WEIGHTS: usize = 1024;

/// The smallest weight matrix whose one-sample product `W x` a layer hands to
/// [`Kernels::matvec_acc`]: in `std` builds on x86-64 (where it runs on AVX-512 or AVX2 picked
/// at run time), the same as over a batch. A 32x10 output layer inlined was one chain of 32
/// dependent multiply-adds a row (SSE2 in a default build); the kernel's four chains of
/// 512-bit multiply-adds take a third of that. Elsewhere (`no_std`, firmware) [`MIN_WEIGHTS`].
#[cfg(all(feature = "std", target_arch = "x86_64"))]
pub const MIN_MATVEC_WEIGHTS: usize = MIN_BATCH_WEIGHTS;
/// See above: [`MIN_WEIGHTS`] outside `std` builds on x86-64.
#[cfg(not(all(feature = "std", target_arch = "x86_64")))]
pub const MIN_MATVEC_WEIGHTS: usize = MIN_WEIGHTS;

/// The smallest weight matrix whose products over a batch a layer hands to these kernels, in
/// every build: below it (XOR's layers) the layer runs sample by sample inline.
pub const MIN_BATCH_WEIGHTS: usize = 256;

/// The shortest slice the whole-gradient kernels ([`Kernels::axpy`], [`Kernels::all_finite`],
/// [`Kernels::axpy_zero`], [`Kernels::axpy_finite`], [`Kernels::axpy_swap`],
/// [`Kernels::scale_all_finite`]) are called for; shorter ones (biases, XOR's tensors) run the
/// same loops inlined, where a call and the instruction-set check would cost more than the
/// wider vectors save. [`axpy`], [`all_finite`] and [`scale_all_finite`] pick for the caller.
pub const MIN_ELEMENTS: usize = 256;

/// `y += alpha x`: [`Kernels::axpy`] for long slices, inlined loops for short ones.
#[inline(always)]
pub fn axpy<T: crate::float::Float>(y: &mut [T], alpha: T, x: &[T]) {
    if y.len() < MIN_ELEMENTS {
        run_portable(ops::Axpy { y, alpha, x })
    } else {
        T::axpy(y, alpha, x)
    }
}

/// `y += alpha x; x = 0`: [`Kernels::axpy_zero`] for long slices, inlined loops for short
/// ones.
#[inline(always)]
pub fn axpy_zero<T: crate::float::Float>(y: &mut [T], alpha: T, x: &mut [T]) {
    if y.len() < MIN_ELEMENTS {
        run_portable(ops::AxpyZero { y, alpha, x })
    } else {
        T::axpy_zero(y, alpha, x)
    }
}

/// Whether every element is finite: [`Kernels::all_finite`] for long slices, inlined loops
/// for short ones.
#[inline(always)]
pub fn all_finite<T: crate::float::Float>(v: &[T]) -> bool {
    if v.len() < MIN_ELEMENTS {
        run_portable(ops::AllFinite { v })
    } else {
        T::all_finite(v)
    }
}

/// Whether every `y + alpha x` is finite, as [`axpy`] and [`axpy_zero`] would compute it
/// (the same kernel choice for the same length, so the same bits): [`Kernels::axpy_finite`]
/// for long slices, inlined loops for short ones.
#[inline(always)]
pub fn axpy_finite<T: crate::float::Float>(y: &[T], alpha: T, x: &[T]) -> bool {
    if y.len() < MIN_ELEMENTS {
        run_portable(ops::AxpyFinite { y, alpha, x })
    } else {
        T::axpy_finite(y, alpha, x)
    }
}

/// `y <- y + alpha x` and `x <- y` (the old `y`), and whether every new `y` and every old
/// `x` was finite: [`Kernels::axpy_swap`] for long slices, inlined loops for short ones.
#[inline(always)]
pub fn axpy_swap<T: crate::float::Float>(y: &mut [T], alpha: T, x: &mut [T]) -> (bool, bool) {
    if y.len() < MIN_ELEMENTS {
        run_portable(ops::AxpySwap { y, alpha, x })
    } else {
        T::axpy_swap(y, alpha, x)
    }
}

/// `v *= s` and whether every result is finite: [`Kernels::scale_all_finite`] for long
/// slices, inlined loops for short ones.
#[inline(always)]
pub fn scale_all_finite<T: crate::float::Float>(v: &mut [T], s: T) -> bool {
    if v.len() < MIN_ELEMENTS {
        run_portable(ops::ScaleAllFinite { v, s })
    } else {
        T::scale_all_finite(v, s)
    }
}

/// How the compile-time kernels multiply and add: fused where the build has FMA and `std`.
#[cfg(all(feature = "std", target_feature = "fma"))]
type CompileTime = tiles::Fused;
#[cfg(not(all(feature = "std", target_feature = "fma")))]
type CompileTime = Separate;

/// The kernels, for one scalar type (`f32`, `f64`): the matrix products of a Dense layer and
/// the whole-gradient passes of a training step.
///
/// Inconsistent sizes (a column shorter than the matrix says) never panic: the tiles that do
/// not fit are skipped, so the caller's results are wrong but memory-safe; every caller in
/// `dl-core` passes sizes fixed by the network's types.
pub trait Kernels: Sized + Copy {
    /// `C += A B`: `A` is `m x k`, column-major in `a` (`a.len() == m * k`); `B` is `k x n`,
    /// given by its columns `b[j]` (each of length `k`); `C` is `m x n`, given by its columns
    /// `c[j]` (each of length `m`); `n = min(b.len(), c.len())`.
    ///
    /// For a Dense layer over a batch, `A` is the weight matrix, `b[j]` sample `j`'s input
    /// and `c[j]` its pre-activation, pre-filled with the bias.
    fn matmul_acc(a: &[Self], m: usize, k: usize, b: &[&[Self]], c: &mut [&mut [Self]]);

    /// `c += A b` for one column: [`matmul_acc`](Self::matmul_acc) with `B = [b]` and
    /// `C = [c]`, the same bits, without the batch's blocking around it. For one sample's
    /// `z += W x` in a Dense layer.
    fn matvec_acc(a: &[Self], m: usize, k: usize, b: &[Self], c: &mut [Self]);

    /// `G += sum_s a[s] b[s]^T`: `G` is `m x n`, column-major in `g` (`g.len() == m * n`);
    /// each `a[s]` has length `m`, each `b[s]` length `n`; `s < min(a.len(), b.len())`.
    ///
    /// For a Dense layer, `a[s]` is sample `s`'s `dL/dz`, `b[s]` its input, and `G` the weight
    /// gradient: `dL/dW += sum_s dz_s x_s^T`, each tile summed over the whole batch in
    /// registers and written once.
    fn outer_acc(g: &mut [Self], m: usize, n: usize, a: &[&[Self]], b: &[&[Self]]);

    /// `G = a b^T` for one sample, without reading `G`: the same bits as
    /// [`outer_acc`](Self::outer_acc) of that one sample into a zeroed `G`. For a training step
    /// whose backward pass writes the weight gradient instead of adding to it (assign on
    /// first accumulation, [`crate::train::train_sample`]), so nothing clears it between steps.
    fn outer_set(g: &mut [Self], m: usize, n: usize, a: &[Self], b: &[Self]);

    /// `W += alpha a b^T` for one sample while `G` takes the old `W` (`W`, `G` as in
    /// [`outer_set`](Self::outer_set)): [`outer_set`](Self::outer_set) into `G`, then
    /// [`axpy_swap`](Self::axpy_swap)`(W, alpha, G)`, the same bits, in one pass over `W`
    /// instead of three. Whether every new weight and every `a_i b_j` is finite; `None`,
    /// having done nothing, where there is no fused kernel (only `f32` on AVX-512 has one) or
    /// the sizes do not fit: the caller then runs the pair.
    #[allow(clippy::too_many_arguments)]
    fn outer_sgd(
        w: &mut [Self],
        g: &mut [Self],
        m: usize,
        n: usize,
        a: &[Self],
        b: &[Self],
        alpha: Self,
    ) -> Option<(bool, bool)>;

    /// `y += alpha x`, element by element (`y.len()` and `x.len()` equal; the shorter one
    /// decides otherwise): the plain SGD step, `p -= lr g`.
    fn axpy(y: &mut [Self], alpha: Self, x: &[Self]);

    /// `y += alpha x`, then `x = 0`: the plain SGD step that also clears the gradient for the
    /// next batch, one pass instead of two.
    fn axpy_zero(y: &mut [Self], alpha: Self, x: &mut [Self]);

    /// Whether every element of `v` is finite (neither infinite nor NaN).
    fn all_finite(v: &[Self]) -> bool;

    /// Whether every `y + alpha x` is finite, computed as [`axpy`](Self::axpy) and
    /// [`axpy_zero`](Self::axpy_zero) compute it, without storing it: the check of a plain
    /// SGD step before it is applied.
    fn axpy_finite(y: &[Self], alpha: Self, x: &[Self]) -> bool;

    /// `y += alpha x` (as [`axpy`](Self::axpy) computes it) while `x` takes the old `y`:
    /// plain SGD's step in one pass that keeps the old weights where the gradient was, so a
    /// step found bad can be undone exactly. Returns whether every new `y` was finite and
    /// whether every old `x` was.
    fn axpy_swap(y: &mut [Self], alpha: Self, x: &mut [Self]) -> (bool, bool);

    /// Multiplies every element of `v` by `s` and tells whether all results are finite: the
    /// batch mean of a gradient and its finiteness check in one pass.
    fn scale_all_finite(v: &mut [Self], s: Self) -> bool;
}

/// Runs `op` with the portable tiles and a separate multiply and add, whatever the build:
/// what a `no_std` build without FMA runs, and what short slices run inlined.
#[inline(always)]
pub fn run_portable<O: Op>(op: O) -> O::Out {
    op.run::<Separate, ROWS>()
}

#[cfg(test)]
mod tests;
