//! Adam: momentum and RMSprop-style scaling with bias-corrected moment estimates.

use super::{
    assert_same_layout, below_one, non_negative, representable, sqrt, Finite, OptimizerBase,
    ParamsOptimizer, Penalty, Pieces, Regularization, Regularize, Verdict,
};
use crate::error::{Error, HyperParameter};
use crate::float::Float;
use crate::network::Params;
use core::marker::PhantomData;

/// Adam (Kingma & Ba), PyTorch's `torch.optim.Adam` rule for rule. At update `t = 1, 2, ...`,
/// with `g` the (regularised) gradient:
///
/// `m <- b1 * m + (1 - b1) * g`, `v <- b2 * v + (1 - b2) * g^2`,
/// `p <- p - lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)`.
///
/// PyTorch's defaults: `lr = 1e-3` ([`Default`]), `betas = (0.9, 0.999)`, `eps = 1e-8`,
/// no weight decay. "Adam with L2" is [`weight_decay`](Regularize::weight_decay) (coupled, as
/// PyTorch's Adam does); the decoupled form is [`AdamW`](super::AdamW). State: the moments `m`
/// and `v`, two values of gradient type `G`.
///
/// ```
/// use dl_core::prelude::*;
///
/// network! {
///     struct Line { Dense<1, 1, Identity> }
/// }
///
/// let xs = [[0.0], [1.0], [2.0]].map(SVector::<f64, 1>::from);
/// let ys = [[1.0], [3.0], [5.0]].map(SVector::<f64, 1>::from); // y = 2x + 1
/// let mut net = Line::<f64>::new(0);
/// let mut adam = Adam::new(0.1).weight_decay(0.0); // state: 2 x Line's gradient
/// assert_eq!(Line::<f64>::ADAM_STATE_BYTES, 2 * Line::<f64>::GRADIENT_BYTES);
/// let mut ws = Workspace::new();
/// for _ in 0..2000 {
///     train_batch::<_, Mse, _>(&mut net, &mut adam, &xs, &ys, &mut ws)?;
/// }
/// let y = net.forward(&SVector::from([3.0]));
/// assert!((y[0] - 7.0).abs() < 1e-3, "{}", y[0]);
/// assert_eq!(adam.steps(), 2000);
/// # Ok::<(), dl_core::error::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Adam<T, G> {
    /// The learning rate.
    pub lr: f64,
    /// Decay of the first moment.
    pub beta1: f64,
    /// Decay of the second moment.
    pub beta2: f64,
    /// Added to the root of the second moment in the denominator.
    pub eps: f64,
    /// Regularisation.
    pub reg: Regularization,
    pub(super) m: G,
    pub(super) v: G,
    pub(super) steps: u64,
    scalar: PhantomData<T>,
}

impl<T: Float, G: Params<T>> Adam<T, G> {
    /// Adam with learning rate `lr` and PyTorch's other defaults.
    pub const fn new(lr: f64) -> Self {
        Adam {
            lr,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            reg: Regularization::NONE,
            m: G::ZERO,
            v: G::ZERO,
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
        let mut adam = crate::zeroed::boxed::<Self>();
        adam.set_defaults(lr);
        adam
    }

    /// The hyper-parameters of [`new`](Self::new), on a zeroed value.
    #[cfg(feature = "alloc")]
    pub(super) fn set_defaults(&mut self, lr: f64) {
        (self.lr, self.beta1, self.beta2, self.eps) = (lr, 0.9, 0.999, 1e-8);
        self.reg = Regularization::NONE;
    }

    /// Sets `(beta1, beta2)`.
    #[must_use]
    pub const fn betas(mut self, beta1: f64, beta2: f64) -> Self {
        self.beta1 = beta1;
        self.beta2 = beta2;
        self
    }

    /// Sets `eps`.
    #[must_use]
    pub const fn eps(mut self, eps: f64) -> Self {
        self.eps = eps;
        self
    }
}

impl<T: Float, G: Params<T>> Default for Adam<T, G> {
    /// PyTorch's default learning rate, `1e-3`.
    fn default() -> Self {
        Adam::new(1e-3)
    }
}

impl<T, G> Regularize for Adam<T, G> {
    fn regularization_mut(&mut self) -> &mut Regularization {
        &mut self.reg
    }
}

impl<T: Float, G: Params<T>> OptimizerBase for Adam<T, G> {
    const STATE_BYTES: usize = 2 * core::mem::size_of::<G>();

    rate_and_steps!();

    fn validate(&self) -> Result<(), Error> {
        non_negative(HyperParameter::LearningRate, self.lr)?;
        representable::<T>(HyperParameter::LearningRate, self.lr)?;
        below_one(HyperParameter::Beta1, self.beta1)?;
        below_one(HyperParameter::Beta2, self.beta2)?;
        non_negative(HyperParameter::Epsilon, self.eps)?;
        self.reg.validate()
    }
    fn reset(&mut self) {
        self.m.fill(T::ZERO);
        self.v.fill(T::ZERO);
        self.steps = 0;
    }
}

/// The update rule of one step (`t = steps + 1`), in the scalar type.
#[derive(Clone, Copy)]
struct Rule<T> {
    step_size: T,
    root_correction2: T,
    beta1: T,
    beta2: T,
    one_minus_beta1: T,
    one_minus_beta2: T,
    eps: T,
}

impl<T: Float> Rule<T> {
    /// Whether every new parameter, every `scale * g` and every new moment would be finite
    /// (`[updated, gradient, first, second]`) for one tensor's (or a piece's) parameters,
    /// gradient and moments, computed as the update computes them.
    #[inline(always)]
    fn check(&self, penalty: Penalty<T>, scale: T, [p, g, m, v]: [&[T]; 4]) -> [bool; 4] {
        let [mut gradient, mut updated, mut first, mut second] = [Finite::new(); 4];
        for ((&p, &g), (&m, &v)) in p.iter().zip(g).zip(m.iter().zip(v)) {
            let g = g * scale;
            gradient.add(g);
            let (p, g) = penalty.pair(p, g);
            let (p, m, v) = self.apply(p, g, m, v);
            updated.add(p);
            first.add(m);
            second.add(v);
        }
        [updated.ok(), gradient.ok(), first.ok(), second.ok()]
    }

