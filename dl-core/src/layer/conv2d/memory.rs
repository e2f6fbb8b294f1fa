//! Where Conv2D's working memory lives.
//!
//! The blocked products ([`gemm`]) need the transposed kernel (`C_OUT x PATCH`) and a block
//! of patches (`BLOCK_PIXELS x PATCH`) forward, and the block's patches and two copies of its
//! output gradients (`BLOCK_PIXELS x C_OUT` each) backward. All of it grows with the layer
//! (the transposed kernel of a 512-to-512-channel 3x3 layer alone is 9.4 MB in `f32`), so:
//!
//! - the passes with a scratch argument (`forward_train_in`, `backward_preact_in` and their
//!   eval and batch forms, which `network!`'s cache-filling, workspace-backed and batched
//!   passes call) take it from the caller's [`Scratch`](crate::layer::Scratch), `SCRATCH`
//!   scalars, and put nothing sized by the layer on the stack;
//! - the by-value passes (`forward`, `forward_train`, `backward_preact`) keep it on the stack,
//!   as a network's by-value calls do within its [stack budget](crate::stack), which counts it.
//!
//! The pixel path ([`pixels`](super::pixels)), for layers under 16k multiply-adds, needs no
//! scratch: its few buffers (at most
//! [`PIXEL_STACK_SCALARS`](crate::stack::PIXEL_STACK_SCALARS)) are on the stack in every pass.

use super::{gemm, Conv2D, Conv2DGrad};
use nalgebra::SVector;

/// The smaller of `a` and `b`, for the scratch sizes.
const fn min(a: usize, b: usize) -> usize {
    if a < b {
        a
    } else {
        b
    }
}

/// `n` rounded up to a whole number of cache lines of `T`s (64 bytes): where the next buffer
/// of a scratch starts, so that each starts on a line, as a
/// [`Scratch`](crate::layer::Scratch) itself does. (The stack buffers keep the compiler's
/// placement: forcing them onto lines made the by-value forward pass 10-15% slower in
/// `benches/conv`.)
const fn lines<T>(n: usize) -> usize {
    let line = 64 / core::mem::size_of::<T>();
    n.div_ceil(line) * line
}

