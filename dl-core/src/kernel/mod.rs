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
//! - at run time, in `std` builds on x86-64 ([`x86`]): copies compiled for AVX-512 and for
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

pub mod tiles;
#[cfg(all(feature = "std", target_arch = "x86_64"))]
pub mod x86;

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

/// The height of the row tiles of a single column (a batch of one, or the last columns of a
/// batch): four times [`ROWS`], so a lone column still keeps `4 * ROWS / lanes` independent
/// accumulators, enough to hide the multiply-add latency.
pub const SINGLE_COLUMN_ROWS: usize = 4 * ROWS;

/// The most columns a caller passes to one kernel call: a layer gathers its batch's columns
/// into arrays of this many slices on the stack (512 bytes) and calls the kernels once per run
/// of up to this many samples.
pub const MAX_COLUMNS: usize = 32;

/// How the compile-time kernels multiply and add: fused where the build has FMA and `std`.
#[cfg(all(feature = "std", target_feature = "fma"))]
type CompileTime = tiles::Fused;
#[cfg(not(all(feature = "std", target_feature = "fma")))]
type CompileTime = Separate;

/// The matrix products of the batched pass, for one scalar type (`f32`, `f64`).
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

    /// `G += sum_s a[s] b[s]^T`: `G` is `m x n`, column-major in `g` (`g.len() == m * n`);
    /// each `a[s]` has length `m`, each `b[s]` length `n`; `s < min(a.len(), b.len())`.
    ///
    /// For a Dense layer, `a[s]` is sample `s`'s `dL/dz`, `b[s]` its input, and `G` the weight
    /// gradient: `dL/dW += sum_s dz_s x_s^T`, each tile summed over the whole batch in
    /// registers and written once.
    fn outer_acc(g: &mut [Self], m: usize, n: usize, a: &[&[Self]], b: &[&[Self]]);
}

macro_rules! kernels {
    ($t:ty) => {
        impl Kernels for $t {
            #[inline(never)]
            fn matmul_acc(a: &[$t], m: usize, k: usize, b: &[&[$t]], c: &mut [&mut [$t]]) {
                #[cfg(all(feature = "std", target_arch = "x86_64"))]
                if <$t as x86::Dispatch>::matmul(x86::isa(), a, m, k, b, c) {
                    return;
                }
                tiles::matmul::<$t, CompileTime, ROWS, COLS, SINGLE_COLUMN_ROWS>(a, m, k, b, c);
            }

            #[inline(never)]
            fn outer_acc(g: &mut [$t], m: usize, n: usize, a: &[&[$t]], b: &[&[$t]]) {
                #[cfg(all(feature = "std", target_arch = "x86_64"))]
                if <$t as x86::Dispatch>::outer(x86::isa(), g, m, n, a, b) {
                    return;
                }
                tiles::outer::<$t, CompileTime, ROWS, COLS>(g, m, n, a, b);
            }
        }
    };
}

kernels!(f32);
kernels!(f64);

/// The portable kernels with a separate multiply and add, whatever the build: what a `no_std`
/// build without FMA runs, kept callable so tests can compare every path.
pub fn matmul_acc_portable<T: tiles::Scalar>(
    a: &[T],
    m: usize,
    k: usize,
    b: &[&[T]],
    c: &mut [&mut [T]],
) {
    tiles::matmul::<T, Separate, ROWS, COLS, SINGLE_COLUMN_ROWS>(a, m, k, b, c);
}

