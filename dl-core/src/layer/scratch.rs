//! Working memory for a layer's passes, owned by the caller rather than put on the stack.

use crate::float::Float;

/// `N` scalars of working memory for the layers' passes that take a scratch argument
/// ([`Layer::forward_train_in`](super::Layer::forward_train_in) and the others).
///
/// `network!` puts one in the network's cache and one in its batch buffers, `N` being the
/// largest [`Layer::SCRATCH`](super::Layer::SCRATCH) of its layers (they run one at a time),
/// so a convolution's transposed kernel and im2col blocks live wherever the caller keeps the
/// cache or workspace (the heap, a `static`, or the stack for a small network) and never on
/// the stack by themselves. A network without such layers gets none.
///
/// It starts on a cache line (64-byte aligned), as the layers' buffers in it do, so the
/// kernels' 512-bit loads never straddle two lines. What it holds between calls means
/// nothing: it compares equal to any other, and prints as its length.
#[derive(Clone)]
#[repr(C, align(64))]
pub struct Scratch<T, const N: usize>(pub [T; N]);

impl<T: Float, const N: usize> Scratch<T, N> {
    /// All zeros, as a `const`.
    pub const ZERO: Self = Scratch([T::ZERO; N]);

    /// The memory, for a layer's pass.
    #[inline(always)]
    pub fn as_mut_slice(&mut self) -> &mut [T] {
        &mut self.0
    }
}

impl<T, const N: usize> PartialEq for Scratch<T, N> {
    /// Always true: the contents are left over from the last pass, not part of the value.
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl<T, const N: usize> core::fmt::Debug for Scratch<T, N> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Scratch({N} scalars)")
    }
}
