//! The last shard's reduction fused with a stateless optimizer's update, over element ranges
//! across the threads.
//!
//! For an optimizer with an element-wise rule ([`ElementwiseStep`], plain SGD), the step
//! after the shards' passes is, for each range of each tensor,
//!
//! `g_0 += g_{S-1}; g_{S-1} = 0; (p, g_0) = (p - lr * scale * g_0, p)`
//!
//! (the shards before the last already added into `g_0` in order, so the sum is still
//! `((g_0 + g_1) + ...) + g_{S-1}`), then, once every range has said whether its results are
//! finite, `g_0 = 0` (putting the old `p` back from `g_0` if any was not). The serial tail
//! of the step was one thread's pass over the parameters and `g_0` for the update and
//! another to zero `g_0`, while the other threads waited: about 2.4% of the CIFAR-sized
//! CNN's wall time at 2 threads, batch 32 (perf: the calling thread held 2.5% of the samples,
//! 1.3% after this change, the rest being set-up). Now both passes are split over the
//! threads, and the update reads `g_0` while the reduction has it in cache. The 784-128-10
//! MLP in shards of 16 (a 150 us step) went from 0.72-0.79x to 1.01-1.07x of the serial
//! step at 2 threads in alternating runs (BENCHMARKS.md, "Data-parallel training").
//!
//! Pieces are at least [`PIECE`] elements (a tensor shorter than `2 * PIECE` is one piece),
//! so each is at least [`ElementwiseStep::MIN_PIECE`] long and the update's bits are those of
//! the whole-tensor update, whoever computes which piece.

use super::reduce::{add_and_clear, reduce_in_order};
use crate::error::{Error, UpdatedTensor};
use crate::float::Float;
use crate::network::{Network, Params};
use crate::optim::{ElementwiseStep, Verdict};
use crate::train::Workspace;
use std::boxed::Box;

/// The length a tensor is cut into pieces of (the last piece takes the remainder, so it is
/// between `PIECE` and `2 * PIECE - 1` long): 16 KiB of `f32` per array, a few microseconds
/// of work against the fork-join's fraction of one.
pub(super) const PIECE: usize = 1 << 12;

const _: () = assert!(PIECE >= ElementwiseStep::MIN_PIECE);

/// `f` over the pieces of one tensor's `[p, g_0, g_{S-1}]` (`g_{S-1}` empty when the step
/// has one shard): across the current rayon pool with `split`, cut as [`split`] cuts Adam's
/// passes, else in one call; of its results the `and` of each component.
fn for_pieces<T: Float, F>(slices: [&mut [T]; 3], split: bool, f: &F) -> (bool, bool)
where
    F: Fn([&mut [T]; 3]) -> (bool, bool) + Sync,
{
    if !split {
        return f(slices);
    }
    let [p, g, last] = slices;
    let [updated, gradient, ..] = super::pieces::split([p, g, last, &mut []], &|[p, g, last, _]| {
        let (updated, gradient) = f([p, g, last]);
        [updated, gradient, true, true]
    });
    (updated, gradient)
}

/// The shards' gradients (zero after) reduced in order into the first's and applied to `net`
/// by `rule` with `scale` (`1 / batch`), element ranges across the current pool with
/// `split` (call it inside the pool's `install`), as transactionally as
/// [`Optimizer::step_consume`](crate::optim::Optimizer::step_consume): on an error (the same
/// one) `net` is as it was. Every gradient is zero afterwards, whatever it returns.
pub(super) fn reduce_and_step<N: Network + Send>(
    net: &mut N,
    shards: &mut [Box<Workspace<N>>],
    rule: ElementwiseStep,
    scale: N::Scalar,
    split: bool,
) -> Result<(), Error>
where
    Workspace<N>: Send,
{
    let Some((first, rest)) = shards.split_first_mut() else {
        return Ok(());
    };
    let (mut last, middle) = match rest.split_last_mut() {
        Some((last, middle)) => (Some(last), middle),
        None => (None, rest),
    };
    reduce_in_order::<N>(&mut first.grads, middle, split);
    let mut verdict = Verdict::new();
    for i in 0..<N as Params<N::Scalar>>::TENSORS {
        let kind = <N as Params<N::Scalar>>::tensor_kind(i);
        let last_grads: &mut [N::Scalar] = match last.as_mut() {
            Some(ws) => ws.grads.tensor_mut(i),
            None => &mut [],
        };
        let slices = [net.tensor_mut(i), first.grads.tensor_mut(i), last_grads];
        let (updated, gradient) = for_pieces(slices, split, &|[p, g, last]| {
            add_and_clear(g, last);
            rule.swap(kind, p, g, scale)
        });
        verdict.gradient(gradient);
        verdict.tensor(i, UpdatedTensor::Parameters, updated);
    }
    let result = verdict.finish(&*net);
    let refused = result.is_err();
    for i in 0..<N as Params<N::Scalar>>::TENSORS {
        let slices = [net.tensor_mut(i), first.grads.tensor_mut(i), &mut []];
        for_pieces(slices, split, &|[p, g, _]| {
            ElementwiseStep::settle(p, g, refused);
            (true, true)
        });
    }
    result
}
