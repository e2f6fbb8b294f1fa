//! Plain SGD's update as a rule over one tensor's elements, which a caller may apply to any
//! cut of the tensor into element ranges (the data-parallel engine does, across threads).

use super::{Finite, Regularization};
use crate::float::Float;
use crate::kernel::MIN_ELEMENTS;
use crate::network::TensorKind;

/// A stateless update whose new value of an element depends on that element's parameter and
/// gradient alone: plain [`Sgd`](super::Sgd)'s (with its [`Regularization`]),
///
/// `p <- shrink * p - lr * (scale * g + l2 * p + l1 * sign(p))`
///
/// (`p <- p - lr * scale * g`, one fused multiply-add where the CPU has one, without a
/// penalty). Because no element's result depends on another's, applying it to the pieces of a
/// tensor gives the bits of applying it to the whole, **provided each piece is the whole
/// tensor or at least [`MIN_ELEMENTS`] long**: shorter slices go through the portable kernel,
/// which multiplies and adds separately ([`crate::kernel::axpy_swap`]). An optimizer with
/// state (momentum, Adam's moments) has none ([`ParamsOptimizer::elementwise`]).
///
/// [`ParamsOptimizer::elementwise`]: super::ParamsOptimizer::elementwise
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ElementwiseStep {
    /// The learning rate of this update.
    pub lr: f64,
    /// The regularisation it applies.
    pub reg: Regularization,
}

impl ElementwiseStep {
    /// The shortest piece of a tensor longer than this that [`swap`](Self::swap) gives the
    /// whole tensor's bits for.
    pub const MIN_PIECE: usize = MIN_ELEMENTS;

    /// The update of `p` (elements of a tensor of kind `kind`) from the gradient
    /// `scale * g`, leaving the old `p` in `g` so a refused step can be undone exactly.
    /// Returns whether every new `p` and whether every `scale * g` was finite.
    ///
    /// Always inlined: plain SGD's whole-network step calls it once a tensor, and as a call it
    /// made the XOR 2-4-1 step (four tensors of 1 to 8 elements) 28% slower (peer suite
    /// `xor_train`, 42.4 M samples a CPU-second before it came, 30.4 M as a call, 42.5 M
    /// inlined, 4 alternating rounds, 11:50 UTC).
    #[inline(always)]
    pub fn swap<T: Float>(
        &self,
        kind: TensorKind,
        p: &mut [T],
        g: &mut [T],
        scale: T,
    ) -> (bool, bool) {
        let lr = T::cast(self.lr);
        let penalty = self.reg.penalty::<T>(kind, self.lr);
        if penalty.is_none() {
            return crate::kernel::axpy_swap(p, -(lr * scale), g);
        }
        let (mut gradient, mut updated) = (Finite::new(), Finite::new());
        for (p, g) in p.iter_mut().zip(g.iter_mut()) {
            let scaled = *g * scale;
            gradient.add(scaled);
            let (shrunk, regularised) = penalty.pair(*p, scaled);
            let new = shrunk - lr * regularised;
            updated.add(new);
            (*g, *p) = (*p, new);
        }
        (updated.ok(), gradient.ok())
    }

    /// After [`swap`](Self::swap) over the same elements: `g = 0`, having put the old `p`
    /// back from `g` if the step is `refused`.
    #[inline]
    pub fn settle<T: Float>(p: &mut [T], g: &mut [T], refused: bool) {
        if refused {
            for (p, &old) in p.iter_mut().zip(g.iter()) {
                *p = old;
            }
        }
        g.fill(T::ZERO);
    }
}