conv2d_impl! {
    /// Output pixels in a block of the blocked products: all of them, up to [`gemm::BLOCK`].
    const BLOCK_PIXELS: usize = min(Self::OH * Self::OW, gemm::BLOCK);

    /// Whether the backward pass runs pixel by pixel too: a layer that runs forward so
    /// ([`BY_PIXEL`](Self::BY_PIXEL)) with a kernel matrix under [`kernel::MIN_WEIGHTS`],
    /// the size from which a Dense layer's one-sample products go to the kernels. From there
    /// up, the pixel path's rank-1 updates of the kernel gradient (nalgebra's `ger`) were
    /// vectorised across its columns, with gathers and scatters, in a `-C target-cpu=native`
    /// build: the digits CNN's 16x72 second layer took a third of its training time there.
    /// The blocked products ([`gemm`]) are compiled once, for the instruction set the CPU has.
    ///
    /// [`kernel::MIN_WEIGHTS`]: crate::kernel::MIN_WEIGHTS
    pub(super) const BACKWARD_BY_PIXEL: bool =
        Self::BY_PIXEL && C_OUT * PATCH < crate::kernel::MIN_WEIGHTS;

    /// Scalars of working memory the passes need: none pixel by pixel (that path's buffers
    /// are small and on the stack, see [`pixels`](super::pixels)); blocked, the larger of
    /// forward's `(C_OUT + BLOCK_PIXELS) * PATCH` (none if forward runs pixel by pixel) and
    /// backward's `BLOCK_PIXELS * (PATCH + 2 * C_OUT)`, each buffer but the last rounded up
    /// to whole cache lines.
    pub(super) const SCRATCH_SCALARS: usize = if Self::BACKWARD_BY_PIXEL {
        0
    } else {
        let mb = Self::BLOCK_PIXELS;
        let forward = if Self::BY_PIXEL {
            0
        } else {
            lines::<T>(C_OUT * PATCH) + mb * PATCH
        };
        let backward = lines::<T>(mb * PATCH) + lines::<T>(mb * C_OUT) + mb * C_OUT;
        if forward > backward {
            forward
        } else {
            backward
        }
    };

    /// `z = conv(x) + b`, working in `scratch` (on the stack if it holds fewer than
    /// `SCRATCH_SCALARS`).
    #[inline]
    pub(super) fn preactivate_in(
        &self,
        x: &SVector<T, IN>,
        z: &mut SVector<T, OUT>,
        scratch: &mut [T],
    ) {
        if scratch.len() < Self::SCRATCH_SCALARS {
            return self.preactivate_on_stack(x, z);
        }
        let () = Self::SHAPE;
        let (x, z) = (x.as_slice(), z.as_mut_slice());
        if Self::BY_PIXEL {
            return self.preactivate_by_pixel(x, z);
        }
        let (wt, cols) = scratch.split_at_mut(lines::<T>(C_OUT * PATCH));
        let wt = &mut wt[..C_OUT * PATCH];
        self.preactivate_blocked(x, z, wt, &mut cols[..Self::BLOCK_PIXELS * PATCH]);
    }

    /// `z = conv(x) + b`, working on the stack.
    ///
    /// Never inlined: inlined into a network's by-value `forward`, among the other layers,
    /// the pixel path's loops ran out of registers (the digits CNN's inference took 1.4x as
    /// long in `benches/cnn`).
    #[inline(never)]
    pub(super) fn preactivate_on_stack(&self, x: &SVector<T, IN>, z: &mut SVector<T, OUT>) {
        let () = Self::SHAPE;
        let (x, z) = (x.as_slice(), z.as_mut_slice());
        if Self::BY_PIXEL {
            return self.preactivate_by_pixel(x, z);
        }
        match Self::OH * Self::OW {
            0..=4 => self.preactivate_on_stack_by::<4>(x, z),
            5..=16 => self.preactivate_on_stack_by::<16>(x, z),
            _ => self.preactivate_on_stack_by::<{ gemm::BLOCK }>(x, z),
        }
    }

    /// [`preactivate_blocked`](Self::preactivate_blocked) with the transposed kernel and
    /// blocks of `MB` pixels on the stack.
    #[inline(always)]
    fn preactivate_on_stack_by<const MB: usize>(&self, x: &[T], z: &mut [T]) {
        let mut wt = [[T::ZERO; PATCH]; C_OUT];
        let mut cols = [[T::ZERO; PATCH]; MB];
        self.preactivate_blocked(x, z, wt.as_flattened_mut(), cols.as_flattened_mut());
    }

    /// `z = conv(x) + b` as blocked matrix products ([`gemm::forward`]), with `wt` for the
    /// transposed kernel and `cols` (a whole number of patches) for the blocks.
    #[inline(always)]
    fn preactivate_blocked(&self, x: &[T], z: &mut [T], wt: &mut [T], cols: &mut [T]) {
        gemm::transpose(self.weight.as_slice(), C_OUT, PATCH, wt);
        gemm::forward(&Self::GEOMETRY, wt, self.bias.as_slice(), x, z, cols);
    }

    /// Backward from `dz = dL/dz`, working in `scratch` (on the stack if it holds fewer than
    /// `SCRATCH_SCALARS`).
    #[inline]
    pub(super) fn backward_in(
        &self,
        x: &SVector<T, IN>,
        dz: &SVector<T, OUT>,
        grad: &mut Conv2DGrad<T, C_OUT, PATCH>,
        dx: Option<&mut SVector<T, IN>>,
        scratch: &mut [T],
    ) {
        if scratch.len() < Self::SCRATCH_SCALARS {
            return self.backward_on_stack(x, dz, grad, dx);
        }
        let () = Self::SHAPE;
        let (x, dz, dx) = (x.as_slice(), dz.as_slice(), dx.map(|d| d.as_mut_slice()));
        if Self::BACKWARD_BY_PIXEL {
            return self.backward_by_pixel(x, dz, grad, dx);
        }
        let mb = Self::BLOCK_PIXELS;
        let (cols, rest) = scratch.split_at_mut(lines::<T>(mb * PATCH));
        let (dzt, dzb) = rest.split_at_mut(lines::<T>(mb * C_OUT));
        let (cols, dzt, dzb) = (
            &mut cols[..mb * PATCH],
            &mut dzt[..mb * C_OUT],
            &mut dzb[..mb * C_OUT],
        );
        self.backward_blocked(x, dz, grad, dx, gemm::Scratch { cols, dzt, dzb });
    }

    /// Backward from `dz = dL/dz`, working on the stack.
    #[inline]
    pub(super) fn backward_on_stack(
        &self,
        x: &SVector<T, IN>,
        dz: &SVector<T, OUT>,
        grad: &mut Conv2DGrad<T, C_OUT, PATCH>,
        dx: Option<&mut SVector<T, IN>>,
    ) {
        let () = Self::SHAPE;
        let (x, dz, dx) = (x.as_slice(), dz.as_slice(), dx.map(|d| d.as_mut_slice()));
        if Self::BACKWARD_BY_PIXEL {
            return self.backward_by_pixel(x, dz, grad, dx);
        }
        match Self::OH * Self::OW {
            0..=4 => self.backward_on_stack_by::<4>(x, dz, grad, dx),
            5..=16 => self.backward_on_stack_by::<16>(x, dz, grad, dx),
            _ => self.backward_on_stack_by::<{ gemm::BLOCK }>(x, dz, grad, dx),
        }
    }

    /// [`backward_blocked`](Self::backward_blocked) with buffers for blocks of `MB` pixels on
    /// the stack.
    #[inline(always)]
    fn backward_on_stack_by<const MB: usize>(
        &self,
        x: &[T],
        dz: &[T],
        grad: &mut Conv2DGrad<T, C_OUT, PATCH>,
        dx: Option<&mut [T]>,
    ) {
        let mut cols = [[T::ZERO; PATCH]; MB];
        let mut dzt = [[T::ZERO; C_OUT]; MB];
        let mut dzb = [[T::ZERO; C_OUT]; MB];
        let scratch = gemm::Scratch {
            cols: cols.as_flattened_mut(),
            dzt: dzt.as_flattened_mut(),
            dzb: dzb.as_flattened_mut(),
        };
        self.backward_blocked(x, dz, grad, dx, scratch);
    }

    /// Backward as blocked matrix products ([`gemm::backward`]).
    #[inline(always)]
    fn backward_blocked(
        &self,
        x: &[T],
        dz: &[T],
        grad: &mut Conv2DGrad<T, C_OUT, PATCH>,
        dx: Option<&mut [T]>,
        scratch: gemm::Scratch<'_, T>,
    ) {
        let (g, w) = (&Self::GEOMETRY, self.weight.as_slice());
        let (gw, gb) = (grad.weight.as_mut_slice(), grad.bias.as_mut_slice());
        gemm::backward(g, w, x, dz, gw, gb, dx, scratch);
    }
}

