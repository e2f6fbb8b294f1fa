//! The [`Kernels`] impls for `f32` and `f64`: each kernel a function compiled once in
//! `dl-core` (`#[inline(never)]`), trying the hand-written intrinsics for this CPU first
//! ([`Intrinsics`], `f32` on AVX-512), then the tiles compiled for the best instruction set
//! the CPU has ([`run`]).

use super::ops::{self, Op};
#[cfg(all(feature = "std", target_arch = "x86_64"))]
use super::x86;
use super::{CompileTime, Kernels, ROWS};

/// Runs a kernel: on x86-64 with `std`, compiled for the best instruction set the CPU has;
/// otherwise (or on a CPU with neither AVX2 nor AVX-512) with the compile-time tiles.
#[inline(always)]
pub(super) fn run<O: Op>(op: O) -> O::Out {
    #[cfg(all(feature = "std", target_arch = "x86_64"))]
    let op = match x86::run(op) {
        Ok(out) => return out,
        Err(op) => op,
    };
    op.run::<CompileTime, ROWS>()
}

/// Kernels a scalar type has in hand-written intrinsics for this CPU, tried before the
/// generic ones: `f32` on AVX-512 (`avx512`). Each returns `false` when it did nothing.
pub(super) trait Intrinsics: Sized {
    #[inline(always)]
    fn matmul(_: &[Self], _: usize, _: usize, _: &[&[Self]], _: &mut [&mut [Self]]) -> bool {
        false
    }
    #[inline(always)]
    fn matvec(_: &[Self], _: usize, _: usize, _: &[Self], _: &mut [Self]) -> bool {
        false
    }
    #[inline(always)]
    fn outer(_: &mut [Self], _: usize, _: usize, _: &[&[Self]], _: &[&[Self]]) -> bool {
        false
    }
    #[inline(always)]
    fn outer_set(_: &mut [Self], _: usize, _: usize, _: &[Self], _: &[Self]) -> bool {
        false
    }
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    fn outer_sgd(
        _: &mut [Self],
        _: &mut [Self],
        _: usize,
        _: usize,
        _: &[Self],
        _: &[Self],
        _: Self,
    ) -> Option<(bool, bool)> {
        None
    }
}

#[cfg(all(feature = "std", target_arch = "x86_64"))]
impl Intrinsics for f32 {
    #[inline(always)]
    fn matmul(a: &[f32], m: usize, k: usize, b: &[&[f32]], c: &mut [&mut [f32]]) -> bool {
        x86::matmul_avx512_f32(a, m, k, b, c)
    }
    #[inline(always)]
    fn matvec(a: &[f32], m: usize, k: usize, b: &[f32], c: &mut [f32]) -> bool {
        x86::matvec_avx512_f32(a, m, k, b, c)
    }
    #[inline(always)]
    fn outer(g: &mut [f32], m: usize, n: usize, a: &[&[f32]], b: &[&[f32]]) -> bool {
        x86::outer_avx512_f32(g, m, n, a, b)
    }
    #[inline(always)]
    fn outer_set(g: &mut [f32], m: usize, n: usize, a: &[f32], b: &[f32]) -> bool {
        x86::outer_set_avx512_f32(g, m, n, a, b)
    }
    #[inline(always)]
    fn outer_sgd(
        w: &mut [f32],
        g: &mut [f32],
        m: usize,
        n: usize,
        a: &[f32],
        b: &[f32],
        alpha: f32,
    ) -> Option<(bool, bool)> {
        x86::outer_sgd_avx512_f32(w, g, m, n, a, b, alpha)
    }
}
#[cfg(not(all(feature = "std", target_arch = "x86_64")))]
impl Intrinsics for f32 {}
impl Intrinsics for f64 {}

macro_rules! kernels {
    ($t:ty) => {
        impl Kernels for $t {
            #[inline(never)]
            fn matmul_acc(a: &[$t], m: usize, k: usize, b: &[&[$t]], c: &mut [&mut [$t]]) {
                if !<$t as Intrinsics>::matmul(a, m, k, b, c) {
                    run(ops::Matmul { a, m, k, b, c })
                }
            }

            #[inline(never)]
            fn matvec_acc(a: &[$t], m: usize, k: usize, b: &[$t], c: &mut [$t]) {
                if !<$t as Intrinsics>::matvec(a, m, k, b, c) {
                    run(ops::Matmul {
                        a,
                        m,
                        k,
                        b: &[b],
                        c: &mut [c],
                    })
                }
            }

            #[inline(never)]
            fn outer_acc(g: &mut [$t], m: usize, n: usize, a: &[&[$t]], b: &[&[$t]]) {
                if !<$t as Intrinsics>::outer(g, m, n, a, b) {
                    run(ops::Outer { g, m, n, a, b })
                }
            }

            #[inline(never)]
            fn outer_set(g: &mut [$t], m: usize, n: usize, a: &[$t], b: &[$t]) {
                if !<$t as Intrinsics>::outer_set(g, m, n, a, b) {
                    run(ops::OuterSet { g, m, n, a, b })
                }
            }

            #[inline(never)]
            fn outer_sgd(
                w: &mut [$t],
                g: &mut [$t],
                m: usize,
                n: usize,
                a: &[$t],
                b: &[$t],
                alpha: $t,
            ) -> Option<(bool, bool)> {
                <$t as Intrinsics>::outer_sgd(w, g, m, n, a, b, alpha)
            }

            #[inline(never)]
            fn axpy(y: &mut [$t], alpha: $t, x: &[$t]) {
                run(ops::Axpy { y, alpha, x })
            }

            #[inline(never)]
            fn axpy_zero(y: &mut [$t], alpha: $t, x: &mut [$t]) {
                run(ops::AxpyZero { y, alpha, x })
            }

            #[inline(never)]
            fn all_finite(v: &[$t]) -> bool {
                run(ops::AllFinite { v })
            }

            #[inline(never)]
            fn axpy_finite(y: &[$t], alpha: $t, x: &[$t]) -> bool {
                run(ops::AxpyFinite { y, alpha, x })
            }

            #[inline(never)]
            fn axpy_swap(y: &mut [$t], alpha: $t, x: &mut [$t]) -> (bool, bool) {
                run(ops::AxpySwap { y, alpha, x })
            }

            #[inline(never)]
            fn scale_all_finite(v: &mut [$t], s: $t) -> bool {
                run(ops::ScaleAllFinite { v, s })
            }
        }
    };
}

kernels!(f32);
kernels!(f64);
