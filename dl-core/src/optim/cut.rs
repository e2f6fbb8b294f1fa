//! The checked step of an optimizer with state and an element-wise rule
//! ([`RmsProp`](super::RmsProp), [`Adagrad`](super::Adagrad)), its check and its update each
//! one pass over every tensor, each pass possibly cut into pieces across threads
//! ([`Pieces`]).
//!
//! What it measured (784-128-10, batch 32, 2026-12-02): a step 2.1-2.3 times as fast as
//! before for RMSprop and Adagrad, serial and on 2 threads (their loops now vectorise; the
//! cut itself adds little at this size). Adam keeps its own passes (`adam.rs`, cut the same
//! way) and SGD with momentum its uncut ones: through this module the first ran at the same
//! speed and the second 12% slower serial and cut 0.62x on 2 threads, its few adds an element
//! bound by memory.
//!
//! A rule sees a tensor (or a piece of one) as five slices of equal length,
//! `[parameters, gradient, state 0, state 1, state 2]`, the slices of state the optimizer does
//! not keep being empty. It works element by element, so a cut pass gives the bits of the
//! uncut one, and the check runs the rule exactly as the update will.

use super::{assert_same_layout, Finite, Penalty, Pieces, Regularization, Verdict};
use crate::error::{Error, UpdatedTensor};
use crate::float::Float;
use crate::network::Params;

/// An element-wise update rule with up to three tensors of state.
pub(super) trait CutRule<T: Float>: Copy + Sync {
    /// What states 0, 1 and 2 are, for an error naming the one that would go bad (`None`
    /// for state not kept).
    const STATES: [Option<UpdatedTensor>; 3];

    /// The new parameter and state from parameter `p`, the (regularised) gradient `g` and the
    /// old state `s` (the values of state not kept are zero and come back unread).
    fn apply(&self, p: T, g: T, s: [T; 3]) -> (T, [T; 3]);
}

/// Whether every `scale * g`, every new parameter and every new value of each state would be
/// finite (`[gradient, parameters, state 0, state 1, state 2]`) for one tensor's or piece's
/// slices, computed as [`update`] computes them. Changes nothing.
#[inline(always)]
fn check<T: Float, R: CutRule<T>>(
    rule: &R,
    penalty: Penalty<T>,
    scale: T,
    [p, g, s0, s1, s2]: [&[T]; 5],
) -> [bool; 5] {
    // A copy in registers: read through the reference, a rule's flags (RMSprop's centering,
    // say) are loaded every element inside the cut passes' closures, which kept such a loop
    // scalar (measured with SGD with momentum's Nesterov flag, when it went through here).
    let rule = *rule;
    let [mut gradient, mut updated, mut f0, mut f1, mut f2] = [Finite::new(); 5];
    each(p, g, [s0, s1, s2], |p, g, old| {
        let g = g * scale;
        gradient.add(g);
        let (p, g) = penalty.pair(p, g);
        let (p, [n0, n1, n2]) = rule.apply(p, g, old);
        updated.add(p);
        f0.add(n0);
        f1.add(n1);
        f2.add(n2);
    });
    [gradient, updated, f0, f1, f2].map(Finite::ok)
}

/// The update of one tensor's or piece's parameters `p` and state from its gradient `g`,
/// already scaled.
#[inline(always)]
fn update<T: Float, R: CutRule<T>>(
    rule: &R,
    penalty: Penalty<T>,
    p: &mut [T],
    g: &[T],
    states: [&mut [T]; 3],
) {
    let rule = *rule; // as in `check`
    each_mut(p, g, states, |p, g, old| {
        let g = penalty.gradient(g, *p);
        penalty.shrink(p);
        let (new_p, new) = rule.apply(*p, g, old);
        *p = new_p;
        new
    });
}

/// `f(p, g, [s0, s1, s2])` for each element of `p`, `g` and the states, a state not kept
/// (empty) read as zero. The loop for the states kept is chosen once, so each is a plain zip
/// that vectorises (per element `Option`s of the states, as in a first version, made Adam's
/// step 2.4 times slower).
#[inline(always)]
fn each<T: Float>(p: &[T], g: &[T], [s0, s1, s2]: [&[T]; 3], mut f: impl FnMut(T, T, [T; 3])) {
    let (z, pg) = (T::ZERO, p.iter().zip(g));
    match (s1.is_empty(), s2.is_empty()) {
        (true, true) => {
            for ((&p, &g), &a) in pg.zip(s0) {
                f(p, g, [a, z, z]);
            }
        }
        (false, true) => {
            for ((&p, &g), (&a, &b)) in pg.zip(s0.iter().zip(s1)) {
                f(p, g, [a, b, z]);
            }
        }
        (true, false) => {
            for ((&p, &g), (&a, &c)) in pg.zip(s0.iter().zip(s2)) {
                f(p, g, [a, z, c]);
            }
        }
        (false, false) => {
            for ((&p, &g), ((&a, &b), &c)) in pg.zip(s0.iter().zip(s1).zip(s2)) {
                f(p, g, [a, b, c]);
            }
        }
    }
}

