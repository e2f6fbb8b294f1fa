//! The `f32` matrix products written with AVX-512 intrinsics, for `std` builds on x86-64
//! whose CPU has AVX-512F (picked at run time by [`super::x86`]).
//!
//! Why not the generic loops of `tiles`, compiled for AVX-512? They rely on LLVM to
//! turn a fixed-size array of accumulators into vector registers, and whether it does turned
//! out to depend on the tile height and on what else was inlined around it: the same 32-row
//! tile came out as 512-bit multiply-adds in one function and as 128 scalar multiply-adds on
//! the stack in another (a 4x slowdown of a whole training step). Here the accumulators are
//! `__m512` values and each multiply-add is one `_mm512_fmadd_ps`, so the code is what it
//! says whatever the surroundings.
//!
//! Tiles are up to 64 rows (four registers) by 4 columns. A height that is not a multiple of
//! 16 (a 10-wide output layer) ends in one masked vector (`_mm512_maskz_loadu_ps`), never in
//! scalar or gathered code.
//!
//! Every function here is `#[target_feature(enable = "avx512f")]`, so only
//! [`super::x86`] calls into this module, after checking the CPU. The only `unsafe` inside is
//! the loads and stores through pointers, each from a slice whose length covers every lane the
//! mask enables: checked by slicing first (which panics rather than reads out of bounds), or,
//! in the one-sample loops (`matvec_tile`, `rank1_update`), by one assertion over the whole
//! tile before the loop.

#![allow(unsafe_code)]

use core::arch::x86_64::{
    __m512, __mmask16, _mm512_add_ps, _mm512_fmadd_ps, _mm512_mask_storeu_ps,
    _mm512_maskz_loadu_ps, _mm512_set1_ps, _mm512_setzero_ps,
};

/// `f32` lanes in one register.
const LANES: usize = 16;
/// Registers of rows in the tallest tile.
const MAX_VECTORS: usize = 4;
/// Rows of the tallest tile.
const MAX_ROWS: usize = LANES * MAX_VECTORS;
/// `f32`s of the left matrix [`matmul`] keeps in L1 at a time: 32 KiB, two thirds of a
/// 48 KiB L1d (Sapphire Rapids, Zen 5) and all of a 32 KiB one (Zen 4), where the block's
/// columns stream past it from L2 anyway. Halving it for Zen 4 was measured and did not pay:
/// 784-128-10 at batch 32 trained at 158k samples/CPU-s with 16 KiB against 175k with 32 KiB
/// (interleaved, 9 runs each, on a loaded machine; spreads about 10%).
const L1_FLOATS: usize = 8 * 1024;

/// The lanes of one vector a load or store enables: the low `count` of the 16, never any
/// other pattern. The mask is made from the count (`2^count - 1`) and only here, so the
/// slice length a load or store checks (`count`) always covers exactly the lanes its mask
/// enables: the invariant the `unsafe` blocks below rely on holds by construction.
#[derive(Clone, Copy)]
struct Lanes {
    mask: __mmask16,
    count: usize,
}

impl Lanes {
    /// The low `count.min(16)` lanes.
    #[inline(always)]
    fn low(count: usize) -> Self {
        let count = count.min(LANES);
        Lanes {
            mask: ((1u32 << count) - 1) as __mmask16,
            count,
        }
    }
}

/// The lanes of the `V` vectors covering `rows` rows (`rows <= 16 * V`): all lanes, except
/// in the last vector, which covers what is left.
#[target_feature(enable = "avx512f")]
#[inline]
fn masks<const V: usize>(rows: usize) -> [Lanes; V] {
    // A plain loop: `core::array::from_fn` was not inlined into the tiles, and its calls
    // showed in profiles of a training step.
    let mut masks = [Lanes::low(0); V];
    for (v, lanes) in masks.iter_mut().enumerate() {
        *lanes = Lanes::low(rows.saturating_sub(v * LANES));
    }
    masks
}

/// Vector `v` of `rows`: lanes `16 v .. 16 v + 16` enabled by `lanes`, zero elsewhere.
#[target_feature(enable = "avx512f")]
#[inline]
fn load(rows: &[f32], v: usize, lanes: Lanes) -> __m512 {
    let src = &rows[v * LANES..v * LANES + lanes.count];
    // SAFETY: `lanes.mask` enables exactly lanes `0..lanes.count` (`Lanes::low`), and `src`
    // holds `lanes.count` elements (the slicing above would panic otherwise); masked-off
    // lanes are not read.
    unsafe { _mm512_maskz_loadu_ps(lanes.mask, src.as_ptr()) }
}

/// `rows[16 v ..] += x` on `lanes`.
#[target_feature(enable = "avx512f")]
#[inline]
fn add_store(rows: &mut [f32], v: usize, lanes: Lanes, x: __m512) {
    let sum = _mm512_add_ps(load(rows, v, lanes), x);
    store(rows, v, lanes, sum);
}

