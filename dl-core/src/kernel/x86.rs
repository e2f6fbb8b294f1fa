//! Instructions chosen at run time on x86-64 (`std` builds): the kernels of [`super::tiles`]
//! compiled a second and third time, for AVX-512 and for AVX2, both with FMA, and picked by
//! what the CPU reports (`is_x86_feature_detected!`, one cached atomic load).
//!
//! This is the only `unsafe` in `dl-core`. Calling a `#[target_feature]` function is `unsafe`
//! because running its instructions on a CPU without them is undefined behaviour; each call
//! below is made only after the detection of every feature the function enables. The
//! functions themselves are safe code: the same bounds-checked loops as the portable path.
//!
//! The AVX-512 tiles are 64 `f32` rows (four 512-bit registers) by 4 columns: 16 accumulators
//! of the 32 registers. LLVM uses 512-bit vectors here because these functions keep the
//! generic x86-64 tuning; a `-C target-cpu=native` build on a CPU that LLVM tunes for 256-bit
//! vectors (Sapphire Rapids among them) gets 256-bit code instead, so its tiles are halved
//! (see [`AVX512_ROWS_F32`]).

#![allow(unsafe_code)]

use super::tiles::{self, Fused, Scalar};

/// AVX-512 tile height for `f32`: four vector registers a column. In a build whose CPU
/// tuning already enables AVX-512 (`-C target-cpu=native`), LLVM keeps to 256-bit vectors on
/// the CPUs it tunes that way, and 64 rows would need 32 registers for 16 accumulators
/// (spills), so the tile is 32 rows there.
#[cfg(not(target_feature = "avx512f"))]
pub const AVX512_ROWS_F32: usize = 64;
/// AVX-512 tile height for `f32` in a build that targets AVX-512 already (see above).
#[cfg(target_feature = "avx512f")]
pub const AVX512_ROWS_F32: usize = 32;

/// Which compiled copy of the kernels the CPU can run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Isa {
    /// AVX-512F with FMA.
    Avx512,
    /// AVX2 with FMA.
    Avx2,
    /// Neither: the portable kernels.
    Portable,
}

/// Whether this CPU has every feature the kernels compiled for `isa` use.
#[inline]
pub fn supported(isa: Isa) -> bool {
    let avx2 = std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma");
    match isa {
        Isa::Avx512 => avx2 && std::is_x86_feature_detected!("avx512f"),
        Isa::Avx2 => avx2,
        Isa::Portable => true,
    }
}

/// The best instruction set this CPU has, of those the kernels are compiled for.
#[inline]
pub fn isa() -> Isa {
    if supported(Isa::Avx512) {
        Isa::Avx512
    } else if supported(Isa::Avx2) {
        Isa::Avx2
    } else {
        Isa::Portable
    }
}

#[target_feature(enable = "avx512f,avx2,fma")]
fn matmul_avx512<T: Scalar, const R: usize, const S: usize>(
    a: &[T],
    m: usize,
    k: usize,
    b: &[&[T]],
    c: &mut [&mut [T]],
) {
    tiles::matmul::<T, Fused, R, 4, S>(a, m, k, b, c);
}

#[target_feature(enable = "avx2,fma")]
fn matmul_avx2<T: Scalar, const R: usize, const S: usize>(
    a: &[T],
    m: usize,
    k: usize,
    b: &[&[T]],
    c: &mut [&mut [T]],
) {
    tiles::matmul::<T, Fused, R, 4, S>(a, m, k, b, c);
}

#[target_feature(enable = "avx512f,avx2,fma")]
fn outer_avx512<T: Scalar, const R: usize, const S: usize>(
    g: &mut [T],
    m: usize,
    n: usize,
    a: &[&[T]],
    b: &[&[T]],
) {
    tiles::outer::<T, Fused, R, 4>(g, m, n, a, b);
}

#[target_feature(enable = "avx2,fma")]
fn outer_avx2<T: Scalar, const R: usize, const S: usize>(
    g: &mut [T],
    m: usize,
    n: usize,
    a: &[&[T]],
    b: &[&[T]],
) {
    tiles::outer::<T, Fused, R, 4>(g, m, n, a, b);
}

