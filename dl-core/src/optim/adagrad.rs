//! Adagrad: per-parameter learning rates from the sum of squared gradients.

use super::cut::{self, CutRule};
use super::{
    non_negative, representable, sqrt, OptimizerBase, ParamsOptimizer, Regularization, Regularize,
};
use crate::error::{Error, HyperParameter, UpdatedTensor};
use crate::float::Float;
use crate::network::Params;
use core::marker::PhantomData;

/// Adagrad, PyTorch's `torch.optim.Adagrad` rule for rule:
///
/// `s <- s + g^2`, `p <- p - lr_t * g / (sqrt(s) + eps)`, with `lr_t = lr / (1 + t * decay)`
/// after `t` earlier updates.
///
/// PyTorch's defaults: `lr = 1e-2` ([`Default`]), `lr_decay = 0`, `eps = 1e-10`,
/// `initial_accumulator_value = 0`. State: one value `s` of gradient type `G`.
///
/// ```
/// use dl_core::prelude::*;
/// network! { struct Line { Dense<1, 1, Identity> } }
/// let xs = [[0.0], [1.0], [2.0]].map(SVector::<f64, 1>::from);
/// let ys = [[1.0], [3.0], [5.0]].map(SVector::<f64, 1>::from); // y = 2x + 1
/// let (mut net, mut ws) = (Line::<f64>::new(1), Workspace::new());
/// let mut opt = Adagrad::<f64, LineGradient<f64>>::new(0.5);
/// let first = train_batch::<_, Mse, _>(&mut net, &mut opt, &xs, &ys, &mut ws)?;
/// let mut last = first;
/// for _ in 0..300 {
///     last = train_batch::<_, Mse, _>(&mut net, &mut opt, &xs, &ys, &mut ws)?;
/// }
/// assert!(last < first / 10.0, "{first} -> {last}");
/// assert_eq!(opt.steps(), 301);
/// # Ok::<(), dl_core::error::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Adagrad<T, G> {
    /// The learning rate.
    pub lr: f64,
    /// PyTorch's `lr_decay`.
    pub lr_decay: f64,
    /// Added to `sqrt(s)` in the denominator.
    pub eps: f64,
    /// The value `s` starts from (PyTorch's `initial_accumulator_value`).
    pub initial_accumulator: f64,
    /// Regularisation (PyTorch's `weight_decay` is [`Regularization::l2`]).
    pub reg: Regularization,
    pub(super) sum_squares: G,
    pub(super) steps: u64,
    scalar: PhantomData<T>,
}

impl<T: Float, G: Params<T>> Adagrad<T, G> {
    /// Adagrad with learning rate `lr` and PyTorch's other defaults.
    pub const fn new(lr: f64) -> Self {
        Adagrad {
            lr,
            lr_decay: 0.0,
            eps: 1e-10,
            initial_accumulator: 0.0,
            reg: Regularization::NONE,
            sum_squares: G::ZERO,
            steps: 0,
            scalar: PhantomData,
        }
    }

    /// [`new`](Self::new) built in place on the heap: no state-sized temporary on the stack
    /// (set other hyper-parameters through the public fields).
    #[cfg(feature = "alloc")]
    pub fn boxed(lr: f64) -> alloc::boxed::Box<Self>
    where
        G: crate::zeroed::Zeroable,
    {
        let mut adagrad = crate::zeroed::boxed::<Self>();
        (adagrad.lr, adagrad.eps) = (lr, 1e-10);
        adagrad.reg = Regularization::NONE;
        adagrad
    }

    /// Sets `eps`.
    #[must_use]
    pub const fn eps(mut self, eps: f64) -> Self {
        self.eps = eps;
        self
    }

    /// Sets PyTorch's `lr_decay`.
    #[must_use]
    pub const fn lr_decay(mut self, decay: f64) -> Self {
        self.lr_decay = decay;
        self
    }

    /// Sets the accumulator's starting value (applied at the first update and on reset).
    #[must_use]
    pub const fn initial_accumulator(mut self, value: f64) -> Self {
        self.initial_accumulator = value;
        self
    }
}

impl<T: Float, G: Params<T>> Default for Adagrad<T, G> {
    /// PyTorch's default learning rate, `1e-2`.
    fn default() -> Self {
        Adagrad::new(1e-2)
    }
}

impl<T, G> Regularize for Adagrad<T, G> {
    fn regularization_mut(&mut self) -> &mut Regularization {
        &mut self.reg
    }
}

impl<T: Float, G: Params<T>> OptimizerBase for Adagrad<T, G> {
    const STATE_BYTES: usize = core::mem::size_of::<G>();

    rate_and_steps!();

    fn validate(&self) -> Result<(), Error> {
        non_negative(HyperParameter::LearningRate, self.lr)?;
        representable::<T>(HyperParameter::LearningRate, self.lr)?;
        non_negative(HyperParameter::LearningRateDecay, self.lr_decay)?;
        non_negative(HyperParameter::Epsilon, self.eps)?;
        non_negative(HyperParameter::InitialAccumulator, self.initial_accumulator)?;
        self.reg.validate()
    }
    fn reset(&mut self) {
        self.sum_squares.fill(T::ZERO);
        self.steps = 0;
    }
}

/// The update rule of one step, in the scalar type.
#[derive(Clone, Copy)]
struct Rule<T> {
    clr: T,
    eps: T,
    /// The sum the first update starts from instead of the state's, if it is not zero.
    initial: Option<T>,
}

impl<T: Float> CutRule<T> for Rule<T> {
    const STATES: [Option<UpdatedTensor>; 3] = [Some(UpdatedTensor::SumOfSquares), None, None];

    /// The new parameter and sum of squares from the (regularised) gradient `g` and the sum
    /// `s`.
    #[inline(always)]
    fn apply(&self, p: T, g: T, [s, ..]: [T; 3]) -> (T, [T; 3]) {
        let s = self.initial.unwrap_or(s) + g * g;
        (
            p - self.clr * (g / (sqrt(s) + self.eps)),
            [s, T::ZERO, T::ZERO],
        )
    }
}

impl<T: Float, G: Params<T>> Adagrad<T, G> {
    fn rule(&self) -> Rule<T> {
        Rule {
            clr: T::cast(self.lr / (1.0 + self.steps as f64 * self.lr_decay)),
            eps: T::cast(self.eps),
            initial: (self.steps == 0 && self.initial_accumulator != 0.0)
                .then(|| T::cast(self.initial_accumulator)),
        }
    }
}

impl<T: Float, P: Params<T>, G: Params<T>> ParamsOptimizer<P, G> for Adagrad<T, G> {
    cut::cut_methods!(sum_squares);
}