/// `rows[16 v ..] = x` on `lanes`.
#[target_feature(enable = "avx512f")]
#[inline]
fn store(rows: &mut [f32], v: usize, lanes: Lanes, x: __m512) {
    let dst = &mut rows[v * LANES..v * LANES + lanes.count];
    // SAFETY: as in `load`: the enabled lanes are exactly the `lanes.count` elements of `dst`.
    unsafe { _mm512_mask_storeu_ps(dst.as_mut_ptr(), lanes.mask, x) }
}

/// Runs `$body` with `V` set to the number of vectors covering `$rows` rows (1 to 4).
macro_rules! by_vectors {
    ($rows:expr, $f:ident::<V $(, $extra:tt)*>($($arg:expr),*)) => {
        match $rows.div_ceil(LANES) {
            0 | 1 => $f::<1 $(, $extra)*>($($arg),*),
            2 => $f::<2 $(, $extra)*>($($arg),*),
            3 => $f::<3 $(, $extra)*>($($arg),*),
            _ => $f::<4 $(, $extra)*>($($arg),*),
        }
    };
}

/// `C += A B`, as [`super::Kernels::matmul_acc`]; columns that are too short are skipped.
#[target_feature(enable = "avx512f")]
pub fn matmul(a: &[f32], m: usize, k: usize, b: &[&[f32]], c: &mut [&mut [f32]]) {
    let n = b.len().min(c.len());
    if !super::tiles::holds_matrix(a.len(), m, k) {
        return;
    }
    let (b, c) = (&b[..n], &mut c[..n]);
    let groups = n / 4;
    let fits = |j0: usize, b: &[&[f32]], c: &[&mut [f32]]| {
        b[j0..j0 + 4].iter().all(|b| b.len() >= k) && c[j0..j0 + 4].iter().all(|c| c.len() >= m)
    };
    // The shared dimension in blocks whose slice of `A` fits in L1 (32 KiB), each block used by
    // every group of four columns before the next is read: `A` (a 128x784 weight matrix is
    // 400 KB) then streams from L2 once per call instead of once per column group.
    let depth = (L1_FLOATS / m).clamp(8, k.max(8));
    let mut k0 = 0;
    while k0 < k {
        let k1 = (k0 + depth).min(k);
        for j0 in (0..groups).map(|g| 4 * g) {
            if !fits(j0, b, c) {
                continue;
            }
            let cols = [b[j0], b[j0 + 1], b[j0 + 2], b[j0 + 3]].map(|b| &b[k0..k1]);
            let mut r0 = 0;
            while r0 < m {
                let rows = (m - r0).min(MAX_ROWS);
                by_vectors!(
                    rows,
                    matmul_tile::<V>(a, m, k0..k1, r0, rows, &cols, &mut c[j0..j0 + 4])
                );
                r0 += rows;
            }
        }
        k0 = k1;
    }
    let j0 = groups * 4;
    for (b, c) in b[j0..].iter().zip(&mut c[j0..]) {
        matvec(a, m, k, b, c);
    }
}

/// `c += A b` for one column, as [`super::Kernels::matvec_acc`]: nothing done if `b` or `c`
/// is too short. What [`matmul`] does for each column left over from its groups of four,
/// without the blocking around it (a one-sample product of a 32x10 layer is 40 cycles of
/// multiply-adds: the set-up of `matmul` cost as much again).
#[target_feature(enable = "avx512f")]
pub fn matvec(a: &[f32], m: usize, k: usize, b: &[f32], c: &mut [f32]) {
    if !super::tiles::holds_matrix(a.len(), m, k) || b.len() < k || c.len() < m {
        return;
    }
    let mut r0 = 0;
    while r0 < m {
        let rows = (m - r0).min(MAX_ROWS);
        by_vectors!(rows, matvec_tile::<V>(a, m, k, r0, rows, &b[..k], c));
        r0 += rows;
    }
}

/// Rows `r0 .. r0 + rows` of four columns of `C += A B`, over the shared dimension's `block`
/// (`cols` holds that block of each column): the tile stays in `4 V` registers
/// while the block streams through it.
#[target_feature(enable = "avx512f")]
#[inline]
fn matmul_tile<const V: usize>(
    a: &[f32],
    m: usize,
    block: core::ops::Range<usize>,
    r0: usize,
    rows: usize,
    cols: &[&[f32]; 4],
    c: &mut [&mut [f32]],
) {
    let masks = masks::<V>(rows);
    let mut acc = [[_mm512_setzero_ps(); V]; 4];
    for (i, kk) in block.enumerate() {
        let col = &a[kk * m + r0..kk * m + r0 + rows];
        let mut x = [_mm512_setzero_ps(); V];
        for v in 0..V {
            x[v] = load(col, v, masks[v]);
        }
        for (acc, b) in acc.iter_mut().zip(cols) {
            let b = _mm512_set1_ps(b[i]);
            for v in 0..V {
                acc[v] = _mm512_fmadd_ps(x[v], b, acc[v]);
            }
        }
    }
    for (acc, c) in acc.iter().zip(c) {
        let c = &mut c[r0..r0 + rows];
        for v in 0..V {
            add_store(c, v, masks[v], acc[v]);
        }
    }
}

