//! Each kernel as a value: its arguments in a struct, and one [`Op::run`] generic over the
//! multiply-add and the tile height. The instruction-set choice (`x86`) is then
//! written once, for any `Op`, instead of once per kernel. The fields of each op are the
//! arguments of the [`super::Kernels`] method of the same name, documented there.

use super::tiles::{self, MulAdd, Scalar};

/// A kernel call, ready to run with any multiply-add and tile height.
pub trait Op: Sized {
    /// The scalar type (picks the tile height per instruction set: half as many `f64` rows
    /// fit a register as `f32` rows).
    type Scalar: Scalar;
    /// What the kernel returns.
    type Out;
    /// Runs the kernel with `R`-row tiles and `M`'s multiply-add. `#[inline(always)]` in
    /// every implementation, so the caller's `#[target_feature]` reaches the loops.
    fn run<M: MulAdd, const R: usize>(self) -> Self::Out;
}

/// [`super::Kernels::matmul_acc`]'s arguments.
#[allow(missing_docs)]
pub struct Matmul<'s, 'b, 'c, T> {
    pub a: &'s [T],
    pub m: usize,
    pub k: usize,
    pub b: &'s [&'b [T]],
    pub c: &'s mut [&'c mut [T]],
}

impl<T: Scalar> Op for Matmul<'_, '_, '_, T> {
    type Scalar = T;
    type Out = ();
    #[inline(always)]
    fn run<M: MulAdd, const R: usize>(self) {
        tiles::matmul::<T, M, R, { super::COLS }>(self.a, self.m, self.k, self.b, self.c);
    }
}

/// [`super::Kernels::outer_acc`]'s arguments.
#[allow(missing_docs)]
pub struct Outer<'s, 'e, T> {
    pub g: &'s mut [T],
    pub m: usize,
    pub n: usize,
    pub a: &'s [&'e [T]],
    pub b: &'s [&'e [T]],
}

impl<T: Scalar> Op for Outer<'_, '_, T> {
    type Scalar = T;
    type Out = ();
    #[inline(always)]
    fn run<M: MulAdd, const R: usize>(self) {
        tiles::outer::<T, M, R, { super::COLS }>(self.g, self.m, self.n, self.a, self.b);
    }
}

/// [`super::Kernels::outer_set`]'s arguments.
#[allow(missing_docs)]
pub struct OuterSet<'s, T> {
    pub g: &'s mut [T],
    pub m: usize,
    pub n: usize,
    pub a: &'s [T],
    pub b: &'s [T],
}

impl<T: Scalar> Op for OuterSet<'_, T> {
    type Scalar = T;
    type Out = ();
    #[inline(always)]
    fn run<M: MulAdd, const R: usize>(self) {
        tiles::outer_set::<T, M>(self.g, self.m, self.n, self.a, self.b);
    }
}

/// [`super::Kernels::axpy`]: `y += alpha x`.
#[allow(missing_docs)]
pub struct Axpy<'y, 'x, T> {
    pub y: &'y mut [T],
    pub alpha: T,
    pub x: &'x [T],
}

impl<T: Scalar> Op for Axpy<'_, '_, T> {
    type Scalar = T;
    type Out = ();
    #[inline(always)]
    fn run<M: MulAdd, const R: usize>(self) {
        let alpha = self.alpha;
        for (y, &x) in self.y.iter_mut().zip(self.x) {
            *y = M::mul_add(x, alpha, *y);
        }
    }
}

/// [`super::Kernels::axpy_zero`]: `y += alpha x`, then `x = 0`.
#[allow(missing_docs)]
pub struct AxpyZero<'y, 'x, T> {
    pub y: &'y mut [T],
    pub alpha: T,
    pub x: &'x mut [T],
}

impl<T: Scalar> Op for AxpyZero<'_, '_, T> {
    type Scalar = T;
    type Out = ();
    #[inline(always)]
    fn run<M: MulAdd, const R: usize>(self) {
        let alpha = self.alpha;
        for (y, x) in self.y.iter_mut().zip(self.x.iter_mut()) {
            *y = M::mul_add(*x, alpha, *y);
            *x = T::default();
        }
    }
}

/// Independent partial results of the finiteness checks: enough vectors in flight to hide
/// the add latency at every width.
const LANES: usize = 64;

/// [`super::Kernels::all_finite`].
///
/// `x * 0` is `0` for a finite `x` and NaN for an infinite or NaN one, and NaN survives every
/// sum, so one multiply-add a value (vectorised, no branch) tells whether all are finite.
#[allow(missing_docs)]
pub struct AllFinite<'v, T> {
    pub v: &'v [T],
}