    /// The new parameter and moments from the (regularised) gradient `g`.
    #[inline(always)]
    fn apply(&self, p: T, g: T, m: T, v: T) -> (T, T, T) {
        let m = self.beta1 * m + self.one_minus_beta1 * g;
        let v = self.beta2 * v + self.one_minus_beta2 * (g * g);
        let p = p - self.step_size * (m / (sqrt(v) / self.root_correction2 + self.eps));
        (p, m, v)
    }
}

impl<T: Float, G: Params<T>> Adam<T, G> {
    fn rule(&self) -> Rule<T> {
        let t = (self.steps + 1) as f64;
        Rule {
            step_size: T::cast(self.lr / (1.0 - libm::pow(self.beta1, t))),
            root_correction2: T::cast(libm::sqrt(1.0 - libm::pow(self.beta2, t))),
            beta1: T::cast(self.beta1),
            beta2: T::cast(self.beta2),
            one_minus_beta1: T::cast(1.0 - self.beta1),
            one_minus_beta2: T::cast(1.0 - self.beta2),
            eps: T::cast(self.eps),
        }
    }
}

impl<T: Float, P: Params<T>, G: Params<T>> ParamsOptimizer<P, G> for Adam<T, G> {
    #[inline]
    fn update(&mut self, params: &mut P, grads: &G) {
        assert_same_layout::<T, P, G, G>();
        let rule = self.rule();
        for i in 0..P::TENSORS {
            let penalty = self.reg.penalty::<T>(P::tensor_kind(i), self.lr);
            let pairs = penalty.apply(params.tensor_mut(i), grads.tensor(i));
            let moments = self.m.tensor_mut(i).iter_mut().zip(self.v.tensor_mut(i));
            for ((p, g), (m, v)) in pairs.zip(moments) {
                (*p, *m, *v) = rule.apply(*p, g, *m, *v);
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
            let (p, g) = (params.tensor(i), grads.tensor(i));
            let flags = rule.check(penalty, scale, [p, g, self.m.tensor(i), self.v.tensor(i)]);
            verdict.record(i, flags);
        }
        verdict.finish(params)
    }

    const PIECES: bool = true;

    /// The check of [`check_update`](ParamsOptimizer::check_update), then (if it passes) the
    /// scaling and [`update`](ParamsOptimizer::update), then the zeroing, as
    /// [`Optimizer::step_consume`](super::Optimizer::step_consume) runs them, each tensor's
    /// pass through `pieces`: the same per-element operations, so the same bits.
    fn update_pieces<Q: Pieces>(
        &mut self,
        params: &mut P,
        grads: &mut G,
        scale: f64,
        pieces: &Q,
    ) -> Option<Result<(), Error>> {
        assert_same_layout::<T, P, G, G>();
        let (rule, scale) = (self.rule(), T::cast(scale));
        let mut verdict = Verdict::new();
        for i in 0..P::TENSORS {
            let penalty = self.reg.penalty::<T>(P::tensor_kind(i), self.lr);
            let slices = tensors(i, params, grads, &mut self.m, &mut self.v);
            let flags = pieces.run(slices, &|[p, g, m, v]| {
                rule.check(penalty, scale, [&*p, &*g, &*m, &*v])
            });
            verdict.record(i, flags);
        }
        let result = verdict.finish(&*params);
        let apply = result.is_ok();
        for i in 0..P::TENSORS {
            let penalty = self.reg.penalty::<T>(P::tensor_kind(i), self.lr);
            let slices = tensors(i, params, grads, &mut self.m, &mut self.v);
            pieces.run(slices, &|[p, g, m, v]| {
                if apply {
                    for g in g.iter_mut() {
                        *g *= scale;
                    }
                    let moments = m.iter_mut().zip(v.iter_mut());
                    for ((p, g), (m, v)) in penalty.apply(p, g).zip(moments) {
                        (*p, *m, *v) = rule.apply(*p, g, *m, *v);
                    }
                }
                g.fill(T::ZERO);
                [true; 4]
            });
        }
        if apply {
            self.steps += 1;
        }
        Some(result)
    }
}

/// Tensor `i` of the parameters, the gradient and the two moments.
#[inline(always)]
fn tensors<'a, T: Float, P: Params<T>, G: Params<T>>(
    i: usize,
    params: &'a mut P,
    grads: &'a mut G,
    m: &'a mut G,
    v: &'a mut G,
) -> [&'a mut [T]; 4] {
    [
        params.tensor_mut(i),
        grads.tensor_mut(i),
        m.tensor_mut(i),
        v.tensor_mut(i),
    ]
}
