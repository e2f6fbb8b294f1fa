//! A Dense layer described with its types erased, for the engine that splits each layer's
//! output units over threads (`parallel`, `std`): its sizes and its activation's passes.

use crate::activation::{Activation, Kind};
use crate::float::Float;

/// What the unit-split engine needs of a [`Dense`](super::Dense) layer: its sizes, whether
/// its activation works element by element (every one but Softmax), and that activation's
/// forward and backward passes as plain functions (the layer's own `A::forward` and
/// `A::backward`, so a split layer computes what the whole layer does). `None` in
/// [`Layer::DENSE_UNITS`](super::Layer::DENSE_UNITS) for every other layer kind, and for
/// Dense layers too small for the batched kernels.
#[derive(Clone, Copy, Debug)]
pub struct DenseUnits<T> {
    /// `I`, the columns of `W`.
    pub inputs: usize,
    /// `O`, the rows of `W` (the layer's units).
    pub outputs: usize,
    /// Whether `a_i` depends on `z_i` alone (not Softmax), so any range of units can be
    /// activated on its own.
    pub elementwise: bool,
    /// Whether the batch's input gradients `dx_s = W^T dz_s` are nalgebra's `tr_mul_to` dot
    /// products a sample (the split computes them so); not where `std` builds use the
    /// blocked products of `dense_input.rs` (from `O = 32`), whose grouping a split by
    /// inputs would have to follow.
    pub dot_input_gradients: bool,
    /// `a = A(z)` over a slice.
    pub forward: fn(&[T], &mut [T]),
    /// `d <- dL/dz` from `d = dL/da`, given `z` and `a`.
    pub backward: fn(&[T], &[T], &mut [T]),
}

impl<T: Float> DenseUnits<T> {
    /// A `Dense<I, O, A>` layer's description: `Some` if it runs the batched kernels
    /// (`batched`), the only Dense layers the split takes.
    pub const fn dense<A: Activation>(
        inputs: usize,
        outputs: usize,
        batched: bool,
    ) -> Option<Self> {
        if !batched {
            return None;
        }
        Some(DenseUnits {
            inputs,
            outputs,
            elementwise: !matches!(A::KIND, Kind::Softmax),
            dot_input_gradients: dot_input_gradients(outputs),
            forward: A::forward::<T>,
            backward: A::backward::<T>,
        })
    }
}

/// Whether a Dense layer of `outputs` outputs takes its batch's input gradients as
/// `tr_mul_to` dot products (not `dense_input.rs`'s blocked products).
#[cfg(feature = "std")]
const fn dot_input_gradients(outputs: usize) -> bool {
    outputs < super::dense_input::MIN_OUTPUTS
}

/// Without `std`, always.
#[cfg(not(feature = "std"))]
const fn dot_input_gradients(_outputs: usize) -> bool {
    true
}
