//! Plain stochastic gradient descent.

use super::{
    assert_same_layout, non_negative, representable, ElementwiseStep, Finite, NoState,
    OptimizerBase, ParamsOptimizer, Regularization, Regularize, SgdMomentum, Verdict,
};
use crate::error::{Error, HyperParameter, UpdatedTensor};
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
    pub(super) steps: u64,
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
        non_negative(HyperParameter::LearningRate, self.lr)?;
        representable::<T>(HyperParameter::LearningRate, self.lr)?;
        self.reg.validate()
    }

    fn reset(&mut self) {
        self.steps = 0;
    }

    /// The rate, when no regularisation is set (every tensor's update is `p -= lr g`).
    #[inline]
    fn sgd_rate(&self) -> Option<f64> {
        let reg = &self.reg;
        (reg.l1 == 0.0 && reg.l2 == 0.0 && reg.decoupled == 0.0).then_some(self.lr)
    }

    #[inline]
    fn sgd_applied(&mut self) {
        self.steps += 1;
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

    /// `p -= lr scale g` in one pass that also checks the result and leaves the old `p` where
    /// `g` was ([`crate::kernel::axpy_swap`]; the regularised tensors in the same loop as
    /// [`update`](ParamsOptimizer::update)), then `g = 0` in a second pass. A bad step (a
    /// non-finite gradient or new weight) is undone exactly from the old values before the
    /// gradient is zeroed: the same memory traffic as checking the gradient, then updating
    /// and zeroing it, with the weights checked too.
    #[inline]
    fn update_consume(
        &mut self,
        params: &mut P,
        grads: &mut G,
        scale: f64,
    ) -> Option<Result<(), Error>> {
        Some(self.swap_update(params, grads, scale, true))
    }

    /// [`update_consume`](ParamsOptimizer::update_consume) without its zeroing pass when the
    /// step is applied: `g` keeps the old weights.
    #[inline]
    fn update_discard(
        &mut self,
        params: &mut P,
        grads: &mut G,
        scale: f64,
    ) -> Option<Result<(), Error>> {
        Some(self.swap_update(params, grads, scale, false))
    }

    /// `p -= lr g` element by element (with the penalty's terms): see [`ElementwiseStep`].
    #[inline]
    fn elementwise(&self) -> Option<ElementwiseStep> {
        Some(self.rule())
    }

    #[inline]
    fn applied_elementwise(&mut self) {
        self.steps += 1;
    }

    /// The unregularised tensors through [`crate::kernel::axpy_finite`] (what `axpy_zero`
    /// and `axpy` compute, reading the parameters and the gradient once); the regularised
    /// ones through the same loop as the update.
    fn check_update(&self, params: &P, grads: &G, scale: f64) -> Result<(), Error> {
        let (lr, scale) = (T::cast(self.lr), T::cast(scale));
        let mut verdict = Verdict::new();
        for i in 0..P::TENSORS {
            let penalty = self.reg.penalty::<T>(P::tensor_kind(i), self.lr);
            let (p, g) = (params.tensor(i), grads.tensor(i));
            if penalty.is_none() {
                if !crate::kernel::axpy_finite(p, -(lr * scale), g) {
                    // Rare: tell a bad gradient from an overflowing update.
                    verdict.gradient(crate::float::all_finite(g));
                    verdict.tensor(i, UpdatedTensor::Parameters, false);
                }
                continue;
            }
            let (mut gradient, mut updated) = (Finite::new(), Finite::new());
            for (&p, &g) in p.iter().zip(g) {
                let g = g * scale;
                gradient.add(g);
                let (p, g) = penalty.pair(p, g);
                updated.add(p - lr * g);
            }
            verdict.gradient(gradient.ok());
            verdict.tensor(i, UpdatedTensor::Parameters, updated.ok());
        }
        verdict.finish(params)
    }
}

impl<T: Float> Sgd<T> {
    /// The checked swap pass of [`ParamsOptimizer::update_consume`]: `p -= lr scale g` with the
    /// old `p` left in `g` ([`ElementwiseStep::swap`] over each whole tensor); a bad step is
    /// undone from those old values and `g` zeroed; an applied one zeroes `g` only if `zero`.
    #[inline]
    fn swap_update<P: Params<T>, G: Params<T>>(
        &mut self,
        params: &mut P,
        grads: &mut G,
        scale: f64,
        zero: bool,
    ) -> Result<(), Error> {
        assert_same_layout::<T, P, G, NoState>();
        let (rule, scale) = (self.rule(), T::cast(scale));
        let mut verdict = Verdict::new();
        for i in 0..P::TENSORS {
            let (p, g) = (params.tensor_mut(i), grads.tensor_mut(i));
            let (updated, gradient) = rule.swap(P::tensor_kind(i), p, g, scale);
            verdict.gradient(gradient);
            verdict.tensor(i, UpdatedTensor::Parameters, updated);
            // One tensor's swap at a time where the CPU has masked loads (AVX2 on): a tiny
            // network's tensors (XOR 2-4-1: 8, 4, 4 and 1 values) are short, fully unrolled
            // loops, which a native build merged into masked 256-bit loads across tensors
            // that overlap narrower stores just made to the same memory, loads the CPU
            // cannot serve from its store queue (perf: the step's hottest instruction
            // followed one). Emits no instruction.
            if cfg!(target_feature = "avx2") {
                core::sync::atomic::compiler_fence(core::sync::atomic::Ordering::SeqCst);
            }
        }
        let result = verdict.finish(&*params);
        if result.is_ok() && !zero {
            self.steps += 1;
            return result;
        }
        for i in 0..P::TENSORS {
            ElementwiseStep::settle(params.tensor_mut(i), grads.tensor_mut(i), result.is_err());
        }
        if result.is_ok() {
            self.steps += 1;
        }
        result
    }

    /// This optimizer's update as an element-wise rule.
    #[inline]
    fn rule(&self) -> ElementwiseStep {
        ElementwiseStep {
            lr: self.lr,
            reg: self.reg,
        }
    }
}
