//! Running an optimizer's passes over pieces of each tensor, which a caller may spread over
//! threads (the data-parallel engine does): for optimizers with state, whose rule is still
//! one element at a time ([`Adam`](super::Adam)).

use crate::float::Float;

/// Runs a pass over a tensor's parameters, gradient and two state tensors (empty where the
/// optimizer has fewer), cut into pieces of the same elements of each, possibly on several
/// threads at once. A pass that works element by element gives the bits of the uncut pass
/// whatever the cut, so its caller does not see the difference.
pub trait Pieces {
    /// `f` over the pieces of `slices` (of equal lengths), and of its results the `and` of
    /// each flag.
    fn run<T: Float, F>(&self, slices: [&mut [T]; 4], f: &F) -> [bool; 4]
    where
        F: Fn([&mut [T]; 4]) -> [bool; 4] + Sync;
}

/// The uncut pass: `f` over the whole tensors, on the calling thread.
#[derive(Clone, Copy, Debug, Default)]
pub struct Whole;

impl Pieces for Whole {
    #[inline]
    fn run<T: Float, F>(&self, slices: [&mut [T]; 4], f: &F) -> [bool; 4]
    where
        F: Fn([&mut [T]; 4]) -> [bool; 4] + Sync,
    {
        f(slices)
    }
}
