//! AdamW: Adam with decoupled weight decay.

use super::{Adam, OptimizerBase, ParamsOptimizer, Pieces, Regularization, Regularize};
use crate::error::Error;
use crate::float::Float;
use crate::network::Params;

/// AdamW (Loshchilov & Hutter), PyTorch's `torch.optim.AdamW`: before each [`Adam`] update,
/// `p <- p * (1 - lr * weight_decay)`, outside the moment estimates (unlike Adam's coupled
/// `weight_decay`, which goes through them).
///
/// PyTorch's defaults: `lr = 1e-3` ([`Default`]), `betas = (0.9, 0.999)`, `eps = 1e-8`,
/// `weight_decay = 1e-2`. The decay is [`Regularization::decoupled`], applied to weights only
/// by default; [`regularize_all`](Regularize::regularize_all) extends it to biases as PyTorch
/// does with a single parameter group. As in PyTorch, [`weight_decay`](Self::weight_decay)
/// sets this decoupled decay. State: as Adam, two values of gradient type `G`.
///
/// ```
/// use dl_core::prelude::*;
/// network! { struct Line { Dense<1, 1, Identity> } }
/// let xs = [[0.0], [1.0], [2.0]].map(SVector::<f64, 1>::from);
/// let ys = [[1.0], [3.0], [5.0]].map(SVector::<f64, 1>::from); // y = 2x + 1
/// let (mut net, mut ws) = (Line::<f64>::new(1), Workspace::new());
/// // Adam with decoupled weight decay, PyTorch's `AdamW(lr=0.05, weight_decay=0.01)`.
/// let mut opt = AdamW::new(0.05).weight_decay(0.01);
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
pub struct AdamW<T, G> {
    /// The Adam update, whose [`reg`](Adam::reg) carries the decoupled decay.
    pub adam: Adam<T, G>,
}

impl<T: Float, G: Params<T>> AdamW<T, G> {
    /// AdamW with learning rate `lr` and PyTorch's other defaults (weight decay `1e-2`).
    pub const fn new(lr: f64) -> Self {
        let mut adam = Adam::new(lr);
        adam.reg.decoupled = 1e-2;
        AdamW { adam }
    }

    /// [`new`](Self::new) built in place on the heap: no state-sized temporary on the stack.
    #[cfg(feature = "alloc")]
    pub fn boxed(lr: f64) -> alloc::boxed::Box<Self>
    where
        G: crate::zeroed::Zeroable,
    {
        let mut adamw = crate::zeroed::boxed::<Self>();
        adamw.adam.set_defaults(lr);
        adamw.adam.reg.decoupled = 1e-2;
        adamw
    }

    /// Sets the decoupled weight decay: PyTorch's AdamW `weight_decay`, so this inherent method
    /// takes precedence over [`Regularize::weight_decay`] (coupled L2), which stays reachable
    /// as `Regularize::weight_decay(adamw, l2)` for the rare wish of both.
    #[must_use]
    pub const fn weight_decay(mut self, weight_decay: f64) -> Self {
        self.adam.reg.decoupled = weight_decay;
        self
    }

    /// Sets `(beta1, beta2)`.
    #[must_use]
    pub const fn betas(mut self, beta1: f64, beta2: f64) -> Self {
        self.adam.beta1 = beta1;
        self.adam.beta2 = beta2;
        self
    }

    /// Sets `eps`.
    #[must_use]
    pub const fn eps(mut self, eps: f64) -> Self {
        self.adam.eps = eps;
        self
    }
}

impl<T: Float, G: Params<T>> Default for AdamW<T, G> {
    /// PyTorch's default learning rate, `1e-3`.
    fn default() -> Self {
        AdamW::new(1e-3)
    }
}

impl<T, G> Regularize for AdamW<T, G> {
    fn regularization_mut(&mut self) -> &mut Regularization {
        &mut self.adam.reg
    }
}

impl<T: Float, G: Params<T>> OptimizerBase for AdamW<T, G> {
    const STATE_BYTES: usize = Adam::<T, G>::STATE_BYTES;

    #[inline]
    fn learning_rate(&self) -> f64 {
        self.adam.learning_rate()
    }
    #[inline]
    fn set_learning_rate(&mut self, lr: f64) {
        self.adam.set_learning_rate(lr);
    }
    #[inline]
    fn steps(&self) -> u64 {
        self.adam.steps()
    }
    fn reset(&mut self) {
        self.adam.reset();
    }
    fn validate(&self) -> Result<(), Error> {
        self.adam.validate()
    }
}

impl<T: Float, P: Params<T>, G: Params<T>> ParamsOptimizer<P, G> for AdamW<T, G> {
    #[inline]
    fn update(&mut self, params: &mut P, grads: &G) {
        self.adam.update(params, grads);
    }

    #[inline]
    fn check_update(&self, params: &P, grads: &G, scale: f64) -> Result<(), Error> {
        self.adam.check_update(params, grads, scale)
    }

    const PIECES: bool = true;

    /// Adam's ([`Adam`]'s `update_pieces`), its decoupled decay being Adam's regularisation.
    #[inline]
    fn update_pieces<Q: Pieces>(
        &mut self,
        params: &mut P,
        grads: &mut G,
        scale: f64,
        pieces: &Q,
    ) -> Option<Result<(), Error>> {
        self.adam.update_pieces(params, grads, scale, pieces)
    }
}