/// [`each`] with `p` mutable and `f`'s result stored into the states kept.
#[inline(always)]
fn each_mut<T: Float>(
    p: &mut [T],
    g: &[T],
    [s0, s1, s2]: [&mut [T]; 3],
    mut f: impl FnMut(&mut T, T, [T; 3]) -> [T; 3],
) {
    let (z, pg) = (T::ZERO, p.iter_mut().zip(g));
    match (s1.is_empty(), s2.is_empty()) {
        (true, true) => {
            for ((p, &g), a) in pg.zip(s0) {
                [*a, _, _] = f(p, g, [*a, z, z]);
            }
        }
        (false, true) => {
            for ((p, &g), (a, b)) in pg.zip(s0.iter_mut().zip(s1)) {
                [*a, *b, _] = f(p, g, [*a, *b, z]);
            }
        }
        (true, false) => {
            for ((p, &g), (a, c)) in pg.zip(s0.iter_mut().zip(s2)) {
                [*a, _, *c] = f(p, g, [*a, z, *c]);
            }
        }
        (false, false) => {
            for ((p, &g), ((a, b), c)) in pg.zip(s0.iter_mut().zip(s1).zip(s2)) {
                [*a, *b, *c] = f(p, g, [*a, *b, *c]);
            }
        }
    }
}

/// Records tensor `i`'s flags from [`check`].
fn record<T: Float, R: CutRule<T>>(verdict: &mut Verdict, i: usize, flags: [bool; 5]) {
    verdict.gradient(flags[0]);
    verdict.tensor(i, UpdatedTensor::Parameters, flags[1]);
    for (what, &finite) in R::STATES.iter().zip(&flags[2..]) {
        if let Some(what) = *what {
            verdict.tensor(i, what, finite);
        }
    }
}

/// An optimizer's one or three tensors of state, borrowed: a tuple of shared references to
/// [`Params`] of the gradient's layout, `(&s,)` or `(&s, &a, &b)`.
pub(super) trait States<T: Float> {
    /// Fails the build if a state does not have the tensors of parameters `P` and gradient
    /// `G` ([`assert_same_layout`]).
    fn assert_layout<P: Params<T>, G: Params<T>>();
    /// Tensor `i` of each state, empty for states not kept.
    fn slices(&self, i: usize) -> [&[T]; 3];
}

/// [`States`] borrowed mutably: `(&mut s,)` or `(&mut s, &mut a, &mut b)`.
pub(super) trait StatesMut<T: Float> {
    /// As [`States::assert_layout`].
    fn assert_layout<P: Params<T>, G: Params<T>>();
    /// Tensor `i` of each state, empty for states not kept.
    fn slices_mut(&mut self, i: usize) -> [&mut [T]; 3];
}

macro_rules! states {
    ($($s:ident),+; $($empty:tt)*) => {
        #[allow(non_snake_case)]
        impl<T: Float, $($s: Params<T>),+> States<T> for ($(&$s,)+) {
            #[inline(always)]
            fn assert_layout<P: Params<T>, G: Params<T>>() {
                $(assert_same_layout::<T, P, G, $s>();)+
            }
            #[inline(always)]
            fn slices(&self, i: usize) -> [&[T]; 3] {
                let ($($s,)+) = self;
                [$($s.tensor(i),)+ $($empty)*]
            }
        }

        #[allow(non_snake_case)]
        impl<T: Float, $($s: Params<T>),+> StatesMut<T> for ($(&mut $s,)+) {
            #[inline(always)]
            fn assert_layout<P: Params<T>, G: Params<T>>() {
                $(assert_same_layout::<T, P, G, $s>();)+
            }
            #[inline(always)]
            fn slices_mut(&mut self, i: usize) -> [&mut [T]; 3] {
                let ($($s,)+) = self;
                [$($s.tensor_mut(i),)+ $($empty)*]
            }
        }
    };
}
states!(A; Default::default(), Default::default()); // Adagrad
states!(A, B, C;); // RMSprop

/// [`check_update`](super::ParamsOptimizer::check_update) of a [`CutRule`] over every tensor
/// of `params`.
pub(super) fn check_all<T: Float, P: Params<T>, G: Params<T>, S: States<T>, R: CutRule<T>>(
    rule: &R,
    (reg, lr): (&Regularization, f64),
    scale: f64,
    (params, grads): (&P, &G),
    states: &S,
) -> Result<(), Error> {
    S::assert_layout::<P, G>();
    let mut verdict = Verdict::new();
    for i in 0..P::TENSORS {
        let penalty = reg.penalty::<T>(P::tensor_kind(i), lr);
        let [s0, s1, s2] = states.slices(i);
        let slices = [params.tensor(i), grads.tensor(i), s0, s1, s2];
        record::<T, R>(
            &mut verdict,
            i,
            check(rule, penalty, T::cast(scale), slices),
        );
    }
    verdict.finish(params)
}

