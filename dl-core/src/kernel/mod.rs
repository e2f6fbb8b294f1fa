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
pub mod ops;
pub mod tiles;
#[cfg(all(feature = "std", target_arch = "x86_64"))]
pub mod x86;

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

    /// `G += sum_s a[s] b[s]^T`: `G` is `m x n`, column-major in `g` (`g.len() == m * n`);
    /// each `a[s]` has length `m`, each `b[s]` length `n`; `s < min(a.len(), b.len())`.
    ///
    /// For a Dense layer, `a[s]` is sample `s`'s `dL/dz`, `b[s]` its input, and `G` the weight
    /// gradient: `dL/dW += sum_s dz_s x_s^T`, each tile summed over the whole batch in
    /// registers and written once.
    fn outer_acc(g: &mut [Self], m: usize, n: usize, a: &[&[Self]], b: &[&[Self]]);

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

/// Runs a kernel: on x86-64 with `std`, compiled for the best instruction set the CPU has;
/// otherwise (or on a CPU with neither AVX2 nor AVX-512) with the compile-time tiles.
#[inline(always)]
fn run<O: Op>(op: O) -> O::Out {
    #[cfg(all(feature = "std", target_arch = "x86_64"))]
    let op = match x86::run(op) {
        Ok(out) => return out,
        Err(op) => op,
    };
    op.run::<CompileTime, ROWS>()
}

/// Kernels a scalar type has in hand-written intrinsics for this CPU, tried before the
/// generic ones: `f32` on AVX-512 (`avx512`). Each returns `false` when it did nothing.
trait Intrinsics: Sized {
    #[inline(always)]
    fn matmul(_: &[Self], _: usize, _: usize, _: &[&[Self]], _: &mut [&mut [Self]]) -> bool {
        false
    }
    #[inline(always)]
    fn outer(_: &mut [Self], _: usize, _: usize, _: &[&[Self]], _: &[&[Self]]) -> bool {
        false
    }
}

#[cfg(all(feature = "std", target_arch = "x86_64"))]
impl Intrinsics for f32 {
    #[inline(always)]
    fn matmul(a: &[f32], m: usize, k: usize, b: &[&[f32]], c: &mut [&mut [f32]]) -> bool {
        x86::matmul_avx512_f32(a, m, k, b, c)
    }
    #[inline(always)]
    fn outer(g: &mut [f32], m: usize, n: usize, a: &[&[f32]], b: &[&[f32]]) -> bool {
        x86::outer_avx512_f32(g, m, n, a, b)
    }
}
#[cfg(not(all(feature = "std", target_arch = "x86_64")))]
impl Intrinsics for f32 {}
impl Intrinsics for f64 {}

macro_rules! kernels {
    ($t:ty) => {
        impl Kernels for $t {
            #[inline(never)]
            fn matmul_acc(a: &[$t], m: usize, k: usize, b: &[&[$t]], c: &mut [&mut [$t]]) {
                if !<$t as Intrinsics>::matmul(a, m, k, b, c) {
                    run(ops::Matmul { a, m, k, b, c })
                }
            }

            #[inline(never)]
            fn outer_acc(g: &mut [$t], m: usize, n: usize, a: &[&[$t]], b: &[&[$t]]) {
                if !<$t as Intrinsics>::outer(g, m, n, a, b) {
                    run(ops::Outer { g, m, n, a, b })
                }
            }

            #[inline(never)]
            fn axpy(y: &mut [$t], alpha: $t, x: &[$t]) {
                run(ops::Axpy { y, alpha, x })
            }

            #[inline(never)]
            fn axpy_zero(y: &mut [$t], alpha: $t, x: &mut [$t]) {
                run(ops::AxpyZero { y, alpha, x })
            }

            #[inline(never)]
            fn all_finite(v: &[$t]) -> bool {
                run(ops::AllFinite { v })
            }

            #[inline(never)]
            fn axpy_finite(y: &[$t], alpha: $t, x: &[$t]) -> bool {
                run(ops::AxpyFinite { y, alpha, x })
            }

            #[inline(never)]
            fn axpy_swap(y: &mut [$t], alpha: $t, x: &mut [$t]) -> (bool, bool) {
                run(ops::AxpySwap { y, alpha, x })
            }

            #[inline(never)]
            fn scale_all_finite(v: &mut [$t], s: $t) -> bool {
                run(ops::ScaleAllFinite { v, s })
            }
        }
    };
}

