//! The weight gradients of the matrix kernels on AVX-512: `G += sum_s a_s b_s^T` over a
//! batch ([`outer`]) and one sample's `G = a b^T` ([`outer_set`]), tiled as the products in
//! the parent module are.

#![allow(unsafe_code)]

use super::{add_store, load, load_unchecked, masks, store_unchecked, LANES, MAX_ROWS};
use core::arch::x86_64::{_mm512_fmadd_ps, _mm512_set1_ps, _mm512_setzero_ps};
/// `G += sum_s a_s b_s^T`, as [`super::Kernels::outer_acc`]; samples whose vectors are too
/// short are skipped.
#[target_feature(enable = "avx512f")]
pub fn outer(g: &mut [f32], m: usize, n: usize, a: &[&[f32]], b: &[&[f32]]) {
    let count = a.len().min(b.len());
    if !super::super::tiles::holds_matrix(g.len(), m, n) || count == 0 {
        return;
    }
    let mut r0 = 0;
    while r0 < m {
        let rows = (m - r0).min(MAX_ROWS);
        if count == 1 {
            by_vectors!(
                rows,
                rank1_update::<V, false>(g, m, n, r0, rows, a[0], b[0])
            );
            r0 += rows;
            continue;
        }
        let mut j0 = 0;
        while j0 + 4 <= n {
            by_vectors!(
                rows,
                outer_tile::<V, 4>(g, m, r0, rows, j0, &a[..count], &b[..count])
            );
            j0 += 4;
        }
        while j0 < n {
            by_vectors!(
                rows,
                outer_tile::<V, 1>(g, m, r0, rows, j0, &a[..count], &b[..count])
            );
            j0 += 1;
        }
        r0 += rows;
    }
}

/// Rows `r0 .. r0 + rows` of `G`'s columns `j0 .. j0 + C`, summed over the samples in
/// `C V` registers and added to `G` once.
#[target_feature(enable = "avx512f")]
#[inline]
fn outer_tile<const V: usize, const C: usize>(
    g: &mut [f32],
    m: usize,
    r0: usize,
    rows: usize,
    j0: usize,
    a: &[&[f32]],
    b: &[&[f32]],
) {
    let masks = masks::<V>(rows);
    let mut acc = [[_mm512_setzero_ps(); V]; C];
    for (a, b) in a.iter().zip(b) {
        let (Some(a), Some(b)) = (a.get(r0..r0 + rows), b.get(j0..j0 + C)) else {
            continue;
        };
        let mut x = [_mm512_setzero_ps(); V];
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
        let col = &mut g[(j0 + c) * m + r0..(j0 + c) * m + r0 + rows];
        for v in 0..V {
            add_store(col, v, masks[v], acc[v]);
        }
    }
}

/// `G = a b^T` for one sample, as [`super::Kernels::outer_set`]: [`outer`]'s one-sample
/// path writing `G` without reading it. Too short a vector leaves `G` untouched.
#[target_feature(enable = "avx512f")]
pub fn outer_set(g: &mut [f32], m: usize, n: usize, a: &[f32], b: &[f32]) {
    if !super::super::tiles::holds_matrix(g.len(), m, n) {
        return;
    }
    let mut r0 = 0;
    while r0 < m {
        let rows = (m - r0).min(MAX_ROWS);
        by_vectors!(rows, rank1_update::<V, true>(g, m, n, r0, rows, a, b));
        r0 += rows;
    }
}

/// Rows `r0 .. r0 + rows` of `G += a b^T` for one sample (`G = a b^T + 0` if `SET`, which
/// never reads `G`: the same bits as adding into zeros): `a`'s rows stay in `V` registers
/// while each column of `G` is read, updated and written once.
#[target_feature(enable = "avx512f")]
#[inline]
fn rank1_update<const V: usize, const SET: bool>(
    g: &mut [f32],
    m: usize,
    n: usize,
    r0: usize,
    rows: usize,
    a: &[f32],
    b: &[f32],
) {
    let (Some(a), Some(b)) = (a.get(r0..r0 + rows), b.get(..n)) else {
        return;
    };
    // Column `j < n` of the tile is `g[j m + r0 .. j m + r0 + rows]`, inside `g` as in
    // `matvec_tile`; checked once here, so the loop's loads and stores are unchecked.
    assert!(rows <= LANES * V && r0 + rows <= m && g.len() >= m * n);
    let masks = masks::<V>(rows);
    let mut x = [_mm512_setzero_ps(); V];
    for v in 0..V {
        x[v] = load(a, v, masks[v]);
    }
    // Columns in an order that never loads, right after a masked store, from the 64 bytes
    // that store covered: the columns of a short matrix (10 rows) sit 40 bytes apart, and a
    // masked load overlapping a masked store still in flight waits for it to reach the cache
    // (masked stores are not forwarded), which made the 10-row layer's update several times
    // slower. So every `stride`-th column, then the next offset.
    let stride = column_stride(m, rows);
    for first in 0..stride {
        for (j, &bj) in b.iter().enumerate().skip(first).step_by(stride) {
            let at = j * m + r0;
            let bj = _mm512_set1_ps(bj);
            for v in 0..V {
                let lanes = masks[v];
                // SAFETY: column `j < n` was checked above; vector `v` lies within its rows.
                unsafe {
                    let old = if SET {
                        _mm512_setzero_ps()
                    } else {
                        load_unchecked(g, at + v * LANES, lanes)
                    };
                    let updated = _mm512_fmadd_ps(x[v], bj, old);
                    store_unchecked(g, at + v * LANES, lanes, updated);
                }
            }
        }
    }
}

/// The column step of [`rank1_update`]: 1 when every vector is full; otherwise enough columns
/// (`m` rows apart) that the next column's loads start past the 64 bytes of the last masked
/// store.
#[inline(always)]
pub(super) fn column_stride(m: usize, rows: usize) -> usize {
    if rows.is_multiple_of(LANES) {
        1
    } else {
        1 + LANES.div_ceil(m.max(1))
    }
}
