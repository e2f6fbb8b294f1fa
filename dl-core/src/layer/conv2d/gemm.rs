//! Conv2D's three products on the matrix kernels of [`crate::kernel`] (AVX-512 or AVX2 picked
//! at run time in `std` builds), a block of output pixels at a time.
//!
//! With `cols` the block's patches ([`im2col`](super::im2col): `mb` pixels by `PATCH`
//! elements, column-major), `Z` the pre-activations (`C_OUT` rows, one a channel, each
//! `pixels` long, PyTorch's memory order) and `W` the kernels (`C_OUT x PATCH`):
//!
//! - forward: `Z[:, block]^T += cols W^T`, the block's slice of every output channel a column
//!   of the result (`W^T`'s columns, the rows of `W`, come from a transposed copy);
//! - weight gradient: `dW += dZ[:, block] cols`, every column of `dW` (`C_OUT` long,
//!   contiguous in the column-major gradient) updated once a block: the whole image is one or
//!   a few blocks, so `dW` is read and written a few times a sample, never once a pixel;
//! - input gradient: `dcols = dZ[:, block]^T W` (`mb x PATCH`, the same layout as `cols`),
//!   added back into `dL/dx` by [`col2im_add`](super::im2col::Geometry::col2im_add).
//!
//! The kernels take at most [`MAX_COLUMNS`] columns a call, so wide results are done in
//! slices of that many columns.
//! The layer sizes the buffers (on the stack, from its const generics) and inlines these
//! functions with its geometry as a constant.

use super::im2col::Geometry;
use crate::float::Float;
use crate::kernel::MAX_COLUMNS;

/// The most output pixels a block holds: the patch buffer is `BLOCK x PATCH` (64 x 288 `f32`
/// is 72 KiB for a 32-channel 3x3 input), and `BLOCK` rows are one 4-register tile of the
/// AVX-512 kernel.
pub(crate) const BLOCK: usize = 64;

/// Up to `MAX_COLUMNS` slices of `len` elements from the front of `data`, as a kernel's
/// column array; the rest of the array is empty slices. Returns how many columns it took.
#[inline(always)]
fn columns<T>(data: &[T], len: usize) -> ([&[T]; MAX_COLUMNS], usize) {
    let mut chunks = data.chunks_exact(len.max(1));
    let n = chunks.len().min(MAX_COLUMNS);
    (
        core::array::from_fn(|_| chunks.next().unwrap_or_default()),
        n,
    )
}

/// `dst[r * cols + c] = src[c * rows + r]`: the transpose of the column-major `rows x cols`
/// matrix `src`, column-major (`cols x rows`) in `dst`.
pub(crate) fn transpose<T: Float>(src: &[T], rows: usize, cols: usize, dst: &mut [T]) {
    for (c, col) in src.chunks_exact(rows).take(cols).enumerate() {
        for (r, &v) in col.iter().enumerate() {
            dst[r * cols + c] = v;
        }
    }
}

/// `z = conv(x) + b`: `wt` is `W^T` (`PATCH x C_OUT` column-major, i.e. row `o` of `W` at
/// `o * PATCH`), `z` is `C_OUT x pixels`, `cols` the patch buffer (`mb * PATCH` for blocks of
/// `mb = cols.len() / PATCH` pixels).
///
/// Inlined into each layer, so `g` is a constant there.
#[inline(always)]
pub(crate) fn forward<T: Float>(
    g: &Geometry,
    wt: &[T],
    bias: &[T],
    x: &[T],
    z: &mut [T],
    cols: &mut [T],
) {
    let (pixels, patch) = (g.pixels(), g.patch());
    let block = (cols.len() / patch.max(1)).min(pixels);
    for (zc, &b) in z.chunks_exact_mut(pixels.max(1)).zip(bias) {
        zc.fill(b);
    }
    let mut p0 = 0;
    while p0 < pixels && block > 0 {
        let mb = block.min(pixels - p0);
        let cols = &mut cols[..mb * patch];
        g.im2col(x, p0, mb, cols);
        let chans = wt.chunks(patch * MAX_COLUMNS);
        for (w_rows, z_chans) in chans.zip(z.chunks_mut(pixels * MAX_COLUMNS)) {
            let (rows, n) = columns(w_rows, patch);
            let mut outs = z_chans
                .chunks_exact_mut(pixels)
                .map(|ch| &mut ch[p0..p0 + mb]);
            let mut outs: [&mut [T]; MAX_COLUMNS] =
                core::array::from_fn(|_| outs.next().unwrap_or_default());
            T::matmul_acc(cols, mb, patch, &rows[..n], &mut outs[..n]);
        }
        p0 += mb;
    }
}

/// The backward pass's scratch space: the patch buffer (`mb * PATCH`) and two `mb * C_OUT`
/// buffers for the block's `dZ`, pixel-major (`dzt`) and channel-major (`dzb`).
pub(crate) struct Scratch<'a, T> {
    pub cols: &'a mut [T],
    pub dzt: &'a mut [T],
    pub dzb: &'a mut [T],
}

