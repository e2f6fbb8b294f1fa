//! The register-blocked loops themselves, generic over the scalar, the multiply-add
//! ([`Separate`] or `Fused`) and the tile sizes, so one body serves every instruction set:
//! [`super`] instantiates it once with the tiles the build targets, and `x86` again
//! inside functions compiled for AVX-512 or AVX2 with FMA.
//!
//! Everything here is `#[inline(always)]`: the loops must be compiled inside the function
//! that picks the instruction set, or the `#[target_feature]` of that function would not
//! reach them.

use core::ops::{Add, AddAssign, Mul};

/// What the kernels need of a scalar: `f32` and `f64` (`Default` is zero).
pub trait Scalar:
    Copy + Default + PartialEq + Add<Output = Self> + Mul<Output = Self> + AddAssign
{
    /// The biased exponent field: [`INF_EXPONENT`](Self::INF_EXPONENT) (all ones) exactly
    /// for infinities and NaNs. The largest over a slice is an integer `max` reduction,
    /// which LLVM splits into independent partial results by itself (a float sum it may not
    /// reorder), in vector registers. (`ok &= x.is_finite()` over a slice kept its running
    /// result in an AVX-512 mask register, which LLVM stored to the stack and loaded back
    /// every iteration: a store-to-load chain that made plain SGD's swap pass 37% of
    /// 784-128-10's batch-1 step.)
    fn exponent(self) -> u32;

    /// The exponent field of infinities and NaNs.
    const INF_EXPONENT: u32;

    /// `self * a + b` rounded once (std's `mul_add`: one `vfmadd` where the function is
    /// compiled with FMA).
    #[cfg(feature = "std")]
    fn fused_mul_add(self, a: Self, b: Self) -> Self;
}

impl Scalar for f32 {
    const INF_EXPONENT: u32 = 0xff;
    #[inline(always)]
    fn exponent(self) -> u32 {
        (self.to_bits() >> 23) & 0xff
    }
    #[cfg(feature = "std")]
    #[inline(always)]
    fn fused_mul_add(self, a: Self, b: Self) -> Self {
        std::primitive::f32::mul_add(self, a, b)
    }
}

impl Scalar for f64 {
    const INF_EXPONENT: u32 = 0x7ff;
    #[inline(always)]
    fn exponent(self) -> u32 {
        ((self.to_bits() >> 52) & 0x7ff) as u32
    }
    #[cfg(feature = "std")]
    #[inline(always)]
    fn fused_mul_add(self, a: Self, b: Self) -> Self {
        std::primitive::f64::mul_add(self, a, b)
    }
}

/// How a kernel computes `a * b + c`.
pub trait MulAdd {
    /// `a * b + c`.
    fn mul_add<T: Scalar>(a: T, b: T, c: T) -> T;
}

/// A multiply, then an add: what every target can vectorise (`core` has no vectorisable
/// fused multiply-add, and `libm`'s `fma` is a scalar call).
pub struct Separate;

impl MulAdd for Separate {
    #[inline(always)]
    fn mul_add<T: Scalar>(a: T, b: T, c: T) -> T {
        a * b + c
    }
}

/// One fused multiply-add, rounded once (needs `std`'s `mul_add`, and FMA in the function
/// that uses it, or it is a library call).
#[cfg(feature = "std")]
pub struct Fused;

#[cfg(feature = "std")]
impl MulAdd for Fused {
    #[inline(always)]
    fn mul_add<T: Scalar>(a: T, b: T, c: T) -> T {
        a.fused_mul_add(b, c)
    }
}

/// Steps of the shared dimension packed at a time by [`matmul`] (a `DEPTH x C` panel of `B`
/// on the stack: 4 KiB of `f32` for 4 columns).
pub const DEPTH: usize = 256;

/// Whether an `m x k` matrix (`k >= 1` columns of `m >= 1` rows; an empty one needs no work)
/// fits in a slice of `len` elements. The product is checked, so absurd sizes from a caller
/// are refused rather than wrapped (which could pass a short slice) or multiplied into a
/// panic; and since then `m, k <= len`, every loop over rows or columns is bounded by the
/// slice.
#[inline(always)]
pub fn holds_matrix(len: usize, m: usize, k: usize) -> bool {
    m > 0 && k > 0 && m.checked_mul(k).is_some_and(|mk| mk <= len)
}