impl<T: Scalar> Op for AllFinite<'_, T> {
    type Scalar = T;
    type Out = bool;
    #[inline(always)]
    fn run<M: MulAdd, const R: usize>(self) -> bool {
        all_finite_of::<T, M>(self.v, self.v, |x, _| x)
    }
}

/// [`super::Kernels::axpy_finite`]: whether every `y + alpha x` is finite, computed as
/// [`Axpy`] and [`AxpyZero`] compute it (one `M::mul_add`), without storing it.
#[allow(missing_docs)]
pub struct AxpyFinite<'y, 'x, T> {
    pub y: &'y [T],
    pub alpha: T,
    pub x: &'x [T],
}

impl<T: Scalar> Op for AxpyFinite<'_, '_, T> {
    type Scalar = T;
    type Out = bool;
    #[inline(always)]
    fn run<M: MulAdd, const R: usize>(self) -> bool {
        let alpha = self.alpha;
        all_finite_of::<T, M>(self.y, self.x, |y, x| M::mul_add(x, alpha, y))
    }
}

/// [`super::Kernels::axpy_swap`]: `y <- y + alpha x` (one `M::mul_add`, as [`Axpy`]) and
/// `x <- y` (the old `y`); returns whether every new `y` and every old `x` was finite.
#[allow(missing_docs)]
pub struct AxpySwap<'y, 'x, T> {
    pub y: &'y mut [T],
    pub alpha: T,
    pub x: &'x mut [T],
}

impl<T: Scalar> Op for AxpySwap<'_, '_, T> {
    type Scalar = T;
    type Out = (bool, bool);
    #[inline(always)]
    fn run<M: MulAdd, const R: usize>(self) -> (bool, bool) {
        let alpha = self.alpha;
        // The largest exponent fields, all ones only if a value was infinite or NaN.
        let (mut new, mut old) = (0, 0);
        for (y, x) in self.y.iter_mut().zip(self.x.iter_mut()) {
            let updated = M::mul_add(*x, alpha, *y);
            new = updated.exponent().max(new);
            old = x.exponent().max(old);
            (*x, *y) = (*y, updated);
        }
        (new < T::INF_EXPONENT, old < T::INF_EXPONENT)
    }
}

/// Whether `f(a[i], b[i])` is finite for every `i < min(a.len(), b.len())`: the sum of
/// `f(..) * 0` in [`LANES`] independent partial sums (a short slice in one), each zero exactly
/// when every value it saw was finite.
#[inline(always)]
fn all_finite_of<T: Scalar, M: MulAdd>(a: &[T], b: &[T], f: impl Fn(T, T) -> T) -> bool {
    let zero = T::default();
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    if n < LANES {
        // A bias or a tiny layer: one running sum, no accumulator array to set up and
        // reduce.
        return a
            .iter()
            .zip(b)
            .fold(zero, |acc, (&a, &b)| M::mul_add(f(a, b), zero, acc))
            == zero;
    }
    let mut acc = [zero; LANES];
    let (chunks_a, chunks_b) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
    let (rest_a, rest_b) = (chunks_a.remainder(), chunks_b.remainder());
    for (ca, cb) in chunks_a.zip(chunks_b) {
        for ((acc, &a), &b) in acc.iter_mut().zip(ca).zip(cb) {
            *acc = M::mul_add(f(a, b), zero, *acc);
        }
    }
    for ((acc, &a), &b) in acc.iter_mut().zip(rest_a).zip(rest_b) {
        *acc = M::mul_add(f(a, b), zero, *acc);
    }
    acc.iter().all(|&a| a == zero)
}

/// [`super::Kernels::scale_all_finite`]: `v *= s`, and whether every result is finite.
#[allow(missing_docs)]
pub struct ScaleAllFinite<'v, T> {
    pub v: &'v mut [T],
    pub s: T,
}

impl<T: Scalar> Op for ScaleAllFinite<'_, T> {
    type Scalar = T;
    type Out = bool;
    #[inline(always)]
    fn run<M: MulAdd, const R: usize>(self) -> bool {
        let (zero, s) = (T::default(), self.s);
        if self.v.len() < LANES {
            let mut a = zero;
            for x in self.v.iter_mut() {
                *x = *x * s;
                a = M::mul_add(*x, zero, a);
            }
            return a == zero;
        }
        let mut acc = [zero; LANES];
        let mut chunks = self.v.chunks_exact_mut(LANES);
        for c in &mut chunks {
            for (a, x) in acc.iter_mut().zip(c.iter_mut()) {
                *x = *x * s;
                *a = M::mul_add(*x, zero, *a);
            }
        }
        for (a, x) in acc.iter_mut().zip(chunks.into_remainder()) {
            *x = *x * s;
            *a = M::mul_add(*x, zero, *a);
        }
        acc.iter().all(|&a| a == zero)
    }
}
