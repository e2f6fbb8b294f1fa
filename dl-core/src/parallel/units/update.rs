//! The optimizer's element-wise rule on each thread's rows of every tensor after a
//! unit-split step's backward pass, from the thread's own compact block of gradient rows.
//!
//! Why rows and not columns: a thread's rows of `W` and of its gradient then never leave its
//! core (it reads them in its forward pass, writes them here). Updating contiguous column
//! ranges instead (each thread one range of `W`, from every thread's block) moved the other
//! thread's 100 KB of gradient and half of `W` between the cores each step: the update took
//! about 32 us a thread against 12 us for the whole serial update (784-128-10 MLP, 2 threads,
//! `perf`, 14:16 UTC, load 5.6).

#![allow(unsafe_code)]

use super::sync::Tensors;
use super::{part, Units};
use crate::float::Float;
use crate::kernel::each::axpy_swap_each;
use crate::kernel::MIN_ELEMENTS;
use crate::optim::ElementwiseStep;
use core::ops::Range;
use core::slice::ChunksExactMut;
use core::sync::atomic::Ordering;

/// Thread `t`'s rows `r` of each column of tensor `i` paired with the rows of its compact
/// gradient block, column by column.
struct Pieces<'a, T> {
    tensors: &'a Tensors<T>,
    i: usize,
    rows: usize,
    r: Range<usize>,
    column: usize,
    grads: ChunksExactMut<'a, T>,
}

impl<'a, T> Iterator for Pieces<'a, T> {
    type Item = (&'a mut [T], &'a mut [T]);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        let g = self.grads.next()?;
        let at = self.column * self.rows;
        self.column += 1;
        // SAFETY: rows `r` of every column of every tensor are this thread's alone from the
        // barrier that ends the backward pass to the end of the step (the only phase that
        // makes `Pieces`).
        let p = unsafe {
            self.tensors
                .part_mut(self.i, at + self.r.start..at + self.r.end)
        };
        Some((p, g))
    }
}

impl<T: Float + Send + Sync> Units<T> {
    /// Thread `t`'s pieces of tensor `i`. Call only after the barrier that ends the backward
    /// pass.
    fn pieces(&self, i: usize, t: usize, threads: usize) -> Pieces<'_, T> {
        let (rows, _) = self.shape(i);
        let r = part(rows, t, threads);
        // SAFETY: thread `t`'s block; no other thread touches it after the backward pass.
        let block = unsafe { self.grads[t][i].all_mut() };
        Pieces {
            tensors: &self.tensors,
            i,
            rows,
            grads: block.chunks_exact_mut(r.len().max(1)),
            r,
            column: 0,
        }
    }

    /// The rule on thread `t`'s rows of every tensor (the old parameters left in its
    /// gradient blocks); clears a tensor's flags where a result was not finite. The kernel
    /// is chosen by the whole tensor's length ([`ElementwiseStep::swap_part`]), so each
    /// element gets the bits of the serial step's whole-tensor update.
    pub(super) fn update(&self, t: usize, threads: usize, rule: ElementwiseStep, scale: T) {
        for i in 0..self.kinds.len() {
            let (kind, (rows, cols)) = (self.kinds[i], self.shape(i));
            let whole = rows * cols;
            let flags = match rule.plain_alpha(kind, scale) {
                Some(alpha) if whole >= MIN_ELEMENTS => {
                    axpy_swap_each(&mut self.pieces(i, t, threads), alpha)
                }
                _ => self
                    .pieces(i, t, threads)
                    .fold((true, true), |(new, old), (p, g)| {
                        let (n, o) = rule.swap_part(kind, p, g, scale, whole);
                        (new && n, old && o)
                    }),
            };
            self.flag(i, flags);
        }
    }

    /// Clears tensor `i`'s flags where `(updated, gradient)` says a result was not finite.
    fn flag(&self, i: usize, (updated, gradient): (bool, bool)) {
        if !updated {
            self.updated[i].store(false, Ordering::Relaxed);
        }
        if !gradient {
            self.gradient[i].store(false, Ordering::Relaxed);
        }
    }

    /// Thread `t`'s rows of every tensor put back from the old parameters the update left
    /// in its gradient blocks (a refused step).
    pub(super) fn restore(&self, t: usize, threads: usize) {
        for i in 0..self.kinds.len() {
            for (p, old) in self.pieces(i, t, threads) {
                p.copy_from_slice(old);
            }
        }
    }
}
