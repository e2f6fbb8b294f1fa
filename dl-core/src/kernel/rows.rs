//! Row ranges of the batched products for `f32` on AVX-512 (`std` builds on x86-64), behind
//! the run-time check: what [`Float::matmul_rows`](crate::float::Float::matmul_rows) and
//! [`Float::outer_rows`](crate::float::Float::outer_rows) call for `f32`. Each row gets the
//! bits [`super::Kernels::matmul_acc`] and [`super::Kernels::outer_acc`] give it on the same
//! CPU (see `avx512/rows.rs`), so work split by rows over threads computes what the whole
//! product computes.

#![allow(unsafe_code)]

use core::ops::Range;

/// Rows `rows` of `C += A B` ([`super::Kernels::matmul_acc`]'s arguments, `c[j]` whole
/// columns) if this CPU has AVX-512F, the instructions `matmul_acc` uses for `f32` there;
/// `false` (nothing done) otherwise.
#[inline]
pub fn matmul_rows_f32(
    a: &[f32],
    m: usize,
    k: usize,
    rows: Range<usize>,
    b: &[&[f32]],
    c: &mut [&mut [f32]],
) -> bool {
    if !std::is_x86_feature_detected!("avx512f") {
        return false;
    }
    // SAFETY: the CPU has AVX-512F, checked just above, the one feature the function enables.
    unsafe { super::avx512::matmul_rows(a, m, k, rows, b, c) };
    true
}

/// Rows `rows` of `G = sum_s a_s b_s^T` for two or more samples, as
/// [`super::Kernels::outer_acc`] computes them into a zeroed `G`, written into the compact
/// `g` (the rows of column `j` at `g[j * rows.len() ..]`), if this CPU has AVX-512F; `false`
/// (nothing done) otherwise, for fewer samples or a short `g`.
#[inline]
pub fn outer_rows_f32(
    g: &mut [f32],
    m: usize,
    n: usize,
    rows: Range<usize>,
    a: &[&[f32]],
    b: &[&[f32]],
) -> bool {
    if !std::is_x86_feature_detected!("avx512f") {
        return false;
    }
    // SAFETY: as in `matmul_rows_f32`.
    unsafe { super::avx512::outer_rows(g, m, n, rows, a, b) }
}
