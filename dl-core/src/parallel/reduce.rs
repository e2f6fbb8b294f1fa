//! The shards' gradients summed in a fixed order.

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
/// `((g_0 + g_1) + g_2) + ...`. With `split`, tensors of at least [`PARALLEL_REDUCE`]
/// elements are cut into ranges of [`RANGE`] across the current rayon pool (call it inside
/// the pool's `install`); who adds a range changes nothing in any element's sum. `rest` is
/// left as it is: each shard clears its own gradient when it next runs, on its own thread.
pub(super) fn reduce_in_order<N: Network>(
    first: &mut N::Gradient,
    rest: &[Box<Workspace<N>>],
    split: bool,
) where
    Workspace<N>: Sync,
{
    if rest.is_empty() {
        return;
    }
    for i in 0..<N::Gradient as Params<N::Scalar>>::TENSORS {
        let dst = first.tensor_mut(i);
        if split && dst.len() >= PARALLEL_REDUCE {
            dst.par_chunks_mut(RANGE)
                .enumerate()
                .for_each(|(c, d)| add::<N>(d, c * RANGE, rest, i));
        } else {
            add::<N>(dst, 0, rest, i);
        }
    }
}

/// `dst += rest[k]`'s tensor `i` from element `offset` on, for `k = 0, 1, ...` in order.
#[inline]
fn add<N: Network>(dst: &mut [N::Scalar], offset: usize, rest: &[Box<Workspace<N>>], i: usize) {
    for ws in rest {
        let src = &ws.grads.tensor(i)[offset..offset + dst.len()];
        for (d, s) in dst.iter_mut().zip(src) {
            *d += *s;
        }
    }
}
