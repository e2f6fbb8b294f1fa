//! Plain stochastic gradient descent.

use super::{
    assert_same_layout, non_negative, NoState, OptimizerBase, ParamsOptimizer, Regularization,
    Regularize, SgdMomentum,
};
use crate::error::Error;
use crate::float::Float;
use crate::network::Params;
use core::marker::PhantomData;

/// Plain stochastic gradient descent, PyTorch's `torch.optim.SGD` without momentum:
/// `p <- p - lr * g`, with `g` the (regularised) gradient. It keeps no state.
///
/// PyTorch's default learning rate is `1e-3` ([`Default`]). [`momentum`](Self::momentum) and
/// [`nesterov`](Self::nesterov) turn it into [`SgdMomentum`], which has a buffer.
///
/// ```
/// use dl_core::prelude::*;
/// # network! { struct Net { Dense<2, 1, Sigmoid> } }
/// let plain = Sgd::<f32>::new(0.1);
/// let momentum: SgdMomentum<f32, NetGradient<f32>> = Sgd::new(0.05).momentum(0.9);
/// assert_eq!(<Sgd<f32> as OptimizerBase>::STATE_BYTES, 0);
/// assert_eq!(
///     <SgdMomentum<f32, NetGradient<f32>> as OptimizerBase>::STATE_BYTES,
///     Net::<f32>::GRADIENT_BYTES
/// );
/// ```
#[derive(Clone, Debug)]
pub struct Sgd<T = f32> {
    /// The learning rate.
    pub lr: f64,
    /// Regularisation (PyTorch's `weight_decay` is [`Regularization::l2`]).
    pub reg: Regularization,
    steps: u64,
    scalar: PhantomData<T>,
}

impl<T: Float> Sgd<T> {
    /// Plain SGD with learning rate `lr`.
    pub const fn new(lr: f64) -> Self {
        Sgd {
            lr,
            reg: Regularization::NONE,
            steps: 0,
            scalar: PhantomData,
        }
    }

    /// SGD with momentum `mu` (PyTorch's `momentum`), keeping a buffer of gradient type `G`.
    #[must_use]
    pub const fn momentum<G: Params<T>>(self, mu: f64) -> SgdMomentum<T, G> {
        SgdMomentum::new(self.lr, mu).regularized(self.reg)
    }

    /// SGD with Nesterov momentum `mu` (PyTorch's `nesterov=True`).
    #[must_use]
    pub const fn nesterov<G: Params<T>>(self, mu: f64) -> SgdMomentum<T, G> {
        self.momentum(mu).with_nesterov()
    }
}

impl<T: Float> Default for Sgd<T> {
    /// PyTorch's default learning rate, `1e-3`.
    fn default() -> Self {
        Sgd::new(1e-3)
    }
}

impl<T> Regularize for Sgd<T> {
    fn regularization_mut(&mut self) -> &mut Regularization {
        &mut self.reg
    }
}

impl<T: Float> OptimizerBase for Sgd<T> {
    const STATE_BYTES: usize = 0;

    rate_and_steps!();

    fn validate(&self) -> Result<(), Error> {
        non_negative("lr", self.lr)?;
        self.reg.validate()
    }

    fn reset(&mut self) {
        self.steps = 0;
    }
}

impl<T: Float, P: Params<T>, G: Params<T>> ParamsOptimizer<P, G> for Sgd<T> {
    #[inline]
    fn update(&mut self, params: &mut P, grads: &G) {
        assert_same_layout::<T, P, G, NoState>();
        let lr = T::cast(self.lr);
        for i in 0..P::TENSORS {
            let penalty = self.reg.penalty::<T>(P::tensor_kind(i), self.lr);
            if penalty.is_none() {
                // `p -= lr g` over the whole tensor, in the vectorised kernel.
                crate::kernel::axpy(params.tensor_mut(i), -lr, grads.tensor(i));
                continue;
            }
            for (p, g) in penalty.apply(params.tensor_mut(i), grads.tensor(i)) {
                *p -= lr * g;
            }
        }
        self.steps += 1;
    }

    /// `p -= lr scale g` and `g = 0` in one pass (the kernel `axpy_zero`) for tensors without
    /// a penalty; the regularised ones scale, update and zero in turn.
    #[inline]
    fn update_consume(&mut self, params: &mut P, grads: &mut G, scale: f64) -> bool {
        assert_same_layout::<T, P, G, NoState>();
        let (lr, scale) = (T::cast(self.lr), T::cast(scale));
        for i in 0..P::TENSORS {
            let penalty = self.reg.penalty::<T>(P::tensor_kind(i), self.lr);
            let g = grads.tensor_mut(i);
            if penalty.is_none() {
                crate::kernel::axpy_zero(params.tensor_mut(i), -(lr * scale), g);
                continue;
            }
            for g in g.iter_mut() {
                *g *= scale;
            }
            for (p, g) in penalty.apply(params.tensor_mut(i), g) {
                *p -= lr * g;
            }
            grads.tensor_mut(i).fill(T::ZERO);
        }
        self.steps += 1;
        true
    }
}