/// Rows `r0 .. r0 + rows` of one column, `c += A b`: the shared dimension in steps of four
/// into four sets of accumulators (four independent chains of multiply-adds, so even a
/// one-vector tile is not held up by their latency), summed at the end.
///
/// A one-sample product (a 64x32 layer's inference) is short enough that checking each
/// load's slice cost as much as the multiply-adds (two compares and branches a load), so the
/// bounds are checked once, up front, and the loads inside are unchecked.
#[target_feature(enable = "avx512f")]
#[inline]
fn matvec_tile<const V: usize>(
    a: &[f32],
    m: usize,
    k: usize,
    r0: usize,
    rows: usize,
    b: &[f32],
    c: &mut [f32],
) {
    // Column `kk < k` of the tile is `a[kk m + r0 .. kk m + r0 + rows]`; the last ends at
    // `(k - 1) m + r0 + rows <= k m <= a.len()`. Every load below is inside one of them.
    assert!(rows <= LANES * V && r0 + rows <= m && a.len() >= m * k);
    let b = &b[..k];
    let masks = masks::<V>(rows);
    let mut acc = [[_mm512_setzero_ps(); V]; 4];
    let (b4, b_rest) = b.as_chunks::<4>();
    let mut at = r0;
    for bq in b4 {
        for (acc, &bk) in acc.iter_mut().zip(bq) {
            let bk = _mm512_set1_ps(bk);
            for v in 0..V {
                // SAFETY: column `at` is one of the `k` tile columns checked above, and vector
                // `v`'s lanes lie within its `rows`.
                let col = unsafe { load_unchecked(a, at + v * LANES, masks[v]) };
                acc[v] = _mm512_fmadd_ps(col, bk, acc[v]);
            }
            at += m;
        }
    }
    for &bk in b_rest {
        let bk = _mm512_set1_ps(bk);
        for v in 0..V {
            // SAFETY: as above.
            let col = unsafe { load_unchecked(a, at + v * LANES, masks[v]) };
            acc[0][v] = _mm512_fmadd_ps(col, bk, acc[0][v]);
        }
        at += m;
    }
    let c = &mut c[r0..r0 + rows];
    for v in 0..V {
        let sum = _mm512_add_ps(
            _mm512_add_ps(acc[0][v], acc[1][v]),
            _mm512_add_ps(acc[2][v], acc[3][v]),
        );
        add_store(c, v, masks[v], sum);
    }
}

/// `a[at ..]` on `lanes`, without a bounds check.
///
/// # Safety
/// `at + lanes.count <= a.len()` (the caller checked it for a whole tile at once).
#[target_feature(enable = "avx512f")]
#[inline]
unsafe fn load_unchecked(a: &[f32], at: usize, lanes: Lanes) -> __m512 {
    debug_assert!(at + lanes.count <= a.len());
    // SAFETY: the enabled lanes are `a[at .. at + lanes.count]`, inside `a` by the contract;
    // masked-off lanes are not read.
    unsafe { _mm512_maskz_loadu_ps(lanes.mask, a.as_ptr().add(at)) }
}

/// `a[at ..] = x` on `lanes`, without a bounds check.
///
/// # Safety
/// As [`load_unchecked`].
#[target_feature(enable = "avx512f")]
#[inline]
unsafe fn store_unchecked(a: &mut [f32], at: usize, lanes: Lanes, x: __m512) {
    debug_assert!(at + lanes.count <= a.len());
    // SAFETY: as in `load_unchecked`.
    unsafe { _mm512_mask_storeu_ps(a.as_mut_ptr().add(at), lanes.mask, x) }
}

mod outer;
mod sgd;
pub use outer::{outer, outer_set};
pub use sgd::outer_sgd;

#[cfg(test)]
mod tests {
    use super::{Lanes, LANES};

    /// Issue 14, defect 7: every mask is the low `count` lanes, contiguous, for any count a
    /// caller can ask for (more than 16 is clamped), so a load's slice always covers exactly
    /// the lanes it enables.
    #[test]
    fn lanes_are_contiguous_low_bits_of_their_count() {
        for count in 0..=3 * LANES {
            let lanes = Lanes::low(count);
            let mask = u32::from(lanes.mask);
            assert_eq!(lanes.count, count.min(LANES));
            assert_eq!(mask.count_ones() as usize, lanes.count, "count {count}");
            assert_eq!(mask & (mask + 1), 0, "mask {mask:#x} is not low bits");
        }
        if !std::is_x86_feature_detected!("avx512f") {
            return;
        }
        for rows in 0..=64 {
            // SAFETY: the CPU has AVX-512F, checked above, the feature `masks` is compiled for.
            let masks = unsafe { super::masks::<4>(rows) };
            let covered: usize = masks.iter().map(|l| l.count).sum();
            assert_eq!(covered, rows);
        }
    }
}
