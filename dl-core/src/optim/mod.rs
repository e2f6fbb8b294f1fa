//! Optimizers: how a gradient becomes a parameter update.
//!
//! Each optimizer is written once, over [`Params`], so it drives a whole generated network,
//! one layer, or any other fixed set of tensors. Its state (momentum, Adagrad and RMSprop
//! accumulators, Adam's moments) is held in values of the gradient type `G`, so its memory is
//! fixed at compile time ([`OptimizerBase::STATE_BYTES`]) and an update never allocates.
//!
//! | optimizer | PyTorch | state |
//! |---|---|---|
//! | [`Sgd`] | `torch.optim.SGD` | none |
//! | [`SgdMomentum`] (classical, Nesterov) | `torch.optim.SGD(momentum=...)` | 1 x `G` |
//! | [`Adagrad`] | `torch.optim.Adagrad` | 1 x `G` |
//! | [`RmsProp`] (plain, momentum, centered) | `torch.optim.RMSprop` | 1 to 3 x `G` |
//! | [`Adam`] | `torch.optim.Adam` | 2 x `G` |
//! | [`AdamW`] | `torch.optim.AdamW` | 2 x `G` |
//!
//! Hyper-parameters default to PyTorch's and follow its update rules operation for operation,
//! so a trajectory matches PyTorch's float64 one to rounding. Every optimizer also takes a
//! [`Regularization`] (L1, coupled L2, decoupled weight decay; weights only or all
//! parameters) through the [`Regularize`] builder methods, and its learning rate can be driven
//! by a [`Schedule`](crate::schedule::Schedule) with [`Scheduled`](crate::schedule::Scheduled).

/// The [`OptimizerBase`] accessors of an optimizer with fields `lr: f64` and `steps: u64`.
macro_rules! rate_and_steps {
    () => {
        #[inline]
        fn learning_rate(&self) -> f64 {
            self.lr
        }
        #[inline]
        fn set_learning_rate(&mut self, lr: f64) {
            self.lr = lr;
        }
        #[inline]
        fn steps(&self) -> u64 {
            self.steps
        }
    };
}

mod adagrad;
mod adam;
mod adamw;
mod check;
mod cut;
mod elementwise;
mod pieces;
mod ranges;
mod regularization;
mod rmsprop;
mod saved_state;
mod sgd;
mod sgd_momentum;
mod sqrt;
mod state_bytes;
pub(crate) mod state_format;
mod step;

pub use adagrad::Adagrad;
pub use adam::Adam;
pub use adamw::AdamW;
pub(crate) use check::{Finite, Verdict};
pub use elementwise::ElementwiseStep;
pub use pieces::{Pieces, Whole};
pub(crate) use ranges::{below_one, in_range, non_negative, representable};
pub use regularization::{Penalty, Regularization, Regularize, Scope};
pub use rmsprop::RmsProp;
pub use saved_state::OptimizerState;
pub use sgd::Sgd;
pub use sgd_momentum::SgdMomentum;
pub(crate) use sqrt::sqrt;
pub use state_bytes::OptimizerStateBytes;
pub use state_format::{StateError, StateField, STATE_HEADER_BYTES, STATE_MAGIC, STATE_VERSION};

use crate::error::Error;
use crate::float::Float;
use crate::network::{Network, Params, TensorKind};

/// What every optimizer has, whatever it updates: a learning rate, a step count, a state of
/// known size that can be cleared, and an end-of-epoch hook for per-epoch schedules.
///
/// ```
/// use dl_core::prelude::*;
/// network! { struct Line { Dense<1, 1, Identity> } }
/// let mut adam = Adam::<f64, LineGradient<f64>>::new(0.01);
/// assert_eq!((adam.learning_rate(), adam.steps()), (0.01, 0));
/// adam.set_learning_rate(0.001);
/// assert_eq!(adam.learning_rate(), 0.001);
/// assert!(adam.validate().is_ok());
/// ```
pub trait OptimizerBase {
    /// Bytes of the optimizer's state (its accumulators; hyper-parameters not counted).
    const STATE_BYTES: usize;

    /// The learning rate the next update will use.
    fn learning_rate(&self) -> f64;

