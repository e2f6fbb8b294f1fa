//! Stochastic gradient descent with momentum, classical or Nesterov's.

use super::{
    assert_same_layout, in_range, non_negative, representable, Finite, OptimizerBase,
    ParamsOptimizer, Regularization, Regularize, Verdict,
};
use crate::error::{Error, HyperParameter, UpdatedTensor};
use crate::float::Float;
use crate::network::Params;
use core::marker::PhantomData;

/// SGD with momentum, PyTorch's `torch.optim.SGD(momentum=mu)` rule for rule. With `g` the
/// (regularised) gradient and `tau` the dampening:
///
/// - `b <- mu * b + (1 - tau) * g`, except `b = g` at the first update;
/// - classical: `p <- p - lr * b`;
/// - Nesterov: `p <- p - lr * (g + mu * b)`.
///
/// Built with [`Sgd::momentum`](super::Sgd::momentum) or [`Sgd::nesterov`](super::Sgd::nesterov).
/// PyTorch's defaults: dampening 0, no Nesterov. State: the buffer `b`, one value of gradient
/// type `G`.
///
/// ```
/// use dl_core::prelude::*;
/// network! { struct Line { Dense<1, 1, Identity> } }
/// let xs = [[0.0], [1.0], [2.0]].map(SVector::<f64, 1>::from);
/// let ys = [[1.0], [3.0], [5.0]].map(SVector::<f64, 1>::from); // y = 2x + 1
/// let (mut net, mut ws) = (Line::<f64>::new(1), Workspace::new());
/// // Built from `Sgd`: `.momentum(mu)` (classical) or `.nesterov(mu)`.
/// let mut opt = Sgd::<f64>::new(0.02).nesterov::<LineGradient<f64>>(0.9);
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
pub struct SgdMomentum<T, G> {
    /// The learning rate.
    pub lr: f64,
    /// The momentum `mu`.
    pub momentum: f64,
    /// The dampening `tau` (PyTorch's `dampening`).
    pub dampening: f64,
    /// Nesterov's form.
    pub nesterov: bool,
    /// Regularisation (PyTorch's `weight_decay` is [`Regularization::l2`]).
    pub reg: Regularization,
    pub(super) buffer: G,
    pub(super) steps: u64,
    scalar: PhantomData<T>,
}

impl<T: Float, G: Params<T>> SgdMomentum<T, G> {
    /// Classical momentum `mu` with learning rate `lr`.
    pub const fn new(lr: f64, mu: f64) -> Self {
        SgdMomentum {
            lr,
            momentum: mu,
            dampening: 0.0,
            nesterov: false,
            reg: Regularization::NONE,
            buffer: G::ZERO,
            steps: 0,
            scalar: PhantomData,
        }
    }

    /// [`new`](Self::new) built in place on the heap: no state-sized temporary on the stack
    /// (set other hyper-parameters through the public fields).
    #[cfg(feature = "alloc")]
    pub fn boxed(lr: f64, mu: f64) -> alloc::boxed::Box<Self>
    where
        G: crate::zeroed::Zeroable,
    {
        let mut sgd = crate::zeroed::boxed::<Self>();
        (sgd.lr, sgd.momentum) = (lr, mu);
        sgd.reg = Regularization::NONE;
        sgd
    }

    /// Nesterov's momentum instead of the classical one.
    #[must_use]
    pub const fn with_nesterov(mut self) -> Self {
        self.nesterov = true;
        self
    }

    /// Sets the dampening `tau`: `b <- mu * b + (1 - tau) * g`.
    #[must_use]
    pub const fn dampening(mut self, tau: f64) -> Self {
        self.dampening = tau;
        self
    }

    pub(super) const fn regularized(mut self, reg: Regularization) -> Self {
        self.reg = reg;
        self
    }
}

impl<T, G> Regularize for SgdMomentum<T, G> {
    fn regularization_mut(&mut self) -> &mut Regularization {
        &mut self.reg
    }
}

impl<T: Float, G: Params<T>> OptimizerBase for SgdMomentum<T, G> {
    const STATE_BYTES: usize = core::mem::size_of::<G>();

