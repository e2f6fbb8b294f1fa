//! A convolution's input patches as the rows of a matrix ("im2col") and back ("col2im"), for
//! a block of output pixels at a time.
//!
//! The layout is the one that makes both copies cheap: patch element `kk = (c, ky, kx)` of
//! every pixel in the block lies in one contiguous run, `cols[kk * mb + i]` for the block's
//! pixel `i`. Along an output row and for stride 1, that run is a slice of one input row
//! (`x[c, oy + ky - P, ox + kx - P]`), so im2col is a `copy_from_slice` and col2im a vector add,
//! with zeros only where the kernel covers padding. Read as a column-major matrix, `cols` is
//! `mb` rows (pixels) by `PATCH` columns: the left factor of `z^T = cols W^T`.
//!
//! The sizes are a [`Geometry`] value; the layer inlines these loops with its geometry as a
//! constant, so the index arithmetic is folded at compile time.

use crate::float::Float;
use core::ops::Range;

/// The shape of a convolution: a `c_in x h x w` input, square `k x k` kernels moved by stride
/// `s` over the input padded by `p` zeros each side, an `oh x ow` output.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Geometry {
    pub c_in: usize,
    pub h: usize,
    pub w: usize,
    pub k: usize,
    pub s: usize,
    pub p: usize,
    pub oh: usize,
    pub ow: usize,
}

/// The input position that kernel offset `k` reads at output position `o` of a convolution
/// with stride `s` over an input of `n` padded by `p` each side, if it is not padding: the
/// rule every path of Conv2D walks its patches by (rows and columns alike).
#[inline(always)]
pub(crate) const fn source(o: usize, k: usize, s: usize, p: usize, n: usize) -> Option<usize> {
    match (o * s + k).checked_sub(p) {
        Some(i) if i < n => Some(i),
        _ => None,
    }
}

/// One output-row segment of a block: pixels `ox` in `cols` of output row `oy`, stored from
/// `at` in each run of the block.
struct Segment {
    oy: usize,
    cols: Range<usize>,
    at: usize,
}

impl Geometry {
    /// Output pixels: `oh * ow`.
    #[inline(always)]
    pub const fn pixels(&self) -> usize {
        self.oh * self.ow
    }

    /// Elements of one patch: `c_in * k * k`.
    #[inline(always)]
    pub const fn patch(&self) -> usize {
        self.c_in * self.k * self.k
    }

    /// The input row read by kernel row `ky` at output row `oy`, if it is not padding.
    #[inline(always)]
    fn source_row(&self, oy: usize, ky: usize) -> Option<usize> {
        source(oy, ky, self.s, self.p, self.h)
    }

    /// The output columns whose input column under kernel column `kx` is not padding:
    /// `0 <= ox * s + kx - p < w`.
    #[inline(always)]
    fn valid_cols(&self, kx: usize) -> Range<usize> {
        let lo = self.p.saturating_sub(kx).div_ceil(self.s);
        let hi = (self.w + self.p)
            .saturating_sub(kx)
            .div_ceil(self.s)
            .min(self.ow);
        lo.min(hi)..hi
    }

    /// The output-row segments of the block of `mb` pixels from `p0`.
    #[inline(always)]
    fn segments(&self, p0: usize, mb: usize) -> impl Iterator<Item = Segment> + '_ {
        let end = (p0 + mb).min(self.pixels());
        let mut p = p0;
        core::iter::from_fn(move || {
            if p >= end {
                return None;
            }
            let (oy, ox) = (p / self.ow, p % self.ow);
            let ox1 = self.ow.min(ox + (end - p));
            let seg = Segment {
                oy,
                cols: ox..ox1,
                at: p - p0,
            };
            p += ox1 - ox;
            Some(seg)
        })
    }

    /// Fills `cols[kk * mb + i]` with patch element `kk` of the block's pixel `i`, for the
    /// `mb` output pixels from `p0` (zeros where the kernel covers padding). `x` is the image,
    /// `c_in x h x w`; `cols` holds at least `mb * patch` elements.
    ///
    /// Inlined, so the caller's constant geometry turns every division into a multiply.
    #[inline(always)]
    pub fn im2col<T: Float>(&self, x: &[T], p0: usize, mb: usize, cols: &mut [T]) {
        let (k, w) = (self.k, self.w);
        for (kk, run) in cols.chunks_exact_mut(mb).take(self.patch()).enumerate() {
            let (c, ky, kx) = (kk / (k * k), kk / k % k, kk % k);
            let valid = self.valid_cols(kx);
            for seg in self.segments(p0, mb) {
                let dst = &mut run[seg.at..seg.at + seg.cols.len()];
                let Some(iy) = self.source_row(seg.oy, ky) else {
                    dst.fill(T::ZERO);
                    continue;
                };
                let src = &x[(c * self.h + iy) * w..][..w];
                let lo = valid.start.clamp(seg.cols.start, seg.cols.end);
                let hi = valid.end.clamp(lo, seg.cols.end);
                let (head, rest) = dst.split_at_mut(lo - seg.cols.start);
                let (mid, tail) = rest.split_at_mut(hi - lo);
                head.fill(T::ZERO);
                tail.fill(T::ZERO);
                if mid.is_empty() {
                    continue;
                }
                let ix0 = lo * self.s + kx - self.p;
                if self.s == 1 {
                    mid.copy_from_slice(&src[ix0..ix0 + mid.len()]);
                } else {
                    for (d, &v) in mid.iter_mut().zip(src[ix0..].iter().step_by(self.s)) {
                        *d = v;
                    }
                }
            }
        }
    }

    /// The reverse of [`im2col`](Self::im2col), adding: `dx[c, iy, ix] += cols[kk * mb + i]`
    /// for every patch element that is not padding. Where patches overlap, their
    /// contributions sum.
    #[inline(always)]
    pub fn col2im_add<T: Float>(&self, cols: &[T], p0: usize, mb: usize, dx: &mut [T]) {
        let (k, w) = (self.k, self.w);
        for (kk, run) in cols.chunks_exact(mb).take(self.patch()).enumerate() {
            let (c, ky, kx) = (kk / (k * k), kk / k % k, kk % k);
            let valid = self.valid_cols(kx);
            for seg in self.segments(p0, mb) {
                let Some(iy) = self.source_row(seg.oy, ky) else {
                    continue;
                };
                let lo = valid.start.clamp(seg.cols.start, seg.cols.end);
                let hi = valid.end.clamp(lo, seg.cols.end);
                if lo == hi {
                    continue;
                }
                let src = &run[seg.at + lo - seg.cols.start..][..hi - lo];
                let dst = &mut dx[(c * self.h + iy) * w..][..w];
                let ix0 = lo * self.s + kx - self.p;
                if self.s == 1 {
                    for (d, &v) in dst[ix0..ix0 + src.len()].iter_mut().zip(src) {
                        *d += v;
                    }
                } else {
                    for (d, &v) in dst[ix0..].iter_mut().step_by(self.s).zip(src) {
                        *d += v;
                    }
                }
            }
        }
    }
}
