//! Stochastic gradient descent, plain, with momentum, or with Nesterov momentum.

use super::{
    assert_same_layout, NoState, OptimizerBase, ParamsOptimizer, Regularization, Regularize,
};
use crate::float::Float;
use crate::network::Params;
use core::marker::PhantomData;

/// Stochastic gradient descent, PyTorch's `torch.optim.SGD` rule for rule.
///
/// With `g` the (regularised) gradient, `mu` the momentum, `tau` the dampening:
/// - plain: `p <- p - lr * g` (no state);
/// - momentum: `b <- mu * b + (1 - tau) * g` (`b = g` at the first step), `p <- p - lr * b`;
/// - Nesterov: `b` as above, `p <- p - lr * (g + mu * b)`.
///
/// PyTorch's defaults: `lr = 1e-3` ([`Default`]), momentum 0, dampening 0, no Nesterov, no
/// weight decay. The momentum buffer `M` is a gradient value when [`momentum`](Self::momentum)
/// or [`nesterov`](Self::nesterov) was asked for and [`NoState`] (0 bytes) otherwise.
///
/// ```
/// use dl_core::prelude::*;
/// # network! { struct Net { Dense<2, 1, Sigmoid> } }
/// let plain = Sgd::<f32>::new(0.1);
/// let momentum: Sgd<f32, NetGradient<f32>> = Sgd::new(0.05).momentum(0.9);
/// assert_eq!(<Sgd<f32> as OptimizerBase>::STATE_BYTES, 0);
/// assert_eq!(<Sgd<f32, NetGradient<f32>> as OptimizerBase>::STATE_BYTES, Net::<f32>::GRADIENT_BYTES);
/// ```
#[derive(Clone, Debug)]
pub struct Sgd<T = f32, M = NoState> {
    /// The learning rate.
    pub lr: f64,
    /// Regularisation (PyTorch's `weight_decay` is [`Regularization::l2`]).
    pub reg: Regularization,
    momentum: f64,
    dampening: f64,
    nesterov: bool,
    buffer: M,
    steps: u64,
    scalar: PhantomData<T>,
}

impl<T: Float> Sgd<T, NoState> {
    /// Plain SGD with learning rate `lr`.
    pub const fn new(lr: f64) -> Self {
        Sgd {
            lr,
            reg: Regularization::NONE,
            momentum: 0.0,
            dampening: 0.0,
            nesterov: false,
            buffer: NoState,
            steps: 0,
            scalar: PhantomData,
        }
    }

    /// SGD with momentum `mu` (PyTorch's `momentum`), keeping a buffer of gradient type `G`.
    #[must_use]
    pub const fn momentum<G: Params<T>>(self, mu: f64) -> Sgd<T, G> {
        Sgd {
            lr: self.lr,
            reg: self.reg,
            momentum: mu,
            dampening: self.dampening,
            nesterov: false,
            buffer: G::ZERO,
            steps: 0,
            scalar: PhantomData,
        }
    }

    /// SGD with Nesterov momentum `mu` (PyTorch's `nesterov=True`).
    #[must_use]
    pub const fn nesterov<G: Params<T>>(self, mu: f64) -> Sgd<T, G> {
        let mut sgd = self.momentum(mu);
        sgd.nesterov = true;
        sgd
    }
}

impl<T: Float, M: Params<T>> Sgd<T, M> {
    /// Dampening `tau` of the momentum buffer: `b <- mu * b + (1 - tau) * g` (PyTorch's
    /// `dampening`, default 0). Plain SGD has no buffer for it to act on.
    #[must_use]
    pub const fn dampening(mut self, tau: f64) -> Self {
        self.dampening = tau;
        self
    }

    /// The momentum coefficient (0 for plain SGD).
    pub const fn momentum_coefficient(&self) -> f64 {
        self.momentum
    }

    /// Whether the momentum is Nesterov's.
    pub const fn is_nesterov(&self) -> bool {
        self.nesterov
    }
}

impl<T: Float> Default for Sgd<T, NoState> {
    /// PyTorch's default learning rate, `1e-3`.
    fn default() -> Self {
        Sgd::new(1e-3)
    }
}

impl<T, M> Regularize for Sgd<T, M> {
    fn regularization_mut(&mut self) -> &mut Regularization {
        &mut self.reg
    }
}

impl<T: Float, M: Params<T>> OptimizerBase for Sgd<T, M> {
    const STATE_BYTES: usize = core::mem::size_of::<M>();

    rate_and_steps!();
    fn reset(&mut self) {
        self.buffer.fill(T::ZERO);
        self.steps = 0;
    }
}

impl<T: Float, P: Params<T>, G: Params<T>, M: Params<T>> ParamsOptimizer<P, G> for Sgd<T, M> {
    #[inline]
    fn update(&mut self, params: &mut P, grads: &G) {
        assert_same_layout::<T, P, G, M>();
        let lr = T::cast(self.lr);
        let mu = T::cast(self.momentum);
        let keep = T::cast(1.0 - self.dampening);
        let first = self.steps == 0;
        for i in 0..P::TENSORS {
            let penalty = self.reg.penalty::<T>(P::tensor_kind(i), self.lr);
            let mut buffer = self.buffer.tensor_mut(i).iter_mut();
            for (p, g) in penalty.apply(params.tensor_mut(i), grads.tensor(i)) {
                let direction = match buffer.next() {
                    None => g,
                    Some(b) => {
                        *b = if first { g } else { mu * *b + keep * g };
                        if self.nesterov {
                            g + mu * *b
                        } else {
                            *b
                        }
                    }
                };
                *p -= lr * direction;
            }
        }
        self.steps += 1;
    }
}