/// From `dz` (`C_OUT x pixels`): `dW += dZ cols` over the image (`grad_w` column-major
/// `C_OUT x PATCH`, as `weight`), `db += dZ 1`, and, if asked, `dx = dL/dx` (overwritten).
#[allow(clippy::too_many_arguments)]
#[inline(always)]
pub(crate) fn backward<T: Float>(
    g: &Geometry,
    weight: &[T],
    x: &[T],
    dz: &[T],
    grad_w: &mut [T],
    grad_b: &mut [T],
    mut dx: Option<&mut [T]>,
    s: Scratch<'_, T>,
) {
    let (pixels, patch, c_out) = (g.pixels(), g.patch(), grad_b.len());
    for (gb, d) in grad_b.iter_mut().zip(dz.chunks_exact(pixels.max(1))) {
        *gb += sum(d);
    }
    if let Some(dx) = dx.as_deref_mut() {
        dx.fill(T::ZERO);
    }
    let block = (s.cols.len() / patch.max(1))
        .min(s.dzt.len() / c_out.max(1))
        .min(s.dzb.len() / c_out.max(1))
        .min(pixels);
    let mut p0 = 0;
    while p0 < pixels && block > 0 {
        let mb = block.min(pixels - p0);
        let cols = &mut s.cols[..mb * patch];
        let (dzt, dzb) = (&mut s.dzt[..mb * c_out], &mut s.dzb[..mb * c_out]);
        g.im2col(x, p0, mb, cols);
        for (o, d) in dz.chunks_exact(pixels).enumerate() {
            for (i, &v) in d[p0..p0 + mb].iter().enumerate() {
                dzt[i * c_out + o] = v;
            }
        }
        // dW[:, kk] += dZ_block cols[:, kk]: A = dZ_block (C_OUT x mb), columns of cols.
        let runs = cols.chunks(mb * MAX_COLUMNS);
        for (runs, g_cols) in runs.zip(grad_w.chunks_mut(c_out * MAX_COLUMNS)) {
            let (b, n) = columns(runs, mb);
            let mut outs = g_cols.chunks_exact_mut(c_out);
            let mut outs: [&mut [T]; MAX_COLUMNS] =
                core::array::from_fn(|_| outs.next().unwrap_or_default());
            T::matmul_acc(dzt, c_out, mb, &b[..n], &mut outs[..n]);
        }
        if let Some(dx) = dx.as_deref_mut() {
            for (dst, d) in dzb.chunks_exact_mut(mb).zip(dz.chunks_exact(pixels)) {
                dst.copy_from_slice(&d[p0..p0 + mb]);
            }
            // dcols[:, kk] = dZ_block^T W[:, kk], into the patch buffer.
            cols.fill(T::ZERO);
            let w_cols = weight.chunks(c_out * MAX_COLUMNS);
            for (w_cols, runs) in w_cols.zip(cols.chunks_mut(mb * MAX_COLUMNS)) {
                let (b, n) = columns(w_cols, c_out);
                let mut outs = runs.chunks_exact_mut(mb);
                let mut outs: [&mut [T]; MAX_COLUMNS] =
                    core::array::from_fn(|_| outs.next().unwrap_or_default());
                T::matmul_acc(dzb, mb, c_out, &b[..n], &mut outs[..n]);
            }
            g.col2im_add(cols, p0, mb, dx);
        }
        p0 += mb;
    }
}