#[cfg(test)]
mod tests {
    use crate::activation::{Relu, Tanh};
    use crate::layer::{Conv2D, Layer, LayerCache};
    use crate::network::{Params, Vector};
    use crate::rng::Rng;
    use nalgebra::SVector;

    /// 5 output channels over 5x5 pixels from 3x9x10 (stride 2, padding 1): 3,375
    /// multiply-adds, pixel by pixel.
    type Pixels = Conv2D<f64, 3, 9, 10, 5, 3, 2, 1, 27, 270, 125, Tanh>;
    /// 8 channels over 12x12 pixels from 4x12x12: 41,472 multiply-adds, blocked, in blocks
    /// of 64, 64 and 16 pixels.
    type Blocked = Conv2D<f64, 4, 12, 12, 8, 3, 1, 1, 36, 576, 1152, Relu>;
    /// The digits CNN's second layer: 16 channels over 2x2 pixels from 8x4x4, 4,608
    /// multiply-adds, forward pixel by pixel, backward blocked (a 16x72 kernel matrix).
    type Mixed = Conv2D<f64, 8, 4, 4, 16, 3, 1, 0, 72, 128, 64, Relu>;

    /// The passes working in a scratch (longer than needed, exactly as long, too short, or
    /// empty) against the by-value ones, which work on the stack: bit for bit the same, the
    /// short ones through the stack fallback. The scratch starts as NaN, so a pass that read
    /// it before writing would show.
    fn check<const IN: usize, const OUT: usize, L>(scratch_len: usize)
    where
        L: Layer<f64, Input = SVector<f64, IN>, Output = SVector<f64, OUT>>,
    {
        assert_eq!(L::SCRATCH, scratch_len);
        let mut rng = Rng::new(5);
        let mut layer = L::ZERO;
        layer.init(&mut rng);
        for t in 0..L::TENSORS {
            for v in layer.tensor_mut(t) {
                *v = rng.uniform_in(-1.0, 1.0);
            }
        }
        let x = SVector::<f64, IN>::from_fn(|_, _| rng.uniform_in(-1.0, 1.0));
        let dz = SVector::<f64, OUT>::from_fn(|_, _| rng.uniform_in(-1.0, 1.0));
        let run = |scratch: Option<&mut [f64]>| {
            let (mut cache, mut grad) = (L::CACHE_ZERO, L::Gradient::ZERO);
            let mut dx = SVector::<f64, IN>::ZERO;
            match scratch {
                Some(s) => {
                    layer.forward_train_in(&x, &mut cache, s);
                    layer.backward_preact_in(&x, &cache, &dz, &mut grad, Some(&mut dx), s);
                }
                None => {
                    layer.forward_train(&x, &mut cache);
                    layer.backward_preact(&x, &cache, &dz, &mut grad, Some(&mut dx));
                }
            }
            let grads = (0..L::TENSORS).flat_map(|t| grad.tensor(t).to_vec());
            (*cache.output(), grads.collect::<std::vec::Vec<_>>(), dx)
        };
        let stack = run(None);
        assert!(stack.1.iter().any(|&g| g != 0.0) && stack.2.iter().any(|&d| d != 0.0));
        let mut scratch = std::vec![f64::NAN; L::SCRATCH + 7];
        assert_eq!(run(Some(&mut scratch)), stack);
        assert_eq!(run(Some(&mut scratch[..L::SCRATCH])), stack);
        if L::SCRATCH > 0 {
            assert_eq!(run(Some(&mut scratch[..L::SCRATCH - 1])), stack);
        }
        assert_eq!(run(Some(&mut [])), stack);
    }

    #[test]
    fn passes_in_a_scratch_equal_the_passes_on_the_stack() {
        // Pixel by pixel: nothing (its buffers are small, on the stack).
        check::<270, 125, Pixels>(0);
        // Blocked: backward's 64 patches and two 64 x 8 blocks of output gradients (each
        // whole cache lines of 8 f64s), more than forward's transposed kernel and 64 patches
        // ((8 + 64) * 36).
        check::<576, 1152, Blocked>(64 * (36 + 2 * 8));
        // Backward blocked only: its 4 patches and two 4 x 16 blocks of output gradients.
        check::<128, 64, Mixed>(4 * (72 + 2 * 16));
    }
}