/// [`update`](super::ParamsOptimizer::update) of a [`CutRule`] over every tensor: unchecked,
/// from a gradient already scaled, on the calling thread.
pub(super) fn update_all<T: Float, P: Params<T>, G: Params<T>, S: StatesMut<T>, R: CutRule<T>>(
    rule: &R,
    (reg, lr): (&Regularization, f64),
    params: &mut P,
    grads: &G,
    mut states: S,
) {
    S::assert_layout::<P, G>();
    for i in 0..P::TENSORS {
        let penalty = reg.penalty::<T>(P::tensor_kind(i), lr);
        let state = states.slices_mut(i);
        update(rule, penalty, params.tensor_mut(i), grads.tensor(i), state);
    }
}

/// [`update_pieces`](super::ParamsOptimizer::update_pieces) of a [`CutRule`]: the check of
/// every tensor, then (if it passes) the scaling of the gradient and the update, then the
/// zeroing of the gradient, as [`Optimizer::step_consume`](super::Optimizer::step_consume)
/// runs them, each pass over a tensor through `pieces`. The check's error, having changed
/// nothing but zeroed the gradient, if it fails.
pub(super) fn cut_step<T, P, G, S, R, Q>(
    rule: &R,
    (reg, lr): (&Regularization, f64),
    scale: f64,
    (params, grads, mut states): (&mut P, &mut G, S),
    pieces: &Q,
) -> Result<(), Error>
where
    T: Float,
    P: Params<T>,
    G: Params<T>,
    S: StatesMut<T>,
    R: CutRule<T>,
    Q: Pieces,
{
    S::assert_layout::<P, G>();
    let scale = T::cast(scale);
    let mut verdict = Verdict::new();
    for i in 0..P::TENSORS {
        let penalty = reg.penalty::<T>(P::tensor_kind(i), lr);
        let flags = pieces.run(
            slices(i, params, grads, &mut states),
            &|slices: [&mut [T]; 5]| check(rule, penalty, scale, slices.map(|s| &*s)),
        );
        record::<T, R>(&mut verdict, i, flags);
    }
    let apply = verdict.ok();
    for i in 0..P::TENSORS {
        let penalty = reg.penalty::<T>(P::tensor_kind(i), lr);
        pieces.run(
            slices(i, params, grads, &mut states),
            &|[p, g, s0, s1, s2]: [&mut [T]; 5]| {
                if apply {
                    for g in g.iter_mut() {
                        *g *= scale;
                    }
                    update(rule, penalty, p, g, [s0, s1, s2]);
                }
                g.fill(T::ZERO);
                [true; 5]
            },
        );
    }
    verdict.finish(&*params)
}

/// Tensor `i` of the parameters, the gradient and the states.
#[inline(always)]
fn slices<'a, T: Float, P: Params<T>, G: Params<T>, S: StatesMut<T>>(
    i: usize,
    params: &'a mut P,
    grads: &'a mut G,
    states: &'a mut S,
) -> [&'a mut [T]; 5] {
    let [s0, s1, s2] = states.slices_mut(i);
    [params.tensor_mut(i), grads.tensor_mut(i), s0, s1, s2]
}

/// The [`ParamsOptimizer`](super::ParamsOptimizer) methods of an optimizer whose `rule()` is
/// a [`CutRule`](super::cut::CutRule) over its state fields, given in the rule's order, and
/// which has fields `reg`, `lr` and `steps`: `update` ([`update_all`]), `check_update`
/// ([`check_all`]) and `update_pieces` ([`cut_step`]), the same rule in each.
macro_rules! cut_methods {
    ($($field:ident),+) => {
        #[inline]
        fn update(&mut self, params: &mut P, grads: &G) {
            let rule = self.rule();
            let states = ($(&mut self.$field,)+);
            super::cut::update_all(&rule, (&self.reg, self.lr), params, grads, states);
            self.steps += 1;
        }

        fn check_update(&self, params: &P, grads: &G, scale: f64) -> Result<(), Error> {
            let (rule, reg) = (self.rule(), (&self.reg, self.lr));
            let states = ($(&self.$field,)+);
            super::cut::check_all(&rule, reg, scale, (params, grads), &states)
        }

        const PIECES: bool = true;

        /// The same bits as the check, scaling, update and zeroing of
        /// [`Optimizer::step_consume`](super::Optimizer::step_consume), each pass over a
        /// tensor through `pieces` (`optim::cut`).
        fn update_pieces<Q: super::Pieces>(
            &mut self,
            params: &mut P,
            grads: &mut G,
            scale: f64,
            pieces: &Q,
        ) -> Option<Result<(), Error>> {
            let rule = self.rule();
            let tensors = (params, grads, ($(&mut self.$field,)+));
            let result = super::cut::cut_step(&rule, (&self.reg, self.lr), scale, tensors, pieces);
            if result.is_ok() {
                self.steps += 1;
            }
            Some(result)
        }
    };
}
pub(super) use cut_methods;
