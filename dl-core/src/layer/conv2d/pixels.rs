//! Conv2D one output pixel at a time through nalgebra's inlined `gemv` / `ger` / `tr_mul`:
//! the path of tiny convolutions (the digits CNN's 8x8 images). There, a kernel call, its
//! instruction-set check and the block bookkeeping of [`gemm`](super::gemm) cost more than a
//! few thousand multiply-adds: the digits CNN trained at 126k samples/CPU-s on the blocked
//! products and 158k this way in a default build, and 87k against 104k in a
//! `-C target-cpu=native` build (one core, the peer suite's benchmark e, batch 1).
//!
//! The patch and per-pixel buffers are the caller's ([`memory`](super::memory)); the input
//! positions under the kernel come from the layer's [`Geometry`](super::im2col::Geometry),
//! as the blocked path's do.

use super::{Conv2D, Conv2DGrad};
use nalgebra::{SVectorView, SVectorViewMut};

conv2d_impl! {
    /// Whether this layer runs pixel by pixel (this module) rather than on the blocked
    /// products: fewer than 16k multiply-adds a sample.
    pub(super) const BY_PIXEL: bool = C_OUT * PATCH * Self::OH * Self::OW < 16 * 1024;

    /// Copies the input patch under output pixel `(oy, ox)` into `patch`, in `c, ky, kx`
    /// order, with zeros where the kernel covers padding.
    #[inline(always)]
    fn gather(x: &[T], oy: usize, ox: usize, patch: &mut [T]) {
        let g = &Self::GEOMETRY;
        for c in 0..C_IN {
            for ky in 0..K {
                let row = &mut patch[(c * K + ky) * K..][..K];
                match g.source_row(oy, ky) {
                    Some(iy) => {
                        let src = &x[(c * H + iy) * W..][..W];
                        for (kx, v) in row.iter_mut().enumerate() {
                            *v = match g.source_col(ox, kx) {
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
    fn scatter_add(dx: &mut [T], oy: usize, ox: usize, d_patch: &[T]) {
        let g = &Self::GEOMETRY;
        for c in 0..C_IN {
            for ky in 0..K {
                let Some(iy) = g.source_row(oy, ky) else {
                    continue;
                };
                let row = &d_patch[(c * K + ky) * K..][..K];
                let dst = &mut dx[(c * H + iy) * W..][..W];
                for (kx, &d) in row.iter().enumerate() {
                    if let Some(ix) = g.source_col(ox, kx) {
                        dst[ix] += d;
                    }
                }
            }
        }
    }

    /// `z = conv(x) + b`, pixel by pixel: `z[:, y, x] = W p + b` for the patch `p`, gathered
    /// into `patch` (`PATCH` long), the pixel's outputs in `zp` (`C_OUT` long).
    #[inline(always)]
    pub(super) fn preactivate_by_pixel(&self, x: &[T], z: &mut [T], patch: &mut [T], zp: &mut [T]) {
        let pixels = Self::OH * Self::OW;
        let mut zp = SVectorViewMut::<T, C_OUT>::from_slice(zp);
        for oy in 0..Self::OH {
            for ox in 0..Self::OW {
                Self::gather(x, oy, ox, patch);
                zp.copy_from(&self.bias);
                let p = SVectorView::<T, PATCH>::from_slice(patch);
                zp.gemv(T::ONE, &self.weight, &p, T::ONE);
                let p = oy * Self::OW + ox;
                for (o, &v) in zp.iter().enumerate() {
                    z[o * pixels + p] = v;
                }
            }
        }
    }

    /// Backward pixel by pixel: `dL/dW += dz[:, y, x] p^T`, `dL/db += dz[:, y, x]`, and
    /// `W^T dz[:, y, x]` scattered back into `dL/dx`; `buffers` hold the patch and its
    /// gradient (`PATCH` long each) and the pixel's `dz` (`C_OUT`).
    #[inline(always)]
    pub(super) fn backward_by_pixel(
        &self,
        x: &[T],
        dz: &[T],
        grad: &mut Conv2DGrad<T, C_OUT, PATCH>,
        mut dx: Option<&mut [T]>,
        buffers: (&mut [T], &mut [T], &mut [T]),
    ) {
        let pixels = Self::OH * Self::OW;
        if let Some(dx) = dx.as_deref_mut() {
            dx.fill(T::ZERO);
        }
        let (patch, d_patch, dzp) = buffers;
        let mut dzp = SVectorViewMut::<T, C_OUT>::from_slice(dzp);
        for oy in 0..Self::OH {
            for ox in 0..Self::OW {
                let p = oy * Self::OW + ox;
                for (o, d) in dzp.iter_mut().enumerate() {
                    *d = dz[o * pixels + p];
                }
                Self::gather(x, oy, ox, patch);
                let p = SVectorView::<T, PATCH>::from_slice(patch);
                grad.weight.ger(T::ONE, &dzp, &p, T::ONE);
                grad.bias += &dzp;
                if let Some(dx) = dx.as_deref_mut() {
                    let mut dp = SVectorViewMut::<T, PATCH>::from_slice(d_patch);
                    self.weight.tr_mul_to(&dzp, &mut dp);
                    Self::scatter_add(dx, oy, ox, d_patch);
                }
            }
        }
    }
}
