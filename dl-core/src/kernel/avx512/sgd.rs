//! Plain SGD's step fused into the one-sample weight gradient of a Dense layer, for
//! [`super::super::Kernels::outer_sgd`]: one pass over `W` where the unfused step takes three
//! (`G = a b^T`, then `W += alpha G` with the old `W` swapped into `G`).
//!
//! Per element, the same two roundings as that pair of kernels on this CPU (`outer_set`'s
//! `fma(a_i, b_j, 0)`, then `axpy_swap`'s fused `fma(g, alpha, w)`), so the same bits; the
//! finiteness checks are `axpy_swap`'s (exponent field all ones).

use super::{column_stride, load_unchecked, masks, store_unchecked, LANES, MAX_ROWS};
use core::arch::x86_64::{
    __m512i, _mm512_and_si512, _mm512_castps_si512, _mm512_fmadd_ps, _mm512_mask_cmpeq_epi32_mask,
    _mm512_set1_epi32, _mm512_set1_ps, _mm512_setzero_ps,
};

/// `W += alpha a b^T` for one sample, `G` taking the old `W`; `W` and `G` are `m x n`,
/// column-major. Returns whether every new weight and every gradient element `a_i b_j` was
/// finite, or `None`, having done nothing, if the sizes do not fit the slices.
#[target_feature(enable = "avx512f")]
pub fn outer_sgd(
    w: &mut [f32],
    g: &mut [f32],
    m: usize,
    n: usize,
    a: &[f32],
    b: &[f32],
    alpha: f32,
) -> Option<(bool, bool)> {
    let fits = |len| super::super::tiles::holds_matrix(len, m, n);
    if !fits(w.len()) || !fits(g.len()) || a.len() < m || b.len() < n {
        return None;
    }
    let mut flags = Flags { new: 0, grad: 0 };
    let mut r0 = 0;
    while r0 < m {
        let rows = (m - r0).min(MAX_ROWS);
        by_vectors!(
            rows,
            sgd_tile::<V>(w, g, m, n, r0, rows, a, b, alpha, &mut flags)
        );
        r0 += rows;
    }
    Some((flags.new == 0, flags.grad == 0))
}

/// Lanes seen non-finite so far, as masks (zero while everything is finite).
struct Flags {
    new: u16,
    grad: u16,
}

/// Rows `r0 .. r0 + rows` of [`outer_sgd`]: `a`'s rows in `V` registers while each column of
/// `W` is read once and written twice (`W` and `G`), in `rank1_update`'s column order.
#[target_feature(enable = "avx512f")]
#[inline]
#[allow(clippy::too_many_arguments)]
fn sgd_tile<const V: usize>(
    w: &mut [f32],
    g: &mut [f32],
    m: usize,
    n: usize,
    r0: usize,
    rows: usize,
    a: &[f32],
    b: &[f32],
    alpha: f32,
    flags: &mut Flags,
) {
    let (Some(a), Some(b)) = (a.get(r0..r0 + rows), b.get(..n)) else {
        return;
    };
    // Column `j < n` of the tile is `[j m + r0, j m + r0 + rows)` in `w` and `g`, both at
    // least `m n` long: checked once, so the loop's loads and stores are unchecked.
    assert!(rows <= LANES * V && r0 + rows <= m && w.len() >= m * n && g.len() >= m * n);
    let masks = masks::<V>(rows);
    let mut x = [_mm512_setzero_ps(); V];
    for v in 0..V {
        x[v] = super::load(a, v, masks[v]);
    }
    let (alpha, zero) = (_mm512_set1_ps(alpha), _mm512_setzero_ps());
    let inf: __m512i = _mm512_set1_epi32(0x7f80_0000);
    let stride = column_stride(m, rows);
    for first in 0..stride {
        for (j, &bj) in b.iter().enumerate().skip(first).step_by(stride) {
            let at = j * m + r0;
            let bj = _mm512_set1_ps(bj);
            for v in 0..V {
                let lanes = masks[v];
                // SAFETY: column `j < n` was checked above; vector `v` lies within its rows.
                unsafe {
                    let old = load_unchecked(w, at + v * LANES, lanes);
                    let grad = _mm512_fmadd_ps(x[v], bj, zero);
                    let new = _mm512_fmadd_ps(grad, alpha, old);
                    store_unchecked(w, at + v * LANES, lanes, new);
                    store_unchecked(g, at + v * LANES, lanes, old);
                    let bits = |x| _mm512_and_si512(_mm512_castps_si512(x), inf);
                    flags.new |= _mm512_mask_cmpeq_epi32_mask(lanes.mask, bits(new), inf);
                    flags.grad |= _mm512_mask_cmpeq_epi32_mask(lanes.mask, bits(grad), inf);
                }
            }
        }
    }
}