    /// Sets the learning rate of the following updates.
    fn set_learning_rate(&mut self, lr: f64);

    /// How many updates have been applied since creation or the last [`reset`](Self::reset).
    fn steps(&self) -> u64;

    /// Clears the state (moments, accumulators, step count) as if freshly built.
    fn reset(&mut self);

    /// Called by training loops at the end of each epoch; per-epoch schedules advance here.
    #[inline]
    fn end_epoch(&mut self) {}

    /// Checks every hyper-parameter against the range PyTorch accepts (finite, learning rate
    /// and `eps` at least 0, betas in `[0, 1)`, Nesterov only with momentum and no dampening,
    /// ...): [`Error::InvalidHyperParameter`] names the first one out of range. The training
    /// functions call it before every update, so a bad value never reaches the weights.
    fn validate(&self) -> Result<(), Error>;

    /// `Some(lr)` if the next update is exactly plain SGD, `p -= lr g` on every tensor (no
    /// state, no regularisation, nothing for `prepare` to do), which
    /// [`train_sample`](crate::train::train_sample) may then apply inside the backward pass,
    /// layer by layer, as the gradient is written (one pass over a large weight matrix instead
    /// of writing the gradient and then updating from it). Such a step ends with
    /// [`sgd_applied`](Self::sgd_applied) instead of an `update`. `None` (the default) keeps
    /// every step on [`Optimizer`]'s methods.
    #[inline]
    fn sgd_rate(&self) -> Option<f64> {
        None
    }

    /// Counts an update applied through [`sgd_rate`](Self::sgd_rate) as `update` would (the
    /// step count, a per-step schedule's position).
    #[inline]
    fn sgd_applied(&mut self) {}
}

/// Applies a gradient `grads` to parameters `params` of the same layout.
///
/// `P` and `G` may be different types (a network and its gradient struct) but must have the
/// same tensors; the optimizer's state is made of `G` values.
///
/// [`update`](Self::update) and [`update_consume`](Self::update_consume) apply the rule as it
/// is, whatever it produces; [`check_update`](Self::check_update) tells beforehand whether
/// it would produce anything non-finite. [`Optimizer::step`] and
/// [`Optimizer::step_consume`] (what the training functions call) run the check first and
/// refuse the update on its error, so a NaN never reaches the weights.
///
/// ```
/// use dl_core::prelude::*;
/// network! { struct Line { Dense<1, 1, Identity> } }
/// let mut net = Line::<f64>::ZERO;
/// let mut grads = LineGradient::<f64>::ZERO;
/// grads.fill(2.0);
/// let mut sgd = Sgd::<f64>::new(0.5);
/// // The unchecked update, on any parameters and gradient of the same layout.
/// ParamsOptimizer::<Line<f64>, LineGradient<f64>>::update(&mut sgd, &mut net, &grads);
/// assert_eq!(net.tensor(1), &[-1.0][..]);
/// ```
pub trait ParamsOptimizer<P, G = P>: OptimizerBase {
    /// One update of `params` from `grads` (a batch-averaged gradient), unchecked.
    fn update(&mut self, params: &mut P, grads: &G);

    /// One checked update from the gradient `scale * grads` that leaves `grads` zeroed, in
    /// fewer passes than [`check_update`](Self::check_update), scaling,
    /// [`update`](Self::update) and zeroing, if this optimizer has such a form (plain
    /// [`Sgd`]: one pass that updates and checks, one that zeroes). `Some(Ok)` when applied,
    /// `Some(Err)` (the error of `check_update`) when refused with nothing changed but
    /// `grads` zeroed; `None`, having done nothing, if there is no such form, and
    /// [`Optimizer::step_consume`] does those four steps.
    #[inline]
    fn update_consume(
        &mut self,
        params: &mut P,
        grads: &mut G,
        scale: f64,
    ) -> Option<Result<(), Error>> {
        let _ = (params, grads, scale);
        None
    }