/// One rank-1 update of an `R x C` accumulator tile: `acc[c][r] += a[r] * b[c]`.
#[inline(always)]
fn rank1<T: Scalar, M: MulAdd, const R: usize, const C: usize>(
    acc: &mut [[T; R]; C],
    a: &[T; R],
    b: &[T; C],
) {
    for (acc, &b) in acc.iter_mut().zip(b) {
        for (acc, &a) in acc.iter_mut().zip(a) {
            *acc = M::mul_add(a, b, *acc);
        }
    }
}

/// The `R` elements of `col` from `r0`; `None` only if the caller's sizes are inconsistent.
#[inline(always)]
fn rows<T, const R: usize>(col: &[T], r0: usize) -> Option<&[T; R]> {
    col.get(r0..)?.first_chunk::<R>()
}

/// `dst[r0..r0 + acc.len()] += acc`.
#[inline(always)]
fn add_rows<T: Scalar>(dst: &mut [T], r0: usize, acc: &[T]) {
    if let Some(dst) = dst.get_mut(r0..r0 + acc.len()) {
        for (d, &a) in dst.iter_mut().zip(acc) {
            *d += a;
        }
    }
}

/// `C += A B` with `R x C` tiles, and `matvec` for the columns left over (a batch of one):
/// see [`super::Kernels::matmul_acc`] for the arguments.
#[inline(always)]
pub fn matmul<T: Scalar, M: MulAdd, const R: usize, const C: usize>(
    a: &[T],
    m: usize,
    k: usize,
    b: &[&[T]],
    c: &mut [&mut [T]],
) {
    let n = b.len().min(c.len());
    if !holds_matrix(a.len(), m, k) {
        return;
    }
    let mut j0 = 0;
    while j0 + C <= n {
        matmul_columns::<T, M, C, R>(a, m, k, &b[j0..j0 + C], &mut c[j0..j0 + C]);
        j0 += C;
    }
    for (b, c) in b[j0..n].iter().zip(&mut c[j0..n]) {
        matvec::<T, M, R>(a, m, k, b, c);
    }
}

/// `c += A b` for one column: each `R`-row tile sums the shared dimension four steps at a
/// time into four accumulator sets (four independent chains of multiply-adds, so their
/// latency is hidden even when `R` is one vector), added together at the end.
#[inline(always)]
fn matvec<T: Scalar, M: MulAdd, const R: usize>(a: &[T], m: usize, k: usize, b: &[T], c: &mut [T]) {
    let b = &b[..k.min(b.len())];
    let mut r0 = matvec_rows::<T, M, R>(a, m, b, c, 0);
    if R > 32 {
        r0 = matvec_rows::<T, M, 32>(a, m, b, c, r0);
    }
    if R > 16 {
        r0 = matvec_rows::<T, M, 16>(a, m, b, c, r0);
    }
    if R > 8 {
        r0 = matvec_rows::<T, M, 8>(a, m, b, c, r0);
    }
    r0 = matvec_rows::<T, M, 4>(a, m, b, c, r0);
    matvec_rows::<T, M, 1>(a, m, b, c, r0);
}

/// The `R`-high row tiles of `matvec` from row `r0` while they fit; returns the first row
/// left.
#[inline(always)]
fn matvec_rows<T: Scalar, M: MulAdd, const R: usize>(
    a: &[T],
    m: usize,
    b: &[T],
    c: &mut [T],
    mut r0: usize,
) -> usize {
    while r0 + R <= m {
        let mut acc = [[T::default(); R]; 4];
        let steps = b.chunks_exact(4);
        let rest = steps.remainder();
        for (cols, b) in a.chunks_exact(4 * m).zip(steps) {
            for ((acc, col), &b) in acc.iter_mut().zip(cols.chunks_exact(m)).zip(b) {
                if let Some(x) = rows::<T, R>(col, r0) {
                    for (acc, &x) in acc.iter_mut().zip(x) {
                        *acc = M::mul_add(x, b, *acc);
                    }
                }
            }
        }
        let done = b.len() - rest.len();
        for (col, &b) in a[done * m..].chunks_exact(m).zip(rest) {
            if let Some(x) = rows::<T, R>(col, r0) {
                for (acc, &x) in acc[0].iter_mut().zip(x) {
                    *acc = M::mul_add(x, b, *acc);
                }
            }
        }
        let [a0, a1, a2, a3] = acc;
        let mut sum = a0;
        for (((s, a1), a2), a3) in sum.iter_mut().zip(a1).zip(a2).zip(a3) {
            *s += (a1 + a2) + a3;
        }
        add_rows(c, r0, &sum);
        r0 += R;
    }
    r0
}