    rate_and_steps!();

    fn validate(&self) -> Result<(), Error> {
        non_negative(HyperParameter::LearningRate, self.lr)?;
        representable::<T>(HyperParameter::LearningRate, self.lr)?;
        non_negative(HyperParameter::Momentum, self.momentum)?;
        non_negative(HyperParameter::Dampening, self.dampening)?;
        if self.nesterov {
            // PyTorch: "Nesterov momentum requires a momentum and zero dampening".
            in_range(
                HyperParameter::Momentum,
                self.momentum,
                self.momentum > 0.0,
                "> 0 with Nesterov",
            )?;
            in_range(
                HyperParameter::Dampening,
                self.dampening,
                self.dampening == 0.0,
                "0 with Nesterov",
            )?;
        }
        self.reg.validate()
    }

    fn reset(&mut self) {
        self.buffer.fill(T::ZERO);
        self.steps = 0;
    }
}

/// The update rule of one step, in the scalar type: `b <- decay * b + keep * g`, then
/// `p <- p - lr * direction`.
#[derive(Clone, Copy)]
struct Rule<T> {
    lr: T,
    mu: T,
    decay: T,
    keep: T,
    nesterov: bool,
}

impl<T: Float> Rule<T> {
    /// The new parameter and buffer from the (regularised) gradient `g`.
    #[inline(always)]
    fn apply(&self, p: T, g: T, b: T) -> (T, T) {
        let b = self.decay * b + self.keep * g;
        let direction = if self.nesterov { g + self.mu * b } else { b };
        (p - self.lr * direction, b)
    }
}

impl<T: Float, G: Params<T>> SgdMomentum<T, G> {
    fn rule(&self) -> Rule<T> {
        let mu = T::cast(self.momentum);
        // The first update sets `b = g`: `b` is zero then, so `0 * b + 1 * g` is `g` exactly.
        let (decay, keep) = if self.steps == 0 {
            (T::ZERO, T::ONE)
        } else {
            (mu, T::cast(1.0 - self.dampening))
        };
        Rule {
            lr: T::cast(self.lr),
            mu,
            decay,
            keep,
            nesterov: self.nesterov,
        }
    }
}

impl<T: Float, P: Params<T>, G: Params<T>> ParamsOptimizer<P, G> for SgdMomentum<T, G> {
    #[inline]
    fn update(&mut self, params: &mut P, grads: &G) {
        assert_same_layout::<T, P, G, G>();
        let rule = self.rule();
        for i in 0..P::TENSORS {
            let penalty = self.reg.penalty::<T>(P::tensor_kind(i), self.lr);
            let pairs = penalty.apply(params.tensor_mut(i), grads.tensor(i));
            for ((p, g), b) in pairs.zip(self.buffer.tensor_mut(i)) {
                (*p, *b) = rule.apply(*p, g, *b);
            }
        }
        self.steps += 1;
    }

    fn check_update(&self, params: &P, grads: &G, scale: f64) -> Result<(), Error> {
        assert_same_layout::<T, P, G, G>();
        let (rule, scale) = (self.rule(), T::cast(scale));
        let mut verdict = Verdict::new();
        for i in 0..P::TENSORS {
            let penalty = self.reg.penalty::<T>(P::tensor_kind(i), self.lr);
            let [mut gradient, mut updated, mut buffer] = [Finite::new(); 3];
            let values = params.tensor(i).iter().zip(grads.tensor(i));
            for ((&p, &g), &b) in values.zip(self.buffer.tensor(i)) {
                let g = g * scale;
                gradient.add(g);
                let (p, g) = penalty.pair(p, g);
                let (p, b) = rule.apply(p, g, b);
                updated.add(p);
                buffer.add(b);
            }
            verdict.gradient(gradient.ok());
            verdict.tensor(i, UpdatedTensor::Parameters, updated.ok());
            verdict.tensor(i, UpdatedTensor::MomentumBuffer, buffer.ok());
        }
        verdict.finish(params)
    }
}