    /// [`update_consume`](Self::update_consume), except that an applied update may leave
    /// `grads` holding any values instead of zeros (a refused one still zeroes it): for a
    /// step whose next backward pass writes the whole gradient instead of adding to it
    /// ([`Optimizer::step_discard`]). Plain [`Sgd`] then skips its zeroing pass; the default
    /// is `update_consume`.
    #[inline]
    fn update_discard(
        &mut self,
        params: &mut P,
        grads: &mut G,
        scale: f64,
    ) -> Option<Result<(), Error>> {
        self.update_consume(params, grads, scale)
    }

    /// Whether the update from the gradient `scale * grads` (as `update_consume` or
    /// `grads *= scale` and `update` would apply it: the same operations in the same order,
    /// so the same bits) leaves every parameter and every value of the optimizer's state
    /// finite. Changes nothing. One pass over the parameters, gradient and state, which also
    /// checks the gradient itself.
    ///
    /// Errors: [`Error::NonFiniteGradient`] if a gradient value is NaN or infinite, otherwise
    /// [`Error::NonFiniteUpdate`] naming the first tensor that would go bad.
    fn check_update(&self, params: &P, grads: &G, scale: f64) -> Result<(), Error>;

    /// Brings settings that come from outside up to date before a step is checked and
    /// applied (a plateau schedule's learning rate), so that
    /// [`check_update`](Self::check_update) sees what the update will use. Nothing to do for
    /// most optimizers.
    #[inline]
    fn prepare(&mut self) {}

    /// The update as a rule of each element alone, for a stateless optimizer that has one
    /// (plain [`Sgd`]): a caller may then apply it to element ranges (across threads) instead
    /// of calling [`update_consume`](Self::update_consume), and must call
    /// [`applied_elementwise`](Self::applied_elementwise) when the whole update was applied.
    /// Read after [`prepare`](Self::prepare). `None` by default (the update has state, or
    /// the optimizer does more than its rule, like a schedule's wrapper).
    #[inline]
    fn elementwise(&self) -> Option<ElementwiseStep> {
        None
    }

    /// Counts an update applied through [`elementwise`](Self::elementwise)'s rule.
    #[inline]
    fn applied_elementwise(&mut self) {}

    /// Whether [`update_pieces`](Self::update_pieces) is implemented.
    const PIECES: bool = false;

    /// [`update_consume`](Self::update_consume)'s checked update from `scale * grads`,
    /// leaving `grads` zeroed, with every pass over a tensor run through `pieces` (which may
    /// spread it over threads): the same bits as the check, scaling, update and zeroing of
    /// [`Optimizer::step_consume`]. `None`, having done nothing, unless
    /// [`PIECES`](Self::PIECES). Called after [`prepare`](Self::prepare).
    #[inline]
    fn update_pieces<Q: Pieces>(
        &mut self,
        params: &mut P,
        grads: &mut G,
        scale: f64,
        pieces: &Q,
    ) -> Option<Result<(), Error>> {
        let _ = (params, grads, scale, pieces);
        None
    }
}

/// Applies a (batch-averaged) gradient to a network's parameters: what the training functions
/// call. Every [`ParamsOptimizer`] over a network and its gradient is one.
///
/// Both methods are transactional: they check the update first
/// ([`ParamsOptimizer::check_update`]) and on an error change nothing, neither the network
/// nor the optimizer's state (moments, step count, schedule position).
///
/// ```
/// use dl_core::prelude::*;
/// network! { struct Line { Dense<1, 1, Identity> } }
/// let mut net = Line::<f64>::ZERO;
/// let mut grads = LineGradient::<f64>::ZERO;
/// grads.fill(1.0);
/// Sgd::<f64>::new(0.1).step(&mut net, &grads)?; // p -= 0.1 * g
/// assert_eq!((net.tensor(0), net.tensor(1)), (&[-0.1][..], &[-0.1][..]));
/// // A gradient that would make a weight infinite is refused, and nothing changes.
/// grads.fill(f64::MAX);
/// assert!(Sgd::<f64>::new(10.0).step(&mut net, &grads).is_err());
/// assert_eq!(net.tensor(0), &[-0.1][..]);
/// # Ok::<(), dl_core::error::Error>(())
/// ```
pub trait Optimizer<N: Network>: OptimizerBase {
    /// One update of `net` from `grads`, or the error of
    /// [`check_update`](ParamsOptimizer::check_update) with nothing changed.
    fn step(&mut self, net: &mut N, grads: &N::Gradient) -> Result<(), Error>;

