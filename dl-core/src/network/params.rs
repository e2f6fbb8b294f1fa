//! Sets of parameter tensors: a layer's weights, a network's, or a gradient of the same shape.

use super::TensorKind;
use crate::float::Float;
use crate::layout::TensorLayout;

/// A fixed set of parameter tensors: a layer's weights, a whole network's, or a gradient of
/// the same shape. Tensors are numbered `0..TENSORS`; each is a contiguous slice, column-major
/// as nalgebra stores it.
///
/// ```
/// use dl_core::prelude::*;
/// network! { struct Small { Dense<2, 3, Tanh>, Dense<3, 1, Identity> } }
/// type P = Small<f64>;
/// assert_eq!((<P as Params<f64>>::TENSORS, <P as Params<f64>>::COUNT), (4, 13));
/// let mut net = P::new(1);
/// net.fill(0.5);
/// net.scale(2.0);
/// assert!(net.tensor(0).iter().all(|&w| w == 1.0));
/// assert_eq!(net.tensor(3), &[1.0][..]); // the last bias
/// assert!(net.all_finite() && net.tensor(4).is_empty());
/// ```
pub trait Params<T: Float>: Sized {
    /// The number of tensors.
    const TENSORS: usize;
    /// The number of scalars in all tensors.
    const COUNT: usize;
    /// Every tensor filled with zeros, as a `const` (a `static` of it lands in `.bss`).
    const ZERO: Self;
    /// Tensor `i`, or an empty slice if `i >= TENSORS`.
    fn tensor(&self, i: usize) -> &[T];
    /// Tensor `i`, mutably, or an empty slice if `i >= TENSORS`.
    fn tensor_mut(&mut self, i: usize) -> &mut [T];
    /// Whether tensor `i` is a weight or a bias.
    fn tensor_kind(i: usize) -> TensorKind;

    /// Tensor `i` as PyTorch sees it: module index, name, shape, and where each element lies
    /// in [`tensor(i)`](Params::tensor). The default, a contiguous vector named after its
    /// [`TensorKind`] in module 0, is right for biases; layers override it for weights, and
    /// generated networks delegate to their layers with each layer's module offset.
    fn tensor_layout(&self, i: usize) -> TensorLayout {
        TensorLayout::flat(Self::tensor_kind(i), self.tensor(i).len())
    }

    /// Sets every scalar to `v`.
    #[inline]
    fn fill(&mut self, v: T) {
        for i in 0..Self::TENSORS {
            self.tensor_mut(i).fill(v);
        }
    }

    /// Multiplies every scalar by `s`.
    #[inline]
    fn scale(&mut self, s: T) {
        for i in 0..Self::TENSORS {
            for v in self.tensor_mut(i) {
                *v *= s;
            }
        }
    }

    /// Whether every scalar is finite.
    fn all_finite(&self) -> bool {
        (0..Self::TENSORS).all(|i| crate::float::all_finite(self.tensor(i)))
    }

    /// Copies every scalar from `other`.
    fn copy_from(&mut self, other: &Self) {
        for i in 0..Self::TENSORS {
            self.tensor_mut(i).copy_from_slice(other.tensor(i));
        }
    }
}
