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
//! into vector multiply-adds (fused where [`Float::mul_add_fast`] is). The tile sizes are
//! picked at compile time from `cfg(target_feature)` so the accumulators fill the vector
//! register file without spilling (see [`ROWS`], [`COLS`]): a `-C target-cpu=native` build on
//! an AVX-512 machine gets 32x4 tiles, AVX2 16x4, the default x86-64 target (SSE2) 8x4.
//!
//! `COLS` stays below the vector width on purpose. With 8 columns, `b` is itself one full
//! vector, and LLVM's SLP vectoriser then vectorised across the columns instead, reading and
//! writing the accumulators with gathers and scatters: 784-128-10 at batch 32 trained 7x slower
//! than the hand-written per-sample reference in a native AVX-512 build. With 4 columns the rows (`R` wide) are the only full
//! vectors, and the inner loop is `C` broadcasts and `R / 8 * C` fused multiply-adds on
//! registers.
//!
//! Rows left over when the height is not a multiple of [`ROWS`] (a 10-wide output layer) are
//! done in tiles of 8, then 4, then 1 rows, and left-over columns one at a time (in taller
//! tiles, `4 * ROWS`, so a batch of one still keeps enough multiply-adds in flight), so odd
//! sizes stay on contiguous loads: no gathers.
//!
//! A batched [`Dense`](crate::layer::Dense) layer needs two products, both over the same tile:
//! - [`matmul_acc`]: `C += A B`, `A` column-major (the weights), `B` by columns (the batch's
//!   inputs), `C` by columns (the batch's pre-activations);
//! - [`outer_acc`]: `G += sum_k a_k b_k^T`, the weight gradient `sum_b dz_b x_b^T`.

use crate::float::Float;

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

/// Steps of the shared dimension packed at a time by [`matmul_acc`] (a `DEPTH x COLS` panel
/// of `B` on the stack: 8 KiB of `f32` on AVX-512).
pub const DEPTH: usize = 256;

/// One rank-1 update of an `R x C` accumulator tile: `acc[c][r] += a[r] * b[c]`.
#[inline(always)]
fn rank1<T: Float, const R: usize, const C: usize>(acc: &mut [[T; R]; C], a: &[T; R], b: &[T; C]) {
    for (acc, &b) in acc.iter_mut().zip(b) {
        for (acc, &a) in acc.iter_mut().zip(a) {
            *acc = a.mul_add_fast(b, *acc);
        }
    }
}

/// The `R` elements of `col` from `r0`; `None` only if the caller's sizes are inconsistent.
#[inline(always)]
fn rows<T, const R: usize>(col: &[T], r0: usize) -> Option<&[T; R]> {
    col.get(r0..)?.first_chunk::<R>()
}

/// `dst[r0..r0 + acc.len()] += acc`: how a caller of [`matmul_acc`] adds a finished tile
/// into a column of its result.
#[inline(always)]
pub fn add_rows<T: Float>(dst: &mut [T], r0: usize, acc: &[T]) {
    if let Some(dst) = dst.get_mut(r0..r0 + acc.len()) {
        for (d, &a) in dst.iter_mut().zip(acc) {
            *d += a;
        }
    }
}

/// The height of the first row tiles of a single column (a batch of one, or the last columns
/// of a batch): four times [`ROWS`], so a lone column still keeps `4 * ROWS / lanes`
/// independent accumulators, enough to hide the multiply-add latency.
const SINGLE_COLUMN_ROWS: usize = 4 * ROWS;

/// `C += A B`: `A` is `m x k`, column-major in `a` (`a.len() == m * k`); `B` is `k x n`, given
/// by its columns `b(j)` (each of length `k`); `C` is `m x n`, and `add(j, r0, t)` must add
/// the slice `t` into rows `r0..r0 + t.len()` of its column `j`.
///
/// For a Dense layer over a batch, `A` is the weight matrix, `b(j)` sample `j`'s input and
/// column `j` of `C` its pre-activation, pre-filled with the bias.
///
/// `B` is packed `DEPTH` steps at a time into a `DEPTH x COLS` panel on the stack, so the
/// inner loop reads both operands contiguously and has no bounds checks.
#[inline]
pub fn matmul_acc<'b, T: Float + 'b>(
    a: &[T],
    m: usize,
    k: usize,
    n: usize,
    b: impl Fn(usize) -> &'b [T],
    mut add: impl FnMut(usize, usize, &[T]),
) {
    if m == 0 || a.len() < m * k {
        return;
    }
    let mut j0 = 0;
    while j0 < n {
        if j0 + COLS <= n {
            matmul_columns::<T, COLS, ROWS>(a, m, k, j0, &b, &mut add);
            j0 += COLS;
        } else {
            matmul_columns::<T, 1, SINGLE_COLUMN_ROWS>(a, m, k, j0, &b, &mut add);
            j0 += 1;
        }
    }
}

