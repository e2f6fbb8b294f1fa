//! Conv2D one output pixel at a time through nalgebra's inlined `gemv` / `ger` / `tr_mul`:
//! the path of tiny convolutions (the digits CNN's 8x8 images). There, a kernel call, its
//! instruction-set check and the block bookkeeping of [`gemm`](super::gemm) cost more than a
//! few thousand multiply-adds: the digits CNN trained at 126k samples/CPU-s on the blocked
//! products and 158k this way in a default build, and 87k against 104k in a
//! `-C target-cpu=native` build (one core, the peer suite's benchmark e, batch 1).
//!
//! Its buffers (one patch, its gradient, one pixel's outputs) are nalgebra vectors on the
//! stack, whatever the pass: `2 * PATCH + C_OUT` scalars, at most
//! [`PIXEL_STACK_SCALARS`](crate::stack::PIXEL_STACK_SCALARS) (a layer with more runs on the
//! blocked products, whose memory is the caller's), so that what any layer keeps on the stack
//! is bounded whatever the network (the digits CNN's layers keep under 200). Taking them
//! from the caller's scratch instead, through matrix views, cost the digits CNN's batched
//! training 16% and its inference 30% in `benches/cnn`.

use super::im2col::source;
use super::{Conv2D, Conv2DGrad};
use crate::network::Vector;
use nalgebra::SVector;

conv2d_impl! {
    /// Whether this layer runs pixel by pixel (this module) rather than on the blocked
    /// products: fewer than 16k multiply-adds a sample, and buffers of at most
    /// [`PIXEL_STACK_SCALARS`](crate::stack::PIXEL_STACK_SCALARS).
    pub(super) const BY_PIXEL: bool = C_OUT * PATCH * Self::OH * Self::OW < 16 * 1024
        && 2 * PATCH + C_OUT <= crate::stack::PIXEL_STACK_SCALARS;

    /// Copies the input patch under output pixel `(oy, ox)` into `patch`, in `c, ky, kx`
    /// order, with zeros where the kernel covers padding.
    #[inline(always)]
    fn gather(x: &[T], oy: usize, ox: usize, patch: &mut SVector<T, PATCH>) {
        let patch = patch.as_mut_slice();
        for c in 0..C_IN {
            for ky in 0..K {
                let row = &mut patch[(c * K + ky) * K..][..K];
                match Self::source_row(oy, ky) {
                    Some(iy) => {
                        let src = &x[(c * H + iy) * W..][..W];
                        for (kx, v) in row.iter_mut().enumerate() {
                            *v = match Self::source_col(ox, kx) {
                                Some(ix) => src[ix],
                                None => T::ZERO,
                            };
                        }
                    }
                    None => row.fill(T::ZERO),
                }
            }
        }
    }

    /// Adds `d_patch` (in `c, ky, kx` order) into `dx` at the input pixels under output
    /// pixel `(oy, ox)`, skipping padding.
    #[inline(always)]
    fn scatter_add(dx: &mut [T], oy: usize, ox: usize, d_patch: &SVector<T, PATCH>) {
        let d_patch = d_patch.as_slice();
        for c in 0..C_IN {
            for ky in 0..K {
                let Some(iy) = Self::source_row(oy, ky) else {
                    continue;
                };
                let row = &d_patch[(c * K + ky) * K..][..K];
                let dst = &mut dx[(c * H + iy) * W..][..W];
                for (kx, &d) in row.iter().enumerate() {
                    if let Some(ix) = Self::source_col(ox, kx) {
                        dst[ix] += d;
                    }
                }
            }
        }
    }

    /// The input row read by kernel row `ky` at output row `oy`, if it is not padding.
    #[inline(always)]
    fn source_row(oy: usize, ky: usize) -> Option<usize> {
        source(oy, ky, S, P, H)
    }

    /// The input column read by kernel column `kx` at output column `ox`, if not padding.
    #[inline(always)]
    fn source_col(ox: usize, kx: usize) -> Option<usize> {
        source(ox, kx, S, P, W)
    }

    /// `z = conv(x) + b`, pixel by pixel: `z[:, y, x] = W p + b` for the patch `p`.
    #[inline(always)]
    pub(super) fn preactivate_by_pixel(&self, x: &[T], z: &mut [T]) {
        let pixels = Self::OH * Self::OW;
        let mut patch = <SVector<T, PATCH> as Vector<T>>::ZERO;
        let mut zp = <SVector<T, C_OUT> as Vector<T>>::ZERO;
        for oy in 0..Self::OH {
            for ox in 0..Self::OW {
                Self::gather(x, oy, ox, &mut patch);
                zp.copy_from(&self.bias);
                zp.gemv(T::ONE, &self.weight, &patch, T::ONE);
                let p = oy * Self::OW + ox;
                for (o, &v) in zp.iter().enumerate() {
                    z[o * pixels + p] = v;
                }
            }
        }
    }

    /// `OH * OW`, the distance between one pixel's values in consecutive channels, as
    /// backward reads it: where the CPU has gather instructions (AVX2 on, as in a
    /// `-C target-cpu=native` build), hidden from the optimiser. LLVM otherwise loads
    /// `dz[:, y, x]` (`C_OUT` values a plane apart) with gathers: the digits CNN's training
    /// at batch 32 took 66.2 us a step there against 55.0 us in the default build; with the
    /// stride hidden, 51.8 us (`native_rows`, best of 3 alternating runs, 14:05 UTC). Without
    /// gathers (the default x86-64 target) the known stride is faster: hidden, the default
    /// build took 64.9 us.
    #[inline(always)]
    fn plane_stride() -> usize {
        if cfg!(target_feature = "avx2") {
            core::hint::black_box(Self::OH * Self::OW)
        } else {
            Self::OH * Self::OW
        }
    }

    /// Backward pixel by pixel: `dL/dW += dz[:, y, x] p^T`, `dL/db += dz[:, y, x]`, and
    /// `W^T dz[:, y, x]` scattered back into `dL/dx`. Only for kernel matrices under
    /// [`kernel::MIN_WEIGHTS`](crate::kernel::MIN_WEIGHTS) (`BACKWARD_BY_PIXEL`); larger
    /// ones go backward on the blocked products even when they go forward here.
    #[inline(always)]
    pub(super) fn backward_by_pixel(
        &self,
        x: &[T],
        dz: &[T],
        grad: &mut Conv2DGrad<T, C_OUT, PATCH>,
        mut dx: Option<&mut [T]>,
    ) {
        let pixels = Self::plane_stride();
        if let Some(dx) = dx.as_deref_mut() {
            dx.fill(T::ZERO);
        }
        let mut patch = <SVector<T, PATCH> as Vector<T>>::ZERO;
        let mut d_patch = <SVector<T, PATCH> as Vector<T>>::ZERO;
        let mut dzp = <SVector<T, C_OUT> as Vector<T>>::ZERO;
        for oy in 0..Self::OH {
            for ox in 0..Self::OW {
                let p = oy * Self::OW + ox;
                for (o, d) in dzp.iter_mut().enumerate() {
                    *d = dz[o * pixels + p];
                }
                Self::gather(x, oy, ox, &mut patch);
                grad.weight.ger(T::ONE, &dzp, &patch, T::ONE);
                grad.bias += &dzp;
                if let Some(dx) = dx.as_deref_mut() {
                    self.weight.tr_mul_to(&dzp, &mut d_patch);
                    Self::scatter_add(dx, oy, ox, &d_patch);
                }
            }
        }
    }
}
