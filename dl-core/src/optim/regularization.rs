//! Regularisation applied by the optimizer: L1, L2 as coupled weight decay, and decoupled
//! weight decay (AdamW's), on weights only or on every parameter.

use super::non_negative;
use crate::error::{Error, HyperParameter};
use crate::float::Float;
use crate::network::TensorKind;

/// Which tensors a [`Regularization`] applies to. `Weights` is `0`, so a zeroed
/// [`Regularization`] is a valid one (see [`zeroed`](crate::zeroed)).
///
/// ```
/// use dl_core::prelude::*;
/// assert_eq!(Scope::default(), Scope::Weights); // Keras's: biases are not regularised
/// let mut opt = Sgd::<f32>::new(0.1).weight_decay(1e-4).regularize_all();
/// assert_eq!(opt.regularization_mut().scope, Scope::All); // PyTorch's weight_decay
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(u8)]
pub enum Scope {
    /// Weight matrices and kernels only, not biases: Keras's default (a regulariser is set
    /// per layer as `kernel_regularizer`).
    #[default]
    Weights = 0,
    /// Every parameter, biases included: what PyTorch's `weight_decay` does when all
    /// parameters are in one group.
    All,
}

/// The penalties an optimizer adds to the loss, or applies to the weights, at every update.
///
/// With `p` a parameter in [`scope`](Self::scope), `g` its gradient and `lr` the update's
/// learning rate:
/// - `l1` adds `l1 * |p|` to the loss: the gradient becomes `g + l1 * sign(p)`, with
///   `sign(0) = 0` (the subgradient that leaves an exact zero at zero).
/// - `l2` is PyTorch's `weight_decay`, coupled: `g + l2 * p`. It is the gradient of
///   `l2/2 * p^2`, so Keras's `regularizers.l2(lambda)` (loss `lambda * p^2`) is `l2 = 2 lambda`.
/// - `decoupled` is AdamW's decoupled weight decay: `p <- p * (1 - lr * decoupled)` before the
///   optimizer's own update, outside its moment estimates.
///
/// All three may be combined; the default is none.
///
/// ```
/// use dl_core::prelude::*;
/// // Keras's kernel_regularizer=l2(1e-4) is PyTorch's weight_decay=2e-4, on weights only.
/// let mut opt = Sgd::<f32>::new(0.01).weight_decay(2e-4);
/// assert_eq!(*opt.regularization_mut(), Regularization { l2: 2e-4, ..Regularization::NONE });
/// assert!(Regularization { l1: -1.0, ..Regularization::NONE }.validate().is_err());
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Regularization {
    /// L1 coefficient (gradient term `l1 * sign(p)`).
    pub l1: f64,
    /// Coupled L2 coefficient, PyTorch's `weight_decay` (gradient term `l2 * p`).
    pub l2: f64,
    /// Decoupled weight decay (`p *= 1 - lr * decoupled` before the update).
    pub decoupled: f64,
    /// Which tensors are regularised.
    pub scope: Scope,
}

impl Regularization {
    /// No regularisation.
    pub const NONE: Self = Regularization {
        l1: 0.0,
        l2: 0.0,
        decoupled: 0.0,
        scope: Scope::Weights,
    };

    /// Checks that every coefficient is finite and `>= 0`.
    pub fn validate(&self) -> Result<(), Error> {
        non_negative(HyperParameter::L1, self.l1)?;
        non_negative(HyperParameter::L2, self.l2)?;
        non_negative(HyperParameter::DecoupledWeightDecay, self.decoupled)
    }

    /// The coefficients for one tensor of kind `kind`, updated with learning rate `lr`: zero
    /// if the tensor is out of scope.
    #[inline]
    pub fn penalty<T: Float>(&self, kind: TensorKind, lr: f64) -> Penalty<T> {
        if self.scope == Scope::Weights && kind == TensorKind::Bias {
            return Penalty {
                l1: T::ZERO,
                l2: T::ZERO,
                shrink: T::ONE,
            };
        }
        Penalty {
            l1: T::cast(self.l1),
            l2: T::cast(self.l2),
            shrink: T::cast(1.0 - lr * self.decoupled),
        }
    }
}

/// [`Regularization`] resolved for one tensor and one update, in the scalar type.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Penalty<T> {
    l1: T,
    l2: T,
    shrink: T,
}