kernels!(f32);
kernels!(f64);

/// Runs `op` with the portable tiles and a separate multiply and add, whatever the build:
/// what a `no_std` build without FMA runs, and what short slices run inlined.
#[inline(always)]
pub fn run_portable<O: Op>(op: O) -> O::Out {
    op.run::<Separate, ROWS>()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::float::Float;

    /// Room for the largest test matrix (100 x 90).
    const BUF: usize = 9000;

    /// Deterministic values in `[-1, 1)`.
    fn values(n: usize, seed: u64) -> [f64; BUF] {
        let mut rng = crate::rng::Rng::new(seed);
        let mut v = [0.0; BUF];
        for x in v.iter_mut().take(n) {
            *x = rng.uniform() * 2.0 - 1.0;
        }
        v
    }

    /// Every way this build can run a kernel: the dispatched entry points, the portable
    /// kernels, and each run-time instruction set (skipped where the CPU lacks it).
    #[derive(Clone, Copy, Debug)]
    enum Path {
        Dispatched,
        Portable,
        Avx2,
        Avx512,
        /// The hand-written intrinsics (`f32` on AVX-512 only).
        Intrinsics,
    }

    const PATHS: [Path; 5] = [
        Path::Dispatched,
        Path::Portable,
        Path::Avx2,
        Path::Avx512,
        Path::Intrinsics,
    ];

    /// Runs `op` on `path`; `None` if this CPU or build cannot.
    fn exec<O: Op>(path: Path, op: O) -> Option<O::Out> {
        match path {
            Path::Dispatched => Some(run(op)),
            Path::Portable => Some(run_portable(op)),
            #[cfg(all(feature = "std", target_arch = "x86_64"))]
            Path::Avx2 => x86::run_on(x86::Isa::Avx2, op).ok(),
            #[cfg(all(feature = "std", target_arch = "x86_64"))]
            Path::Avx512 => x86::run_on(x86::Isa::Avx512, op).ok(),
            #[cfg(not(all(feature = "std", target_arch = "x86_64")))]
            Path::Avx2 | Path::Avx512 => None,
            Path::Intrinsics => None,
        }
    }

    fn tolerance<T: Float>(terms: usize) -> f64 {
        let unit = if T::NAME == "f32" { 1e-4 } else { 1e-12 };
        unit * (terms as f64 + 1.0)
    }

    fn check_matmul<T: Float + Intrinsics>(m: usize, k: usize, n: usize, path: Path) {
        let a64 = values(m * k, 1);
        let b64 = values(k * n, 2);
        let c64 = values(m * n, 3);
        let a: [T; BUF] = a64.map(T::cast);
        let b: [T; BUF] = b64.map(T::cast);
        let mut c: [T; BUF] = c64.map(T::cast);
        let cols: [&[T]; 64] = core::array::from_fn(|j| b.get(j * k..(j + 1) * k).unwrap_or(&[]));
        let mut out = c[..m * n].chunks_exact_mut(m.max(1));
        let mut c_cols: [&mut [T]; 64] = core::array::from_fn(|_| out.next().unwrap_or_default());
        let (a_used, b_used) = (&a[..m * k], &cols[..n]);
        let done = match path {
            Path::Intrinsics => T::matmul(a_used, m, k, b_used, &mut c_cols[..n]),
            _ => {
                let c = &mut c_cols[..n];
                let op = ops::Matmul {
                    a: a_used,
                    m,
                    k,
                    b: b_used,
                    c,
                };
                exec(path, op).is_some()
            }
        };
        if !done {
            return;
        }
        for j in 0..n {
            for r in 0..m {
                let want = c64[j * m + r]
                    + (0..k)
                        .map(|kk| a64[kk * m + r] * b64[j * k + kk])
                        .sum::<f64>();
                let got = c_cols[j][r].as_f64();
                assert!(
                    (got - want).abs() <= tolerance::<T>(k),
                    "{path:?} {}: {m}x{k} by {k}x{n}: C[{r}][{j}] = {got}, naive {want}",
                    T::NAME
                );
            }
        }
    }

    fn check_outer<T: Float + Intrinsics>(m: usize, n: usize, count: usize, path: Path) {
        let a64 = values(m * count, 4);
        let b64 = values(n * count, 5);
        let g64 = values(m * n, 6);
        let a: [T; BUF] = a64.map(T::cast);
        let b: [T; BUF] = b64.map(T::cast);
        let mut g: [T; BUF] = g64.map(T::cast);
        let a_cols: [&[T]; 64] = core::array::from_fn(|s| a.get(s * m..(s + 1) * m).unwrap_or(&[]));
        let b_cols: [&[T]; 64] = core::array::from_fn(|s| b.get(s * n..(s + 1) * n).unwrap_or(&[]));
        let (g_used, a_used, b_used) = (&mut g[..m * n], &a_cols[..count], &b_cols[..count]);
        let done = match path {
            Path::Intrinsics => T::outer(g_used, m, n, a_used, b_used),
            _ => {
                let op = ops::Outer {
                    g: g_used,
                    m,
                    n,
                    a: a_used,
                    b: b_used,
                };
                exec(path, op).is_some()
            }
        };
        if !done {
            return;
        }
        for j in 0..n {
            for r in 0..m {
                let want = g64[j * m + r]
                    + (0..count)
                        .map(|s| a64[s * m + r] * b64[s * n + j])
                        .sum::<f64>();
                let got = g[j * m + r].as_f64();
                assert!(
                    (got - want).abs() <= tolerance::<T>(count),
                    "{path:?} {}: outer {m}x{n} over {count}: G[{r}][{j}] = {got}, naive {want}",
                    T::NAME
                );
            }
        }
    }

    /// Sizes around every tile edge: 1, a batch of one, multiples of the tiles, 10-wide
    /// outputs, primes, heights past the 64-row tile, a shared dimension longer than one
    /// packed panel (`DEPTH`) or one L1 block of the AVX-512 kernel (100 x 90), and more
    /// samples than one packed panel of the outer product.
    const SIZES: [(usize, usize, usize); 19] = [
        (100, 90, 5),
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
        (24, 5, 64),
    ];

    #[test]
    fn matmul_matches_naive_product_on_every_path() {
        for path in PATHS {
            for &(m, k, n) in &SIZES {
                check_matmul::<f32>(m, k, n, path);
                check_matmul::<f64>(m, k, n, path);
            }
        }
    }

    #[test]
    fn outer_matches_naive_product_on_every_path() {
        for path in PATHS {
            for &(m, n, count) in &SIZES {
                check_outer::<f32>(m, n, count, path);
                check_outer::<f64>(m, n, count, path);
            }
        }
    }

    fn check_elementwise<T: Float>(path: Path) {
        for len in [0, 1, 15, 63, 64, 65, 200, 1000] {
            let x64 = values(len, 7);
            let y64 = values(len, 8);
            let x: [T; BUF] = x64.map(T::cast);
            let mut y: [T; BUF] = y64.map(T::cast);
            let alpha = T::cast(-0.375);
            let op = ops::Axpy {
                y: &mut y[..len],
                alpha,
                x: &x[..len],
            };
            if exec(path, op).is_none() {
                return;
            }
            for i in 0..len {
                let want = y64[i] - 0.375 * x64[i];
                assert!(
                    (y[i].as_f64() - want).abs() <= tolerance::<T>(1),
                    "{path:?} axpy"
                );
            }
            assert_eq!(exec(path, ops::AllFinite { v: &x[..len] }), Some(true));
            let mut v = x;
            let op = ops::ScaleAllFinite {
                v: &mut v[..len],
                s: T::cast(0.5),
            };
            assert_eq!(exec(path, op), Some(true));
            for i in 0..len {
                assert_eq!(v[i], x[i] * T::cast(0.5), "{path:?} scale");
            }
            for bad in [
                T::cast(f64::NAN),
                T::cast(f64::INFINITY),
                T::cast(f64::NEG_INFINITY),
            ] {
                for at in [0, len / 2, len.saturating_sub(1)] {
                    if len == 0 {
                        continue;
                    }
                    let mut w = x;
                    w[at] = bad;
                    assert_eq!(exec(path, ops::AllFinite { v: &w[..len] }), Some(false));
                    let op = ops::ScaleAllFinite {
                        v: &mut w[..len],
                        s: T::cast(0.25),
                    };
                    assert_eq!(exec(path, op), Some(false), "{path:?} {len} {at}");
                }
            }
            // A finite value whose scaled result overflows is caught too.
            if len > 0 {
                let mut w = x;
                w[len - 1] = T::max_value().unwrap_or(T::ZERO);
                let op = ops::ScaleAllFinite {
                    v: &mut w[..len],
                    s: T::cast(4.0),
                };
                assert_eq!(exec(path, op), Some(false), "{path:?} overflow");
            }
        }
    }

    #[test]
    fn elementwise_kernels_on_every_path() {
        for path in PATHS {
            check_elementwise::<f32>(path);
            check_elementwise::<f64>(path);
        }
    }

    /// `AxpySwap`: the step, the old values where the gradient was, and which of the two
    /// had a non-finite value (a bad gradient value at the start, middle or end; a finite
    /// one whose step overflows).
    fn check_swap<T: Float>(path: Path) {
        const N: usize = 1000;
        for len in [1, 15, 64, 65, 200, N] {
            let (x64, y64) = (values(len, 9), values(len, 10));
            let x: [T; N] = core::array::from_fn(|i| T::cast(x64[i]));
            let y: [T; N] = core::array::from_fn(|i| T::cast(y64[i]));
            let alpha = T::cast(-0.375);
            let (mut p, mut g) = (y, x);
            let op = ops::AxpySwap {
                y: &mut p[..len],
                alpha,
                x: &mut g[..len],
            };
            let Some(finite) = exec(path, op) else {
                return;
            };
            assert_eq!(finite, (true, true), "{path:?} {len}");
            assert_eq!(g[..len], y[..len], "{path:?} {len}: the old values");
            let mut want = y;
            exec(
                path,
                ops::Axpy {
                    y: &mut want[..len],
                    alpha,
                    x: &x[..len],
                },
            );
            assert_eq!(p[..len], want[..len], "{path:?} {len}: the step, as axpy");
            for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
                for at in [0, len / 2, len - 1] {
                    let (mut p, mut g) = (y, x);
                    g[at] = T::cast(bad);
                    let op = ops::AxpySwap {
                        y: &mut p[..len],
                        alpha,
                        x: &mut g[..len],
                    };
                    assert_eq!(exec(path, op), Some((false, false)), "{path:?} {len} {at}");
                }
            }
            let (mut p, mut g) = (y, x);
            let max = T::max_value().unwrap_or(T::ZERO);
            (p[len / 2], g[len / 2]) = (max, max);
            let op = ops::AxpySwap {
                y: &mut p[..len],
                alpha: T::cast(2.0),
                x: &mut g[..len],
            };
            assert_eq!(
                exec(path, op),
                Some((false, true)),
                "{path:?} {len}: overflow"
            );
        }
    }

    #[test]
    fn swap_kernel_on_every_path() {
        for path in PATHS {
            check_swap::<f32>(path);
            check_swap::<f64>(path);
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
