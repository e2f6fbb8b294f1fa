//! Row ranges of the batched products on AVX-512, for the engine that splits a Dense
//! layer's output units over threads (`parallel::units`): rows `rows` of `C += A B`, and of
//! `G = sum_s a_s b_s^T` into a compact block of the thread's own, each element computed by
//! the very instructions [`super::matmul`] and [`super::outer`] use for it.
//!
//! Why the bits are the same: a tile's rows are independent lanes (each element of `C` is
//! its own chain of `_mm512_fmadd_ps` over the shared dimension, each element of `G` its own
//! chain over the samples); the tile height and the mask only choose which lanes run. What
//! groups the chain is kept: [`super::matmul`]'s blocks of the shared dimension (their depth
//! computed from the whole height `m`, not from the range) and its groups of four columns
//! (the columns past them go through [`super::matvec`], four partial chains, as in the whole
//! product); [`super::outer`]'s groups of samples (all of them, in one call) and its sum
//! added to the zeroed gradient (`0 + sum`). So a row gets the same bits whichever range it
//! is in and wherever the range starts.

#![allow(unsafe_code)]

use super::{load, masks, matmul_tile, matvec_tile, store, Lanes, L1_FLOATS, LANES, MAX_ROWS};
use core::arch::x86_64::{
    __m512, _mm512_add_ps, _mm512_fmadd_ps, _mm512_set1_ps, _mm512_setzero_ps, _mm512_storeu_ps,
};
use core::ops::Range;

/// Rows `rows` of `C += A B`, as [`super::matmul`] computes them (`A` is `m x k`,
/// column-major; `c[j]` whole columns of length `m`, of which only `rows` are written).
/// Nothing is done for a range past `m` or columns that are too short.
#[target_feature(enable = "avx512f")]
pub fn matmul_rows(
    a: &[f32],
    m: usize,
    k: usize,
    rows: Range<usize>,
    b: &[&[f32]],
    c: &mut [&mut [f32]],
) {
    let n = b.len().min(c.len());
    if !super::super::tiles::holds_matrix(a.len(), m, k) || rows.end > m || rows.is_empty() {
        return;
    }
    if b[..n].iter().any(|b| b.len() < k) || c[..n].iter().any(|c| c.len() < m) {
        return;
    }
    let (b, c) = (&b[..n], &mut c[..n]);
    let groups = n / 4;
    let depth = (L1_FLOATS / m).clamp(8, k.max(8));
    let mut k0 = 0;
    while k0 < k {
        let k1 = (k0 + depth).min(k);
        for j0 in (0..groups).map(|g| 4 * g) {
            let cols = [b[j0], b[j0 + 1], b[j0 + 2], b[j0 + 3]].map(|b| &b[k0..k1]);
            let mut r0 = rows.start;
            while r0 < rows.end {
                let height = (rows.end - r0).min(MAX_ROWS);
                by_vectors!(
                    height,
                    matmul_tile::<V>(a, m, k0..k1, r0, height, &cols, &mut c[j0..j0 + 4])
                );
                r0 += height;
            }
        }
        k0 = k1;
    }
    for (b, c) in b[groups * 4..].iter().zip(&mut c[groups * 4..]) {
        let mut r0 = rows.start;
        while r0 < rows.end {
            let height = (rows.end - r0).min(MAX_ROWS);
            by_vectors!(height, matvec_tile::<V>(a, m, k, r0, height, &b[..k], c));
            r0 += height;
        }
    }
}

/// Rows `rows` of `G = sum_s a_s b_s^T` for two or more samples (`G` is `m x n`), written
/// into the compact `g` (column `j`'s rows at `g[j h ..]`, `h = rows.len()`) as `0 + sum`:
/// the bits [`super::outer`] gives these rows of a zeroed `G`. A range past `m`, a short `g`,
/// fewer than two samples: nothing done, `false`; samples with short vectors are skipped.
#[target_feature(enable = "avx512f")]
pub fn outer_rows(
    g: &mut [f32],
    m: usize,
    n: usize,
    rows: Range<usize>,
    a: &[&[f32]],
    b: &[&[f32]],
) -> bool {
    let (count, h) = (a.len().min(b.len()), rows.len());
    if count < 2 || rows.end > m || h.checked_mul(n).is_none_or(|len| g.len() < len) {
        return false;
    }
    let (a, b) = (&a[..count], &b[..count]);
    let mut r0 = rows.start;
    while r0 < rows.end {
        let height = (rows.end - r0).min(MAX_ROWS);
        let at = Compact {
            h,
            at: r0 - rows.start,
            r0,
            rows: height,
        };
        let mut j0 = 0;
        while j0 + 4 <= n {
            by_vectors!(height, set_tile::<V, 4>(g, &at, j0, a, b));
            j0 += 4;
        }
        while j0 < n {
            by_vectors!(height, set_tile::<V, 1>(g, &at, j0, a, b));
            j0 += 1;
        }
        r0 += height;
    }
    true
}

/// Where a tile's rows are: rows `r0 .. r0 + rows` of the whole `G`, at `at` in each column
/// of height `h` of the compact block.
struct Compact {
    h: usize,
    at: usize,
    r0: usize,
    rows: usize,
}

/// One tile of [`outer_rows`]: summed over the samples in `C V` registers exactly as
/// `outer_tile` sums it, then `0 + sum` stored.
#[target_feature(enable = "avx512f")]
#[inline]
fn set_tile<const V: usize, const C: usize>(
    g: &mut [f32],
    at: &Compact,
    j0: usize,
    a: &[&[f32]],
    b: &[&[f32]],
) {
    let (r0, rows) = (at.r0, at.rows);
    let masks = masks::<V>(rows);
    let zero = _mm512_setzero_ps();
    let mut acc = [[zero; V]; C];
    for (a, b) in a.iter().zip(b) {
        let (Some(a), Some(b)) = (a.get(r0..r0 + rows), b.get(j0..j0 + C)) else {
            continue;
        };
        let mut x = [zero; V];
        for v in 0..V {
            x[v] = load(a, v, masks[v]);
        }
        for (acc, &b) in acc.iter_mut().zip(b) {
            let b = _mm512_set1_ps(b);
            for v in 0..V {
                acc[v] = _mm512_fmadd_ps(x[v], b, acc[v]);
            }
        }
    }
    for (c, acc) in acc.iter().enumerate() {
        let start = (j0 + c) * at.h + at.at;
        let col = &mut g[start..start + rows];
        for v in 0..V {
            full_store(col, v, masks[v], _mm512_add_ps(zero, acc[v]));
        }
    }
}

/// `rows[16 v ..] = x` on `lanes`: a plain store when every lane is enabled (masked 512-bit
/// stores were most of the fused one-sample step's time on Zen 4, `avx512/sgd.rs`), else
/// the masked one.
#[target_feature(enable = "avx512f")]
#[inline]
fn full_store(rows: &mut [f32], v: usize, lanes: Lanes, x: __m512) {
    if lanes.count == LANES {
        let Some(dst) = rows[v * LANES..].first_chunk_mut::<LANES>() else {
            return;
        };
        // SAFETY: `dst` is 16 `f32`s, the whole 512-bit store.
        unsafe { _mm512_storeu_ps(dst.as_mut_ptr(), x) }
    } else {
        store(rows, v, lanes, x);
    }
}