macro_rules! dispatch {
    ($t:ty, $r512:expr, $s512:expr, $r2:expr, $s2:expr $(,)?) => {
        impl Dispatch for $t {
            #[inline]
            fn matmul(
                isa: Isa,
                a: &[$t],
                m: usize,
                k: usize,
                b: &[&[$t]],
                c: &mut [&mut [$t]],
            ) -> bool {
                match isa {
                    // SAFETY: `supported` found AVX-512F, AVX2 and FMA on this CPU, every
                    // feature `matmul_avx512` enables.
                    Isa::Avx512 if supported(isa) => unsafe {
                        matmul_avx512::<$t, { $r512 }, { $s512 }>(a, m, k, b, c)
                    },
                    // SAFETY: `supported` found AVX2 and FMA, every feature `matmul_avx2`
                    // enables.
                    Isa::Avx2 if supported(isa) => unsafe {
                        matmul_avx2::<$t, { $r2 }, { $s2 }>(a, m, k, b, c)
                    },
                    _ => return false,
                }
                true
            }

            #[inline]
            fn outer(isa: Isa, g: &mut [$t], m: usize, n: usize, a: &[&[$t]], b: &[&[$t]]) -> bool {
                match isa {
                    // SAFETY: as in `matmul` above.
                    Isa::Avx512 if supported(isa) => unsafe {
                        outer_avx512::<$t, { $r512 }, { $s512 }>(g, m, n, a, b)
                    },
                    // SAFETY: as in `matmul` above.
                    Isa::Avx2 if supported(isa) => unsafe {
                        outer_avx2::<$t, { $r2 }, { $s2 }>(g, m, n, a, b)
                    },
                    _ => return false,
                }
                true
            }
        }
    };
}

/// The kernels of one scalar type compiled for an instruction set. Each returns `false`, and
/// does nothing, for [`Isa::Portable`] or an instruction set this CPU does not have (the
/// caller then runs the portable kernels), so any `isa` is safe to pass.
pub trait Dispatch: Sized {
    /// [`super::Kernels::matmul_acc`] compiled for `isa`.
    fn matmul(
        isa: Isa,
        a: &[Self],
        m: usize,
        k: usize,
        b: &[&[Self]],
        c: &mut [&mut [Self]],
    ) -> bool;
    /// [`super::Kernels::outer_acc`] compiled for `isa`.
    fn outer(isa: Isa, g: &mut [Self], m: usize, n: usize, a: &[&[Self]], b: &[&[Self]]) -> bool;
}

dispatch!(f32, AVX512_ROWS_F32, 2 * AVX512_ROWS_F32, 16, 64);
dispatch!(f64, AVX512_ROWS_F32 / 2, AVX512_ROWS_F32, 8, 32);

/// A matrix-product kernel, as [`super::Kernels::matmul_acc`].
#[cfg(test)]
type MatmulFn<T> = fn(&[T], usize, usize, &[&[T]], &mut [&mut [T]]);
/// An outer-product kernel, as [`super::Kernels::outer_acc`].
#[cfg(test)]
type OuterFn<T> = fn(&mut [T], usize, usize, &[&[T]], &[&[T]]);

/// The kernels compiled for `isa`, if this CPU can run them: for tests that compare every
/// instruction set against a naive product, whatever the dispatch would pick.
#[cfg(test)]
pub fn matmul_on<T: Dispatch + 'static>(isa: Isa) -> Option<MatmulFn<T>> {
    let have = supported(isa);
    let f: MatmulFn<T> = match isa {
        Isa::Avx512 => |a, m, k, b, c| {
            T::matmul(Isa::Avx512, a, m, k, b, c);
        },
        Isa::Avx2 => |a, m, k, b, c| {
            T::matmul(Isa::Avx2, a, m, k, b, c);
        },
        Isa::Portable => return None,
    };
    have.then_some(f)
}

/// See [`matmul_on`].
#[cfg(test)]
pub fn outer_on<T: Dispatch + 'static>(isa: Isa) -> Option<OuterFn<T>> {
    let have = supported(isa);
    let f: OuterFn<T> = match isa {
        Isa::Avx512 => |g, m, n, a, b| {
            T::outer(Isa::Avx512, g, m, n, a, b);
        },
        Isa::Avx2 => |g, m, n, a, b| {
            T::outer(Isa::Avx2, g, m, n, a, b);
        },
        Isa::Portable => return None,
    };
    have.then_some(f)
}
