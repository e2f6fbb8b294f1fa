//! What [`ParamsOptimizer::check_update`](super::ParamsOptimizer::check_update) is made of:
//! a finiteness accumulator for the update loops and the verdict over every tensor.
//!
//! An optimizer checks an update by running its rule once without storing anything, exactly
//! as the update will run it, and asking whether every value it would store is finite. Only
//! then is the update applied, so a refused update leaves the parameters and the state
//! exactly as they were: no copy, no undo (which floating point could not do exactly anyway).

use crate::error::{Error, UpdatedTensor};
use crate::float::Float;
use crate::network::Params;

/// Whether every value added so far is finite. `ok &= x.is_finite()` with no early exit: an
/// `and` of comparisons, which LLVM vectorises along with the rest of the update loop (a
/// short-circuiting `all` would branch on every element).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Finite(bool);

impl Finite {
    /// Nothing seen yet.
    #[inline(always)]
    pub(crate) const fn new() -> Self {
        Finite(true)
    }

    /// Adds `x`.
    #[inline(always)]
    pub(crate) fn add<T: Float>(&mut self, x: T) {
        self.0 &= x.finite();
    }

    /// Whether every value added was finite.
    #[inline(always)]
    pub(crate) const fn ok(self) -> bool {
        self.0
    }
}

/// The outcome of a check over every tensor: whether the gradient was finite, and the first
/// tensor (and which of its values) the update would make non-finite.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Verdict {
    gradient: bool,
    bad: Option<(usize, UpdatedTensor)>,
}

impl Verdict {
    /// Nothing wrong yet.
    #[inline(always)]
    pub(crate) const fn new() -> Self {
        Verdict {
            gradient: true,
            bad: None,
        }
    }

    /// Records whether a tensor's gradient values were all finite.
    #[inline(always)]
    pub(crate) fn gradient(&mut self, finite: bool) {
        self.gradient &= finite;
    }

    /// Records whether the `what` of tensor `i` (the parameters, or a tensor of the state) would
    /// stay finite.
    #[inline(always)]
    pub(crate) fn tensor(&mut self, i: usize, what: UpdatedTensor, finite: bool) {
        if !finite && self.bad.is_none() {
            self.bad = Some((i, what));
        }
    }

    /// Records a tensor's `[updated, gradient, first moment, second moment]` finiteness, as
    /// an optimizer with two moments checks it.
    #[inline(always)]
    pub(crate) fn record(&mut self, i: usize, [updated, gradient, first, second]: [bool; 4]) {
        self.gradient(gradient);
        self.tensor(i, UpdatedTensor::Parameters, updated);
        self.tensor(i, UpdatedTensor::FirstMoment, first);
        self.tensor(i, UpdatedTensor::SecondMoment, second);
    }

    /// Whether nothing went bad.
    #[inline(always)]
    pub(crate) fn ok(&self) -> bool {
        self.gradient && self.bad.is_none()
    }

    /// `Ok` if nothing went bad; [`Error::NonFiniteGradient`] if the gradient did, else
    /// [`Error::NonFiniteUpdate`] naming the first bad tensor by its index and PyTorch name.
    pub(crate) fn finish<T: Float, P: Params<T>>(self, params: &P) -> Result<(), Error> {
        if !self.gradient {
            return Err(Error::NonFiniteGradient);
        }
        match self.bad {
            None => Ok(()),
            Some((tensor, what)) => Err(Error::NonFiniteUpdate {
                tensor,
                module: params.tensor_layout(tensor).module,
                name: P::tensor_kind(tensor),
                what,
            }),
        }
    }
}
