//! Plain SGD's step fused into the one-sample weight gradient of a Dense layer, for
//! [`super::super::Kernels::outer_sgd`]: one pass over `W` where the unfused step takes three
//! (`G = a b^T`, then `W += alpha G` with the old `W` swapped into `G`).
//!
//! Per element, the same two roundings as that pair of kernels on this CPU (`outer_set`'s
//! `fma(a_i, b_j, 0)`, then `axpy_swap`'s fused `fma(g, alpha, w)`), so the same bits; the
//! finiteness checks are `axpy_swap`'s (the largest exponent field, all ones only for an
//! infinity or a NaN).

use super::outer::column_stride;
use super::{load_unchecked, masks, store_unchecked, Lanes, LANES, MAX_ROWS};
use core::arch::x86_64::{
    __m512, __m512i, _mm512_castps_si512, _mm512_cmpeq_epi32_mask, _mm512_fmadd_ps,
    _mm512_maskz_and_epi32, _mm512_max_epu32, _mm512_set1_epi32, _mm512_set1_ps, _mm512_setzero_ps,
    _mm512_setzero_si512, _mm512_storeu_ps,
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
    let mut flags = Flags {
        new: _mm512_setzero_si512(),
        grad: _mm512_setzero_si512(),
    };
    let mut r0 = 0;
    while r0 < m {
        let rows = (m - r0).min(MAX_ROWS);
        by_vectors!(
            rows,
            sgd_tile::<V>(w, g, m, n, r0, rows, a, b, alpha, &mut flags)
        );
        r0 += rows;
    }
    let finite = |x| _mm512_cmpeq_epi32_mask(x, _mm512_set1_epi32(INF)) == 0;
    Some((finite(flags.new), finite(flags.grad)))
}

/// The exponent field of `f32` infinities and NaNs (all ones).
const INF: i32 = 0x7f80_0000;

/// The largest exponent field seen so far in each lane (as `axpy_swap` keeps it): [`INF`]
/// somewhere only if a value was infinite or NaN. A vector maximum a step, not a mask moved
/// to a general register (which made the mask chain the pass's bottleneck).
struct Flags {
    new: __m512i,
    grad: __m512i,
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
    let inf: __m512i = _mm512_set1_epi32(INF);
    let (mut new_exp, mut grad_exp) = (flags.new, flags.grad);
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
                    store(w, at + v * LANES, lanes, new);
                    store(g, at + v * LANES, lanes, old);
                    let exponent =
                        |x| _mm512_maskz_and_epi32(lanes.mask, _mm512_castps_si512(x), inf);
                    new_exp = _mm512_max_epu32(new_exp, exponent(new));
                    grad_exp = _mm512_max_epu32(grad_exp, exponent(grad));
                }
            }
        }
    }
    (flags.new, flags.grad) = (new_exp, grad_exp);
}

/// `a[at ..] = x` on `lanes`, without a bounds check: a plain store when every lane is
/// enabled (masked 512-bit stores were most of this pass's time on Zen 4, two to a column).
///
/// # Safety
/// As `store_unchecked`: `at + lanes.count <= a.len()`.
#[target_feature(enable = "avx512f")]
#[inline]
unsafe fn store(a: &mut [f32], at: usize, lanes: Lanes, x: __m512) {
    if lanes.count == LANES {
        debug_assert!(at + LANES <= a.len());
        // SAFETY: the caller's contract, with all 16 lanes enabled.
        unsafe { _mm512_storeu_ps(a.as_mut_ptr().add(at), x) }
    } else {
        // SAFETY: the caller's contract.
        unsafe { store_unchecked(a, at, lanes, x) }
    }
}