/// See [`matmul_acc_portable`].
pub fn outer_acc_portable<T: tiles::Scalar>(
    g: &mut [T],
    m: usize,
    n: usize,
    a: &[&[T]],
    b: &[&[T]],
) {
    tiles::outer::<T, Separate, ROWS, COLS>(g, m, n, a, b);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::float::Float;

    /// Deterministic values in `[-1, 1)`.
    fn values(n: usize, seed: u64) -> [f64; 4096] {
        let mut rng = crate::rng::Rng::new(seed);
        let mut v = [0.0; 4096];
        for x in v.iter_mut().take(n) {
            *x = rng.uniform() * 2.0 - 1.0;
        }
        v
    }

    #[cfg(all(feature = "std", target_arch = "x86_64"))]
    use x86::Dispatch as Testable;
    #[cfg(not(all(feature = "std", target_arch = "x86_64")))]
    trait Testable {}
    #[cfg(not(all(feature = "std", target_arch = "x86_64")))]
    impl<T> Testable for T {}

    type Matmul<T> = fn(&[T], usize, usize, &[&[T]], &mut [&mut [T]]);
    type Outer<T> = fn(&mut [T], usize, usize, &[&[T]], &[&[T]]);

    fn check_matmul<T: Float>(m: usize, k: usize, n: usize, kernel: Matmul<T>, name: &str) {
        let a64 = values(m * k, 1);
        let b64 = values(k * n, 2);
        let c64 = values(m * n, 3);
        let a: [T; 4096] = a64.map(T::cast);
        let b: [T; 4096] = b64.map(T::cast);
        let mut c: [T; 4096] = c64.map(T::cast);
        let cols: [&[T]; 64] = core::array::from_fn(|j| b.get(j * k..(j + 1) * k).unwrap_or(&[]));
        let mut out = c[..m * n].chunks_exact_mut(m.max(1));
        let mut c_cols: [&mut [T]; 64] = core::array::from_fn(|_| out.next().unwrap_or_default());
        kernel(&a[..m * k], m, k, &cols[..n], &mut c_cols[..n]);
        for j in 0..n {
            for r in 0..m {
                let want = c64[j * m + r]
                    + (0..k)
                        .map(|kk| a64[kk * m + r] * b64[j * k + kk])
                        .sum::<f64>();
                let got = c_cols[j][r].as_f64();
                let tol = if T::NAME == "f32" { 1e-4 } else { 1e-12 } * (k as f64 + 1.0);
                assert!(
                    (got - want).abs() <= tol,
                    "{name}: {m}x{k} by {k}x{n}: C[{r}][{j}] = {got}, naive {want}"
                );
            }
        }
    }

    fn check_outer<T: Float>(m: usize, n: usize, count: usize, kernel: Outer<T>, name: &str) {
        let a64 = values(m * count, 4);
        let b64 = values(n * count, 5);
        let g64 = values(m * n, 6);
        let a: [T; 4096] = a64.map(T::cast);
        let b: [T; 4096] = b64.map(T::cast);
        let mut g: [T; 4096] = g64.map(T::cast);
        let a_cols: [&[T]; 64] = core::array::from_fn(|s| a.get(s * m..(s + 1) * m).unwrap_or(&[]));
        let b_cols: [&[T]; 64] = core::array::from_fn(|s| b.get(s * n..(s + 1) * n).unwrap_or(&[]));
        kernel(&mut g[..m * n], m, n, &a_cols[..count], &b_cols[..count]);
        for j in 0..n {
            for r in 0..m {
                let want = g64[j * m + r]
                    + (0..count)
                        .map(|s| a64[s * m + r] * b64[s * n + j])
                        .sum::<f64>();
                let got = g[j * m + r].as_f64();
                let tol = if T::NAME == "f32" { 1e-4 } else { 1e-12 } * (count as f64 + 1.0);
                assert!(
                    (got - want).abs() <= tol,
                    "{name}: outer {m}x{n} over {count}: G[{r}][{j}] = {got}, naive {want}"
                );
            }
        }
    }

    /// Sizes around every tile edge: 1, a batch of one, multiples of the tiles, 10-wide
    /// outputs, primes, heights past the 64-row and the single-column tiles, and a shared
    /// dimension longer than one packed panel (`DEPTH`).
    const SIZES: [(usize, usize, usize); 17] = [
        (130, 20, 5),
        (10, 33, 1),
        (37, 5, 1),
        (1, 1, 1),
        (10, 32, 32),
        (10, 128, 7),
        (32, 64, 32),
        (33, 5, 9),
        (7, 300, 3),
        (64, 17, 8),
        (13, 13, 13),
        (4, 520, 5),
        (40, 3, 33),
        (2, 2, 31),
        (15, 260, 12),
        (129, 7, 3),
        (200, 3, 1),
    ];

    /// Every kernel this build can run on this CPU, by name: the dispatched entry points, the
    /// portable kernels, and each run-time instruction set the CPU has.
    fn matmuls<T: Float + Testable + 'static>() -> [(&'static str, Option<Matmul<T>>); 4] {
        [
            ("dispatched", Some(T::matmul_acc as Matmul<T>)),
            ("portable", Some(matmul_acc_portable::<T> as Matmul<T>)),
            #[cfg(all(feature = "std", target_arch = "x86_64"))]
            ("avx2", x86::matmul_on::<T>(x86::Isa::Avx2)),
            #[cfg(all(feature = "std", target_arch = "x86_64"))]
            ("avx512", x86::matmul_on::<T>(x86::Isa::Avx512)),
            #[cfg(not(all(feature = "std", target_arch = "x86_64")))]
            ("avx2", None),
            #[cfg(not(all(feature = "std", target_arch = "x86_64")))]
            ("avx512", None),
        ]
    }

    fn outers<T: Float + Testable + 'static>() -> [(&'static str, Option<Outer<T>>); 4] {
        [
            ("dispatched", Some(T::outer_acc as Outer<T>)),
            ("portable", Some(outer_acc_portable::<T> as Outer<T>)),
            #[cfg(all(feature = "std", target_arch = "x86_64"))]
            ("avx2", x86::outer_on::<T>(x86::Isa::Avx2)),
            #[cfg(all(feature = "std", target_arch = "x86_64"))]
            ("avx512", x86::outer_on::<T>(x86::Isa::Avx512)),
            #[cfg(not(all(feature = "std", target_arch = "x86_64")))]
            ("avx2", None),
            #[cfg(not(all(feature = "std", target_arch = "x86_64")))]
            ("avx512", None),
        ]
    }

    #[test]
    fn matmul_matches_naive_product() {
        for &(m, k, n) in &SIZES {
            for (name, kernel) in matmuls::<f32>() {
                if let Some(kernel) = kernel {
                    check_matmul::<f32>(m, k, n, kernel, name);
                }
            }
            for (name, kernel) in matmuls::<f64>() {
                if let Some(kernel) = kernel {
                    check_matmul::<f64>(m, k, n, kernel, name);
                }
            }
        }
    }

    #[test]
    fn outer_matches_naive_product() {
        for &(m, n, count) in &SIZES {
            for (name, kernel) in outers::<f32>() {
                if let Some(kernel) = kernel {
                    check_outer::<f32>(m, n, count, kernel, name);
                }
            }
            for (name, kernel) in outers::<f64>() {
                if let Some(kernel) = kernel {
                    check_outer::<f64>(m, n, count, kernel, name);
                }
            }
        }
    }

    #[test]
    fn empty_sizes_do_nothing() {
        let mut g = [1.0f32; 4];
        let empty: &[f32] = &[];
        f32::outer_acc(&mut g, 0, 4, &[empty; 3], &[empty; 3]);
        f32::matmul_acc(&[], 2, 0, &[empty; 2], &mut [&mut [], &mut []]);
        assert_eq!(g, [1.0; 4]);
    }

    /// Columns shorter than the sizes claim are skipped, never a panic.
    #[test]
    fn inconsistent_sizes_do_not_panic() {
        let a = [1.0f32; 64];
        let mut c0 = [0.0f32; 3];
        f32::matmul_acc(&a, 8, 8, &[&[1.0; 2]], &mut [&mut c0]);
        let mut g = [0.0f32; 64];
        f32::outer_acc(
            &mut g,
            8,
            8,
            &[&[1.0; 3], &[1.0; 8]],
            &[&[1.0; 8], &[1.0; 2]],
        );
    }
}