/// The sum of `v`, in eight independent partial sums (they vectorise).
#[inline]
fn sum<T: Float>(v: &[T]) -> T {
    let mut acc = [T::ZERO; 8];
    let chunks = v.chunks_exact(8);
    let rest = chunks.remainder();
    for c in chunks {
        for (a, &x) in acc.iter_mut().zip(c) {
            *a += x;
        }
    }
    for (a, &x) in acc.iter_mut().zip(rest) {
        *a += x;
    }
    acc.iter().fold(T::ZERO, |s, &a| s + a)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BUF: usize = 4096;

    fn values(n: usize, seed: u64) -> [f64; BUF] {
        let mut rng = crate::rng::Rng::new(seed);
        let mut v = [0.0; BUF];
        for x in v.iter_mut().take(n) {
            *x = rng.uniform() * 2.0 - 1.0;
        }
        v
    }

    /// `x_pad[c, iy, ix]` for the padded coordinates, 0 in the padding.
    fn padded(g: &Geometry, x: &[f64], c: usize, y: usize, x_: usize) -> f64 {
        match (y.checked_sub(g.p), x_.checked_sub(g.p)) {
            (Some(iy), Some(ix)) if iy < g.h && ix < g.w => x[(c * g.h + iy) * g.w + ix],
            _ => 0.0,
        }
    }

    /// The blocked products against the textbook loops of PyTorch's definition, in `f64` and
    /// `f32`, with blocks (`mb`) that end inside output rows and images of several blocks.
    fn check<T: Float>(g: Geometry, c_out: usize, mb: usize) {
        let (patch, pixels, k) = (g.patch(), g.pixels(), g.k);
        let x64 = values(g.c_in * g.h * g.w, 1);
        let w64 = values(c_out * patch, 2);
        let b64 = values(c_out, 3);
        let dz64 = values(c_out * pixels, 4);
        let mut z_want = [0.0; BUF];
        let mut dw_want = [0.0; BUF];
        let mut dx_want = [0.0; BUF];
        for o in 0..c_out {
            for p in 0..pixels {
                let (oy, ox) = (p / g.ow, p % g.ow);
                let mut z = b64[o];
                for kk in 0..patch {
                    let (c, ky, kx) = (kk / (k * k), kk / k % k, kk % k);
                    let (y, x) = (oy * g.s + ky, ox * g.s + kx);
                    z += w64[kk * c_out + o] * padded(&g, &x64, c, y, x);
                    dw_want[kk * c_out + o] += dz64[o * pixels + p] * padded(&g, &x64, c, y, x);
                    let (iy, ix) = (y.wrapping_sub(g.p), x.wrapping_sub(g.p));
                    if iy < g.h && ix < g.w {
                        dx_want[(c * g.h + iy) * g.w + ix] +=
                            w64[kk * c_out + o] * dz64[o * pixels + p];
                    }
                }
                z_want[o * pixels + p] = z;
            }
        }
        let (x, w, b, dz) = (
            x64.map(T::cast),
            w64.map(T::cast),
            b64.map(T::cast),
            dz64.map(T::cast),
        );
        let mut wt = [T::ZERO; BUF];
        transpose(&w[..c_out * patch], c_out, patch, &mut wt);
        let (mut z, mut cols) = ([T::ZERO; BUF], [T::ZERO; BUF]);
        let n_in = g.c_in * g.h * g.w;
        let (cols_used, z_used) = (&mut cols[..mb * patch], &mut z[..c_out * pixels]);
        forward(
            &g,
            &wt[..c_out * patch],
            &b[..c_out],
            &x[..n_in],
            z_used,
            cols_used,
        );
        let (mut gw, mut gb, mut dx) = ([T::ZERO; BUF], [T::ZERO; BUF], [T::ONE; BUF]);
        let (mut dzt, mut dzb) = ([T::ZERO; BUF], [T::ZERO; BUF]);
        let scratch = Scratch {
            cols: &mut cols[..mb * patch],
            dzt: &mut dzt[..mb * c_out],
            dzb: &mut dzb[..mb * c_out],
        };
        let (gw_used, gb_used) = (&mut gw[..c_out * patch], &mut gb[..c_out]);
        let dx_used = Some(&mut dx[..n_in]);
        let (w_used, dz_used) = (&w[..c_out * patch], &dz[..c_out * pixels]);
        backward(
            &g,
            w_used,
            &x[..n_in],
            dz_used,
            gw_used,
            gb_used,
            dx_used,
            scratch,
        );
        let tol = if T::NAME == "f32" { 1e-4 } else { 1e-12 } * (patch + pixels) as f64;
        let close = |got: T, want: f64, what: &str, i: usize| {
            assert!(
                (got.as_f64() - want).abs() <= tol,
                "{} {g:?} c_out {c_out} mb {mb}: {what}[{i}] = {got}, want {want}",
                T::NAME
            );
        };
        for i in 0..c_out * pixels {
            close(z[i], z_want[i], "z", i);
        }
        for i in 0..c_out * patch {
            close(gw[i], dw_want[i], "dW", i);
        }
        for o in 0..c_out {
            close(
                gb[o],
                (0..pixels).map(|p| dz64[o * pixels + p]).sum(),
                "db",
                o,
            );
        }
        for i in 0..n_in {
            close(dx[i], dx_want[i], "dx", i);
        }
    }

    #[test]
    fn blocked_products_match_the_definition() {
        let shapes = [
            // (c_in, h, w, k, s, p, c_out)
            (1, 8, 8, 3, 1, 1, 2),
            (2, 13, 11, 3, 1, 1, 3),
            (3, 9, 10, 3, 2, 1, 5),
            (2, 12, 7, 5, 1, 2, 4),
            (1, 10, 9, 2, 3, 2, 3),
            (3, 6, 6, 1, 1, 0, 2),
            (2, 4, 4, 3, 1, 0, 33),
            (1, 3, 5, 3, 1, 2, 1),
        ];
        for (c_in, h, w, k, s, p, c_out) in shapes {
            let out = |n: usize| super::super::out_size(n, k, s, p);
            let g = Geometry {
                c_in,
                h,
                w,
                k,
                s,
                p,
                oh: out(h),
                ow: out(w),
            };
            for mb in [1, 5, 16, 64] {
                check::<f64>(g, c_out, mb);
                check::<f32>(g, c_out, mb);
            }
        }
    }
}