    /// One update of `net` from `scale * grads` (an accumulated batch gradient and
    /// `1 / batch`), leaving `grads` zeroed for the next batch, whatever it returns: what
    /// [`crate::train`]'s steps call. Plain SGD does it in one pass over the gradient after
    /// the check's; the others scale, update and zero. On an error (that of
    /// [`check_update`](ParamsOptimizer::check_update)) the network and the optimizer are
    /// unchanged.
    fn step_consume(
        &mut self,
        net: &mut N,
        grads: &mut N::Gradient,
        scale: N::Scalar,
    ) -> Result<(), Error>;

    /// [`step_consume`](Self::step_consume), except that a step applied may leave `grads`
    /// holding any values (see [`ParamsOptimizer::update_discard`]); a refused one leaves it
    /// zeroed. What [`crate::train::train_sample`] calls: its backward pass writes the whole
    /// gradient, so nothing needs it zeroed.
    #[inline]
    fn step_discard(
        &mut self,
        net: &mut N,
        grads: &mut N::Gradient,
        scale: N::Scalar,
    ) -> Result<(), Error> {
        self.step_consume(net, grads, scale)
    }

    /// [`prepare`](ParamsOptimizer::prepare) and the update's element-wise rule, if it has
    /// one ([`ParamsOptimizer::elementwise`]); `None`, having done nothing, otherwise. A
    /// caller that applies the rule (every element of every tensor, after checking that all
    /// results are finite) then calls [`commit_elementwise`](Self::commit_elementwise).
    #[inline]
    fn prepare_elementwise(&mut self) -> Option<ElementwiseStep> {
        None
    }

    /// Counts an update applied through [`prepare_elementwise`](Self::prepare_elementwise)'s
    /// rule.
    #[inline]
    fn commit_elementwise(&mut self) {}

    /// [`step_consume`](Self::step_consume) with every pass over a tensor run through
    /// `pieces` ([`ParamsOptimizer::update_pieces`]): the same bits and errors. `None`, having
    /// done nothing, for an optimizer without that form.
    #[inline]
    fn step_pieces<Q: Pieces>(
        &mut self,
        net: &mut N,
        grads: &mut N::Gradient,
        scale: N::Scalar,
        pieces: &Q,
    ) -> Option<Result<(), Error>> {
        let _ = (net, grads, scale, pieces);
        None
    }
}

/// The absent state of an optimizer variant that needs none (plain SGD has no momentum
/// buffer, plain RMSprop no average gradient). It has no tensors and takes no bytes.
///
/// ```
/// use dl_core::prelude::*;
/// assert_eq!(<NoState as Params<f32>>::COUNT, 0);
/// assert_eq!(core::mem::size_of::<NoState>(), 0);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NoState;

impl<T: Float> Params<T> for NoState {
    const TENSORS: usize = 0;
    const COUNT: usize = 0;
    const ZERO: Self = NoState;
    #[inline]
    fn tensor(&self, _: usize) -> &[T] {
        &[]
    }
    #[inline]
    fn tensor_mut(&mut self, _: usize) -> &mut [T] {
        &mut []
    }
    #[inline]
    fn tensor_kind(_: usize) -> TensorKind {
        TensorKind::Weight
    }
}

/// Fails the build (after monomorphisation) if parameters `P`, gradient `G` and an optional
/// state `S` (absent when it has no tensors) do not have the same number of tensors and
/// scalars: a mismatch would otherwise update only part of the parameters.
#[inline(always)]
pub(crate) fn assert_same_layout<T: Float, P: Params<T>, G: Params<T>, S: Params<T>>() {
    const {
        assert!(
            P::TENSORS == G::TENSORS && P::COUNT == G::COUNT,
            "the gradient does not have the parameters' tensors"
        );
        assert!(
            S::TENSORS == 0 || (S::TENSORS == G::TENSORS && S::COUNT == G::COUNT),
            "the optimizer state does not have the gradient's tensors"
        );
    }
}
