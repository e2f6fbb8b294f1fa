//! Instructions chosen at run time on x86-64 (`std` builds): the kernels of `tiles`
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

use super::ops::Op;
use super::tiles::Fused;

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

/// Runs `op` with the best instruction set this CPU has, or hands it back when it has none
/// of those the kernels are compiled for. Each instruction set is checked once, by
/// [`run_on`].
#[inline]
pub fn run<O: Op>(op: O) -> Result<O::Out, O> {
    run_on(Isa::Avx512, op).or_else(|op| run_on(Isa::Avx2, op))
}

/// Runs `op` compiled for `isa`, or hands it back for [`Isa::Portable`] or an instruction set
/// this CPU does not have, so any `isa` is safe to pass.
#[inline]
pub fn run_on<O: Op>(isa: Isa, op: O) -> Result<O::Out, O> {
    match isa {
        // SAFETY: `supported` found AVX-512F, AVX2 and FMA on this CPU, every feature
        // `on_avx512` is compiled with.
        Isa::Avx512 if supported(isa) => Ok(unsafe { on_avx512(op) }),
        // SAFETY: `supported` found AVX2 and FMA, every feature `on_avx2` is compiled with.
        Isa::Avx2 if supported(isa) => Ok(unsafe { on_avx2(op) }),
        _ => Err(op),
    }
}

/// `op` compiled for AVX-512 with fused multiply-adds.
#[target_feature(enable = "avx512f,avx2,fma")]
fn on_avx512<O: Op>(op: O) -> O::Out {
    if core::mem::size_of::<O::Scalar>() == 4 {
        op.run::<Fused, AVX512_ROWS_F32>()
    } else {
        op.run::<Fused, { AVX512_ROWS_F32 / 2 }>()
    }
}

/// `op` compiled for AVX2 with fused multiply-adds: tiles of two 256-bit registers a column.
#[target_feature(enable = "avx2,fma")]
fn on_avx2<O: Op>(op: O) -> O::Out {
    if core::mem::size_of::<O::Scalar>() == 4 {
        op.run::<Fused, 16>()
    } else {
        op.run::<Fused, 8>()
    }
}

/// [`super::Kernels::matmul_acc`] for `f32` in AVX-512 intrinsics (`avx512`), if
/// this CPU has AVX-512F; `false` (nothing done) otherwise.
#[inline]
pub fn matmul_avx512_f32(
    a: &[f32],
    m: usize,
    k: usize,
    b: &[&[f32]],
    c: &mut [&mut [f32]],
) -> bool {
    if !std::is_x86_feature_detected!("avx512f") {
        return false;
    }
    // SAFETY: the CPU has AVX-512F, checked just above, the one feature `avx512` uses.
    unsafe { super::avx512::matmul(a, m, k, b, c) };
    true
}

/// [`super::Kernels::matvec_acc`] for `f32` in AVX-512 intrinsics, if this CPU has AVX-512F;
/// `false` (nothing done) otherwise.
#[inline]
pub fn matvec_avx512_f32(a: &[f32], m: usize, k: usize, b: &[f32], c: &mut [f32]) -> bool {
    if !std::is_x86_feature_detected!("avx512f") {
        return false;
    }
    // SAFETY: as in `matmul_avx512_f32`.
    unsafe { super::avx512::matvec(a, m, k, b, c) };
    true
}

/// [`super::Kernels::outer_sgd`] for `f32` in AVX-512 intrinsics, if this CPU has AVX-512F
/// (and AVX2 and FMA, so the unfused step it stands for, `axpy_swap`, runs fused
/// multiply-adds too); `None` (nothing done) otherwise.
#[inline]
#[allow(clippy::too_many_arguments)]
pub fn outer_sgd_avx512_f32(
    w: &mut [f32],
    g: &mut [f32],
    m: usize,
    n: usize,
    a: &[f32],
    b: &[f32],
    alpha: f32,
) -> Option<(bool, bool)> {
    if !supported(Isa::Avx512) {
        return None;
    }
    // SAFETY: as in `matmul_avx512_f32`.
    unsafe { super::avx512::outer_sgd(w, g, m, n, a, b, alpha) }
}

/// [`super::Kernels::outer_acc`] for `f32` in AVX-512 intrinsics, if this CPU has AVX-512F;
/// `false` (nothing done) otherwise.
#[inline]
pub fn outer_avx512_f32(g: &mut [f32], m: usize, n: usize, a: &[&[f32]], b: &[&[f32]]) -> bool {
    if !std::is_x86_feature_detected!("avx512f") {
        return false;
    }
    // SAFETY: as in `matmul_avx512_f32`.
    unsafe { super::avx512::outer(g, m, n, a, b) };
    true
}

/// [`super::Kernels::outer_set`] for `f32` in AVX-512 intrinsics, if this CPU has AVX-512F;
/// `false` (nothing done) otherwise.
#[inline]
pub fn outer_set_avx512_f32(g: &mut [f32], m: usize, n: usize, a: &[f32], b: &[f32]) -> bool {
    if !std::is_x86_feature_detected!("avx512f") {
        return false;
    }
    // SAFETY: as in `matmul_avx512_f32`.
    unsafe { super::avx512::outer_set(g, m, n, a, b) };
    true
}
