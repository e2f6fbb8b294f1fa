//! [`Kernels::axpy_swap`](super::Kernels::axpy_swap) over many short slices in one call: the
//! rows a thread owns of each column of a column-major weight matrix (the unit-split engine,
//! `parallel::units`). One dispatch for all of them instead of one a column (784 calls a
//! step for the 784-128-10 MLP's first layer, each with its dispatch), and each slice runs
//! the very loop `axpy_swap` runs, compiled for the same instruction set, so every element
//! gets the bits the whole tensor's `axpy_swap` gives it.

use super::dispatch::run;
use super::ops::{AxpySwap, Op};
use super::tiles::{MulAdd, Scalar};

/// Pairs `(y, x)` to update, as an iterator object (one kernel instantiation for any caller).
type Pairs<'i, 'a, T> = &'i mut dyn Iterator<Item = (&'a mut [T], &'a mut [T])>;

struct AxpySwapEach<'i, 'a, T> {
    pairs: Pairs<'i, 'a, T>,
    alpha: T,
}

impl<T: Scalar> Op for AxpySwapEach<'_, '_, T> {
    type Scalar = T;
    type Out = (bool, bool);
    #[inline(always)]
    fn run<M: MulAdd, const R: usize>(self) -> (bool, bool) {
        let alpha = self.alpha;
        self.pairs.fold((true, true), |(new, old), (y, x)| {
            let (n, o) = AxpySwap { y, alpha, x }.run::<M, R>();
            (new && n, old && o)
        })
    }
}

/// `axpy_swap(y, alpha, x)` for every pair, as the dispatched kernel computes it (not its
/// inlined loop for short slices: the caller's slices are parts of a longer tensor): whether
/// every new `y` and every old `x` was finite.
#[inline(never)]
pub fn axpy_swap_each<T: Scalar>(pairs: Pairs<'_, '_, T>, alpha: T) -> (bool, bool) {
    run(AxpySwapEach { pairs, alpha })
}