impl<T: Float> Penalty<T> {
    /// No penalty at all: the gradient is used as it is and the parameter is not shrunk.
    #[inline(always)]
    pub fn is_none(&self) -> bool {
        self.l1 == T::ZERO && self.l2 == T::ZERO && self.shrink == T::ONE
    }

    /// The regularised gradient `g + l2 * p + l1 * sign(p)` (terms with a zero coefficient are
    /// skipped, so an unregularised gradient is returned bit for bit).
    #[inline(always)]
    pub fn gradient(&self, g: T, p: T) -> T {
        let mut g = g;
        if self.l2 != T::ZERO {
            g += self.l2 * p;
        }
        if self.l1 != T::ZERO {
            g += self.l1 * sign(p);
        }
        g
    }

    /// Applies decoupled weight decay to `p` in place: `p *= 1 - lr * decoupled`.
    #[inline(always)]
    pub fn shrink(&self, p: &mut T) {
        *p = self.shrunk(*p);
    }

    /// `p` after decoupled weight decay, `p * (1 - lr * decoupled)` (`p` itself without it).
    #[inline(always)]
    pub fn shrunk(&self, p: T) -> T {
        if self.shrink != T::ONE {
            p * self.shrink
        } else {
            p
        }
    }

    /// The parameter after decoupled decay and the regularised gradient, for a parameter `p`
    /// with loss gradient `g`: what [`apply`](Self::apply) yields, without writing anything
    /// (the check of an update runs on it).
    #[inline(always)]
    pub fn pair(&self, p: T, g: T) -> (T, T) {
        (self.shrunk(p), self.gradient(g, p))
    }

    /// Pairs each parameter of a tensor with its regularised gradient, having applied the
    /// decoupled decay to the parameter (the gradient is taken at the parameter before it):
    /// what an optimizer's update loop walks over.
    #[inline(always)]
    pub fn apply<'a>(
        self,
        params: &'a mut [T],
        grads: &'a [T],
    ) -> impl Iterator<Item = (&'a mut T, T)> + 'a {
        params.iter_mut().zip(grads).map(move |(p, &g)| {
            let g = self.gradient(g, *p);
            self.shrink(p);
            (p, g)
        })
    }
}

/// `sign(x)` with `sign(0) = 0` (and 0 for NaN, which then shows up in the loss instead).
#[inline(always)]
fn sign<T: Float>(x: T) -> T {
    if x > T::ZERO {
        T::ONE
    } else if x < T::ZERO {
        -T::ONE
    } else {
        T::ZERO
    }
}

/// Builder methods that set an optimizer's [`Regularization`]; every optimizer has them.
///
/// ```
/// use dl_core::prelude::*;
/// let mut opt = Sgd::<f64>::new(0.1).l1(1e-5).decoupled_weight_decay(0.01).regularize_all();
/// let reg = *opt.regularization_mut();
/// assert_eq!((reg.l1, reg.decoupled, reg.scope), (1e-5, 0.01, Scope::All));
/// ```
pub trait Regularize: Sized {
    /// The optimizer's regularisation, mutably.
    fn regularization_mut(&mut self) -> &mut Regularization;

    /// Replaces the whole regularisation.
    #[must_use]
    fn regularization(mut self, reg: Regularization) -> Self {
        *self.regularization_mut() = reg;
        self
    }

    /// L2 as coupled weight decay, PyTorch's `weight_decay`: the gradient gets `+ l2 * p`.
    #[must_use]
    fn weight_decay(mut self, l2: f64) -> Self {
        self.regularization_mut().l2 = l2;
        self
    }

    /// L1: the gradient gets `+ l1 * sign(p)`, `sign(0) = 0`.
    #[must_use]
    fn l1(mut self, l1: f64) -> Self {
        self.regularization_mut().l1 = l1;
        self
    }

    /// Decoupled weight decay: `p *= 1 - lr * decay` before each update (AdamW's form).
    #[must_use]
    fn decoupled_weight_decay(mut self, decay: f64) -> Self {
        self.regularization_mut().decoupled = decay;
        self
    }

    /// Regularise every parameter, biases included (the default is weights only).
    #[must_use]
    fn regularize_all(mut self) -> Self {
        self.regularization_mut().scope = Scope::All;
        self
    }
}