/// [`matmul_acc`] for the `C` columns `j0..j0 + C`: row tiles `F` high, then 8, 4 and 1 rows
/// for what is left (a 10-wide output is one 8-row tile and two single rows).
#[inline(always)]
fn matmul_columns<'b, T: Float + 'b, const C: usize, const F: usize>(
    a: &[T],
    m: usize,
    k: usize,
    j0: usize,
    b: &impl Fn(usize) -> &'b [T],
    add: &mut impl FnMut(usize, usize, &[T]),
) {
    let cols: [&[T]; C] = core::array::from_fn(|c| b(j0 + c));
    let mut panel = [[T::ZERO; C]; DEPTH];
    let mut k0 = 0;
    while k0 < k {
        let depth = DEPTH.min(k - k0);
        for (kk, p) in panel[..depth].iter_mut().enumerate() {
            for (p, col) in p.iter_mut().zip(&cols) {
                *p = col.get(k0 + kk).copied().unwrap_or(T::ZERO);
            }
        }
        let a_block = &a[k0 * m..(k0 + depth) * m];
        let panel = &panel[..depth];
        let r0 = matmul_rows::<T, F, C>(a_block, panel, m, 0, j0, add);
        let r0 = matmul_rows::<T, 8, C>(a_block, panel, m, r0, j0, add);
        let r0 = matmul_rows::<T, 4, C>(a_block, panel, m, r0, j0, add);
        matmul_rows::<T, 1, C>(a_block, panel, m, r0, j0, add);
        k0 += depth;
    }
}

/// The `R`-high row tiles of [`matmul_columns`] from row `r0` while they fit; returns the first
/// row left.
#[inline(always)]
fn matmul_rows<T: Float, const R: usize, const C: usize>(
    a_block: &[T],
    panel: &[[T; C]],
    m: usize,
    mut r0: usize,
    j0: usize,
    add: &mut impl FnMut(usize, usize, &[T]),
) -> usize {
    while r0 + R <= m {
        let mut acc = [[T::ZERO; R]; C];
        for (col, p) in a_block.chunks_exact(m).zip(panel) {
            if let Some(x) = rows::<T, R>(col, r0) {
                rank1(&mut acc, x, p);
            }
        }
        for (c, acc) in acc.iter().enumerate() {
            add(j0 + c, r0, acc);
        }
        r0 += R;
    }
    r0
}

/// `G += sum_{s < count} a(s) b(s)^T`: `G` is `m x n`, column-major in `g`
/// (`g.len() == m * n`); each `a(s)` has length `m`, each `b(s)` length `n`.
///
/// For a Dense layer, `a(s)` is sample `s`'s `dL/dz`, `b(s)` its input, and `G` the weight
/// gradient: `dL/dW += sum_s dz_s x_s^T`, each tile summed over the whole batch in registers
/// and written once.
#[inline]
pub fn outer_acc<'b, T: Float + 'b>(
    g: &mut [T],
    m: usize,
    n: usize,
    count: usize,
    a: impl Fn(usize) -> &'b [T],
    b: impl Fn(usize) -> &'b [T],
) {
    if m == 0 || g.len() < m * n {
        return;
    }
    if count == 1 {
        // One sample: a rank-1 update `G[:, j] += b_j a`, column by column, reads and writes
        // `G` once with nothing to keep in registers between columns; tiles would only add
        // their bookkeeping.
        let (a, b) = (a(0), b(0));
        for (col, &bj) in g.chunks_exact_mut(m).zip(b) {
            for (g, &ai) in col.iter_mut().zip(a) {
                *g = ai.mul_add_fast(bj, *g);
            }
        }
        return;
    }
    let mut j0 = 0;
    while j0 < n {
        if j0 + COLS <= n {
            outer_columns::<T, COLS, ROWS>(g, m, count, j0, &a, &b);
            j0 += COLS;
        } else {
            outer_columns::<T, 1, SINGLE_COLUMN_ROWS>(g, m, count, j0, &a, &b);
            j0 += 1;
        }
    }
}

/// [`outer_acc`] for the `C` columns `j0..j0 + C` of `G`: row tiles `F` high, then 8, 4 and 1.
#[inline(always)]
fn outer_columns<'b, T: Float + 'b, const C: usize, const F: usize>(
    g: &mut [T],
    m: usize,
    count: usize,
    j0: usize,
    a: &impl Fn(usize) -> &'b [T],
    b: &impl Fn(usize) -> &'b [T],
) {
    let r0 = outer_rows::<T, F, C>(g, m, count, 0, j0, a, b);
    let r0 = outer_rows::<T, 8, C>(g, m, count, r0, j0, a, b);
    let r0 = outer_rows::<T, 4, C>(g, m, count, r0, j0, a, b);
    outer_rows::<T, 1, C>(g, m, count, r0, j0, a, b);
}

