//! Running an optimizer's passes over pieces of each tensor, which a caller may spread over
//! threads (the data-parallel engine does): for optimizers with state, whose rule is still
//! one element at a time ([`Adam`](super::Adam), [`RmsProp`](super::RmsProp),
//! [`Adagrad`](super::Adagrad)).

use crate::float::Float;

/// Runs a pass over a tensor's parameters, gradient and state tensors (`N` slices in all,
/// empty where an optimizer keeps no such state), cut into pieces of the same elements of
/// each, possibly on several threads at once. A pass that works element by element gives the bits of the uncut pass
/// whatever the cut, so its caller does not see the difference.
pub trait Pieces {
    /// `f` over the pieces of `slices` (of equal lengths, or empty), and of its results the
    /// `and` of each flag.
    fn run<T: Float, F, const N: usize>(&self, slices: [&mut [T]; N], f: &F) -> [bool; N]
    where
        F: Fn([&mut [T]; N]) -> [bool; N] + Sync;
}

/// The uncut pass: `f` over the whole tensors, on the calling thread.
#[derive(Clone, Copy, Debug, Default)]
pub struct Whole;

impl Pieces for Whole {
    #[inline]
    fn run<T: Float, F, const N: usize>(&self, slices: [&mut [T]; N], f: &F) -> [bool; N]
    where
        F: Fn([&mut [T]; N]) -> [bool; N] + Sync,
    {
        f(slices)
    }
}