/// [`matmul`] for `C` columns: row tiles `F` high, then 64, 32, 16, 8, 4 and 1 rows for
/// what is left (a 10-wide output is one 8-row tile and two single rows).
#[inline(always)]
fn matmul_columns<T: Scalar, M: MulAdd, const C: usize, const F: usize>(
    a: &[T],
    m: usize,
    k: usize,
    b: &[&[T]],
    c: &mut [&mut [T]],
) {
    let mut panel = [[T::default(); C]; DEPTH];
    let mut k0 = 0;
    while k0 < k {
        let depth = DEPTH.min(k - k0);
        for (kk, p) in panel[..depth].iter_mut().enumerate() {
            for (p, col) in p.iter_mut().zip(b) {
                *p = col.get(k0 + kk).copied().unwrap_or(T::default());
            }
        }
        let a_block = &a[k0 * m..(k0 + depth) * m];
        let panel = &panel[..depth];
        let mut r0 = matmul_rows::<T, M, F, C>(a_block, panel, m, 0, c);
        if F > 64 {
            r0 = matmul_rows::<T, M, 64, C>(a_block, panel, m, r0, c);
        }
        if F > 32 {
            r0 = matmul_rows::<T, M, 32, C>(a_block, panel, m, r0, c);
        }
        if F > 16 {
            r0 = matmul_rows::<T, M, 16, C>(a_block, panel, m, r0, c);
        }
        if F > 8 {
            r0 = matmul_rows::<T, M, 8, C>(a_block, panel, m, r0, c);
        }
        r0 = matmul_rows::<T, M, 4, C>(a_block, panel, m, r0, c);
        matmul_rows::<T, M, 1, C>(a_block, panel, m, r0, c);
        k0 += depth;
    }
}

/// The `R`-high row tiles of [`matmul_columns`] from row `r0` while they fit; returns the first
/// row left.
#[inline(always)]
fn matmul_rows<T: Scalar, M: MulAdd, const R: usize, const C: usize>(
    a_block: &[T],
    panel: &[[T; C]],
    m: usize,
    mut r0: usize,
    c: &mut [&mut [T]],
) -> usize {
    while r0 + R <= m {
        let mut acc = [[T::default(); R]; C];
        for (col, p) in a_block.chunks_exact(m).zip(panel) {
            if let Some(x) = rows::<T, R>(col, r0) {
                rank1::<T, M, R, C>(&mut acc, x, p);
            }
        }
        for (dst, acc) in c.iter_mut().zip(&acc) {
            add_rows(dst, r0, acc);
        }
        r0 += R;
    }
    r0
}

