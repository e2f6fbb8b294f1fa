//! The shards' gradients summed in a fixed order.

use crate::float::Float;
use crate::network::{Network, Params};
use crate::train::Workspace;
use rayon::prelude::*;
use std::boxed::Box;

/// Below this many elements a gradient tensor is reduced by one thread: handing out ranges
/// costs more than adding it.
const PARALLEL_REDUCE: usize = 1 << 14;

/// Elements a task of the parallel reduction adds.
const RANGE: usize = 1 << 12;

/// `first += rest[0].grads + rest[1].grads + ...`, element by element in that order:
/// `((g_0 + g_1) + g_2) + ...`, clearing each of `rest`'s gradients as it is read (its
/// cache lines are at hand then; a shard's own pass over its gradient to clear it cost the
/// CIFAR-sized CNN about 0.5 ms a step on the second core). So every shard but the first
/// starts a step with a zero gradient; the optimizer clears the first's. With `split`,
/// tensors of at least [`PARALLEL_REDUCE`] elements are cut into ranges of [`RANGE`] across
/// the current rayon pool (call it inside the pool's `install`); who adds a range changes
/// nothing in any element's sum.
pub(super) fn reduce_in_order<N: Network>(
    first: &mut N::Gradient,
    rest: &mut [Box<Workspace<N>>],
    split: bool,
) where
    Workspace<N>: Send,
{
    for ws in rest {
        for i in 0..<N::Gradient as Params<N::Scalar>>::TENSORS {
            let (dst, src) = (first.tensor_mut(i), ws.grads.tensor_mut(i));
            if split && dst.len() >= PARALLEL_REDUCE {
                dst.par_chunks_mut(RANGE)
                    .zip(src.par_chunks_mut(RANGE))
                    .for_each(|(d, s)| add_and_clear(d, s));
            } else {
                add_and_clear(dst, src);
            }
        }
    }
}

/// `dst += src`, then `src = 0`, element by element.
#[inline]
pub(super) fn add_and_clear<T: Float>(dst: &mut [T], src: &mut [T]) {
    for (d, s) in dst.iter_mut().zip(src) {
        *d += *s;
        *s = T::ZERO;
    }
}