/// The `R`-high row tiles of [`outer_columns`] from row `r0` while they fit; returns the first
/// row left.
#[inline(always)]
fn outer_rows<'b, T: Float + 'b, const R: usize, const C: usize>(
    g: &mut [T],
    m: usize,
    count: usize,
    mut r0: usize,
    j0: usize,
    a: &impl Fn(usize) -> &'b [T],
    b: &impl Fn(usize) -> &'b [T],
) -> usize {
    while r0 + R <= m {
        let mut acc = [[T::ZERO; R]; C];
        for s in 0..count {
            if let (Some(x), Some(y)) = (rows::<T, R>(a(s), r0), rows::<T, C>(b(s), j0)) {
                rank1(&mut acc, x, y);
            }
        }
        for (c, acc) in acc.iter().enumerate() {
            if let Some(col) = g.get_mut((j0 + c) * m..(j0 + c + 1) * m) {
                add_rows(col, r0, acc);
            }
        }
        r0 += R;
    }
    r0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Deterministic values in `[-1, 1)`.
    fn values(n: usize, seed: u64) -> [f64; 4096] {
        let mut rng = crate::rng::Rng::new(seed);
        let mut v = [0.0; 4096];
        for x in v.iter_mut().take(n) {
            *x = rng.uniform() * 2.0 - 1.0;
        }
        v
    }

    fn check_matmul<T: Float>(m: usize, k: usize, n: usize) {
        let a64 = values(m * k, 1);
        let b64 = values(k * n, 2);
        let c64 = values(m * n, 3);
        let a: [T; 4096] = a64.map(T::cast);
        let b: [T; 4096] = b64.map(T::cast);
        let mut c: [T; 4096] = c64.map(T::cast);
        matmul_acc(
            &a[..m * k],
            m,
            k,
            n,
            |j| &b[j * k..(j + 1) * k],
            |j, r0, t| {
                for (r, &t) in t.iter().enumerate() {
                    c[j * m + r0 + r] += t;
                }
            },
        );
        for j in 0..n {
            for r in 0..m {
                let want = c64[j * m + r]
                    + (0..k)
                        .map(|kk| a64[kk * m + r] * b64[j * k + kk])
                        .sum::<f64>();
                let got = c[j * m + r].as_f64();
                let tol = if T::NAME == "f32" { 1e-4 } else { 1e-12 } * (k as f64 + 1.0);
                assert!(
                    (got - want).abs() <= tol,
                    "{m}x{k} by {k}x{n}: C[{r}][{j}] = {got}, naive {want}"
                );
            }
        }
    }

    fn check_outer<T: Float>(m: usize, n: usize, count: usize) {
        let a64 = values(m * count, 4);
        let b64 = values(n * count, 5);
        let g64 = values(m * n, 6);
        let a: [T; 4096] = a64.map(T::cast);
        let b: [T; 4096] = b64.map(T::cast);
        let mut g: [T; 4096] = g64.map(T::cast);
        outer_acc(
            &mut g[..m * n],
            m,
            n,
            count,
            |s| &a[s * m..(s + 1) * m],
            |s| &b[s * n..(s + 1) * n],
        );
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
                    "outer {m}x{n} over {count}: G[{r}][{j}] = {got}, naive {want}"
                );
            }
        }
    }

    /// Sizes around every tile edge: 1, a batch of one, multiples of the tiles, 10-wide
    /// outputs, primes, a height past the single-column tile (128 rows on AVX-512), and a
    /// shared dimension longer than one packed panel (`DEPTH`).
    const SIZES: [(usize, usize, usize); 15] = [
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
    ];

    #[test]
    fn matmul_matches_naive_product() {
        for &(m, k, n) in &SIZES {
            check_matmul::<f32>(m, k, n);
            check_matmul::<f64>(m, k, n);
        }
    }

    #[test]
    fn outer_matches_naive_product() {
        for &(m, n, count) in &SIZES {
            check_outer::<f32>(m, n, count);
            check_outer::<f64>(m, n, count);
        }
    }

    #[test]
    fn empty_sizes_do_nothing() {
        let mut g = [1.0f32; 4];
        outer_acc(&mut g, 0, 4, 3, |_| &[], |_| &[]);
        matmul_acc::<f32>(&[], 2, 0, 2, |_| &[], |_, _, _| panic!("nothing to add"));
        assert_eq!(g, [1.0; 4]);
    }
}