/// `G += sum_s a_s b_s^T` with `R x C` tiles: see [`super::Kernels::outer_acc`] for the
/// arguments.
///
/// Packed like a textbook GEMM: for each `R`-row block of `G`, the batch's `R` rows of every
/// `a_s` are copied into a contiguous panel once, then each group of `C` columns runs its
/// tile over the samples, broadcasting `b_s`'s `C` values, with the tile in registers. (Reading
/// `a_s` through the slice of slices inside the tile loop left LLVM's vectoriser emitting
/// scalar multiply-adds for some tile heights.)
#[inline(always)]
pub fn outer<T: Scalar, M: MulAdd, const R: usize, const C: usize>(
    g: &mut [T],
    m: usize,
    n: usize,
    a: &[&[T]],
    b: &[&[T]],
) {
    let count = a.len().min(b.len());
    if !holds_matrix(g.len(), m, n) || count == 0 {
        return;
    }
    if count == 1 {
        // One sample: a rank-1 update `G[:, j] += b_j a`, column by column, reads and writes
        // `G` once with nothing to keep in registers between columns; tiles would only add
        // their bookkeeping.
        let (a, b) = (a[0], b[0]);
        let Some(a) = a.get(..m) else { return };
        for (col, &bj) in g.chunks_exact_mut(m).zip(b) {
            for (g, &ai) in col.iter_mut().zip(a) {
                *g = M::mul_add(ai, bj, *g);
            }
        }
        return;
    }
    for (a, b) in a[..count].chunks(SAMPLES).zip(b[..count].chunks(SAMPLES)) {
        let mut r0 = outer_rows::<T, M, R, C>(g, m, n, 0, a, b);
        if R > 32 {
            r0 = outer_rows::<T, M, 32, C>(g, m, n, r0, a, b);
        }
        if R > 16 {
            r0 = outer_rows::<T, M, 16, C>(g, m, n, r0, a, b);
        }
        if R > 8 {
            r0 = outer_rows::<T, M, 8, C>(g, m, n, r0, a, b);
        }
        r0 = outer_rows::<T, M, 4, C>(g, m, n, r0, a, b);
        outer_rows::<T, M, 1, C>(g, m, n, r0, a, b);
    }
}

/// `G = a b^T` for one sample, each element `a_i b_j + 0` (one `M::mul_add` into zero: the
/// bits [`outer`] gives into a zeroed `G`), column by column, never reading `G`. Too short a
/// vector leaves `G` untouched.
#[inline(always)]
pub fn outer_set<T: Scalar, M: MulAdd>(g: &mut [T], m: usize, n: usize, a: &[T], b: &[T]) {
    let (Some(a), Some(b)) = (a.get(..m), b.get(..n)) else {
        return;
    };
    if !holds_matrix(g.len(), m, n) {
        return;
    }
    for (col, &bj) in g.chunks_exact_mut(m).zip(b) {
        for (g, &ai) in col.iter_mut().zip(a) {
            *g = M::mul_add(ai, bj, T::default());
        }
    }
}

/// Samples packed at a time by [`outer`] (a panel of `SAMPLES x R` scalars on the stack: 8 KiB
/// for 64 rows of `f32`).
const SAMPLES: usize = 32;

/// The `R`-row blocks of [`outer`] from row `r0` while they fit, over every column of `G`;
/// returns the first row left.
#[inline(always)]
fn outer_rows<T: Scalar, M: MulAdd, const R: usize, const C: usize>(
    g: &mut [T],
    m: usize,
    n: usize,
    mut r0: usize,
    a: &[&[T]],
    b: &[&[T]],
) -> usize {
    while r0 + R <= m {
        let mut rows_a = [[T::default(); R]; SAMPLES];
        for (x, a) in rows_a.iter_mut().zip(a) {
            if let Some(a) = rows::<T, R>(a, r0) {
                *x = *a;
            }
        }
        let rows_a = &rows_a[..a.len().min(SAMPLES)];
        let mut j0 = 0;
        while j0 + C <= n {
            outer_tile::<T, M, R, C>(g, m, r0, j0, rows_a, b);
            j0 += C;
        }
        while j0 < n {
            outer_tile::<T, M, R, 1>(g, m, r0, j0, rows_a, b);
            j0 += 1;
        }
        r0 += R;
    }
    r0
}

/// One `R x C` tile of `G` at `(r0, j0)`, summed over the samples in registers.
#[inline(always)]
fn outer_tile<T: Scalar, M: MulAdd, const R: usize, const C: usize>(
    g: &mut [T],
    m: usize,
    r0: usize,
    j0: usize,
    rows_a: &[[T; R]],
    b: &[&[T]],
) {
    let mut acc = [[T::default(); R]; C];
    for (x, b) in rows_a.iter().zip(b) {
        if let Some(y) = rows::<T, C>(b, j0) {
            rank1::<T, M, R, C>(&mut acc, x, y);
        }
    }
    for (c, acc) in acc.iter().enumerate() {
        if let Some(col) = g.get_mut((j0 + c) * m..(j0 + c + 1) * m) {
            add_rows(col, r0, acc);
        }
    }
}
