//! RMSprop: gradients scaled by a running root mean square, optionally with momentum and
//! centering.

use super::cut::{self, CutRule};
use super::{
    in_range, non_negative, representable, sqrt, NoState, OptimizerBase, ParamsOptimizer,
    Regularization, Regularize,
};
use crate::error::{Error, HyperParameter, UpdatedTensor};
use crate::float::Float;
use crate::network::Params;
use core::marker::PhantomData;

/// RMSprop, PyTorch's `torch.optim.RMSprop` rule for rule. With `g` the (regularised)
/// gradient:
///
/// - `s <- alpha * s + (1 - alpha) * g^2`;
/// - centered: `a <- alpha * a + (1 - alpha) * g` and `d = sqrt(s - a^2) + eps`, otherwise
///   `d = sqrt(s) + eps`;
/// - plain: `p <- p - lr * g / d`; with momentum `m`: `b <- m * b + g / d`, `p <- p - lr * b`.
///
/// PyTorch's defaults: `lr = 1e-2` ([`Default`]), `alpha = 0.99`, `eps = 1e-8`, no momentum,
/// not centered. State: `s` (gradient type `G`), plus the momentum buffer `M` and the average
/// gradient `C`, each a `G` only when [`momentum`](Self::momentum) or
/// [`centered`](Self::centered) asked for it and [`NoState`] (0 bytes) otherwise.
///
/// ```
/// use dl_core::prelude::*;
/// network! { struct Line { Dense<1, 1, Identity> } }
/// let xs = [[0.0], [1.0], [2.0]].map(SVector::<f64, 1>::from);
/// let ys = [[1.0], [3.0], [5.0]].map(SVector::<f64, 1>::from); // y = 2x + 1
/// let (mut net, mut ws) = (Line::<f64>::new(1), Workspace::new());
/// // PyTorch's `RMSprop(lr=0.01, momentum=0.9, centered=True)`: each option adds a buffer.
/// let mut opt = RmsProp::<f64, LineGradient<f64>>::new(0.01).momentum(0.9).centered();
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
pub struct RmsProp<T, G, M = NoState, C = NoState> {
    /// The learning rate.
    pub lr: f64,
    /// Smoothing constant of the running averages.
    pub alpha: f64,
    /// Added to the root mean square in the denominator.
    pub eps: f64,
    /// Regularisation (PyTorch's `weight_decay` is [`Regularization::l2`]).
    pub reg: Regularization,
    momentum: f64,
    pub(super) square_avg: G,
    pub(super) momentum_buffer: M,
    pub(super) grad_avg: C,
    pub(super) steps: u64,
    scalar: PhantomData<T>,
}

impl<T: Float, G: Params<T>, M: Params<T>, C: Params<T>> RmsProp<T, G, M, C> {
    /// RMSprop built in place on the heap, with learning rate `lr`, momentum `momentum` (used
    /// when `M` is the gradient type, as [`momentum`](RmsProp::momentum) makes it; 0
    /// otherwise) and PyTorch's other defaults: no state-sized temporary on the stack.
    /// Centered when `C` is the gradient type.
    #[cfg(feature = "alloc")]
    pub fn boxed(lr: f64, momentum: f64) -> alloc::boxed::Box<Self>
    where
        G: crate::zeroed::Zeroable,
        M: crate::zeroed::Zeroable,
        C: crate::zeroed::Zeroable,
    {
        let mut rms = crate::zeroed::boxed::<Self>();
        (rms.lr, rms.alpha, rms.eps) = (lr, 0.99, 1e-8);
        rms.momentum = if M::TENSORS > 0 { momentum } else { 0.0 };
        rms.reg = Regularization::NONE;
        rms
    }
}

impl<T: Float, G: Params<T>> RmsProp<T, G> {
    /// Plain RMSprop with learning rate `lr` and PyTorch's other defaults.
    pub const fn new(lr: f64) -> Self {
        RmsProp {
            lr,
            alpha: 0.99,
            eps: 1e-8,
            reg: Regularization::NONE,
            momentum: 0.0,
            square_avg: G::ZERO,
            momentum_buffer: NoState,
            grad_avg: NoState,
            steps: 0,
            scalar: PhantomData,
        }
    }
}

impl<T: Float, G: Params<T>, C: Params<T>> RmsProp<T, G, NoState, C> {
    /// Adds momentum `m` (PyTorch's `momentum`) with a buffer of gradient type `G`.
    #[must_use]
    pub fn momentum(self, m: f64) -> RmsProp<T, G, G, C> {
        RmsProp {
            lr: self.lr,
            alpha: self.alpha,
            eps: self.eps,
            reg: self.reg,
            momentum: m,
            square_avg: self.square_avg,
            momentum_buffer: G::ZERO,
            grad_avg: self.grad_avg,
            steps: 0,
            scalar: PhantomData,
        }
    }
}

impl<T: Float, G: Params<T>, M: Params<T>> RmsProp<T, G, M, NoState> {
    /// Centered RMSprop (PyTorch's `centered=True`): divides by an estimate of the gradient's
    /// standard deviation instead of its root mean square.
    #[must_use]
    pub fn centered(self) -> RmsProp<T, G, M, G> {
        RmsProp {
            lr: self.lr,
            alpha: self.alpha,
            eps: self.eps,
            reg: self.reg,
            momentum: self.momentum,
            square_avg: self.square_avg,
            momentum_buffer: self.momentum_buffer,
            grad_avg: G::ZERO,
            steps: 0,
            scalar: PhantomData,
        }
    }
}

impl<T: Float, G: Params<T>, M: Params<T>, C: Params<T>> RmsProp<T, G, M, C> {
    /// Sets `alpha`.
    #[must_use]
    pub const fn alpha(mut self, alpha: f64) -> Self {
        self.alpha = alpha;
        self
    }

    /// Sets `eps`.
    #[must_use]
    pub const fn eps(mut self, eps: f64) -> Self {
        self.eps = eps;
        self
    }

    /// The momentum coefficient (0 without momentum).
    pub const fn momentum_coefficient(&self) -> f64 {
        self.momentum
    }
}

impl<T: Float, G: Params<T>> Default for RmsProp<T, G> {
    /// PyTorch's default learning rate, `1e-2`.
    fn default() -> Self {
        RmsProp::new(1e-2)
    }
}

impl<T, G, M, C> Regularize for RmsProp<T, G, M, C> {
    fn regularization_mut(&mut self) -> &mut Regularization {
        &mut self.reg
    }
}

impl<T: Float, G: Params<T>, M: Params<T>, C: Params<T>> OptimizerBase for RmsProp<T, G, M, C> {
    const STATE_BYTES: usize =
        core::mem::size_of::<G>() + core::mem::size_of::<M>() + core::mem::size_of::<C>();

    rate_and_steps!();

    fn validate(&self) -> Result<(), Error> {
        non_negative(HyperParameter::LearningRate, self.lr)?;
        representable::<T>(HyperParameter::LearningRate, self.lr)?;
        in_range(
            HyperParameter::Alpha,
            self.alpha,
            (0.0..=1.0).contains(&self.alpha),
            "in [0, 1]",
        )?;
        non_negative(HyperParameter::Epsilon, self.eps)?;
        non_negative(HyperParameter::Momentum, self.momentum)?;
        self.reg.validate()
    }
    fn reset(&mut self) {
        self.square_avg.fill(T::ZERO);
        self.momentum_buffer.fill(T::ZERO);
        self.grad_avg.fill(T::ZERO);
        self.steps = 0;
    }
}

/// The update rule of one step, in the scalar type.
#[derive(Clone, Copy)]
struct Rule<T> {
    lr: T,
    alpha: T,
    one_minus_alpha: T,
    eps: T,
    momentum: T,
    /// Whether the optimizer keeps the average gradient `a` (centered).
    centered: bool,
    /// Whether it keeps the momentum buffer `b`.
    with_momentum: bool,
}

impl<T: Float> CutRule<T> for Rule<T> {
    const STATES: [Option<UpdatedTensor>; 3] = [
        Some(UpdatedTensor::SquareAverage),
        Some(UpdatedTensor::AverageGradient),
        Some(UpdatedTensor::RmsPropMomentumBuffer),
    ];

    /// The new parameter, square average `s`, average gradient `a` and momentum buffer `b`
    /// from the (regularised) gradient `g` (`a` and `b` zero where not kept).
    #[inline(always)]
    fn apply(&self, p: T, g: T, [s, a, b]: [T; 3]) -> (T, [T; 3]) {
        let s = self.alpha * s + self.one_minus_alpha * (g * g);
        let (a, mean_square) = if self.centered {
            let a = self.alpha * a + self.one_minus_alpha * g;
            (a, s - a * a)
        } else {
            (T::ZERO, s)
        };
        let denom = sqrt(mean_square) + self.eps;
        if self.with_momentum {
            let b = self.momentum * b + g / denom;
            (p - self.lr * b, [s, a, b])
        } else {
            (p - self.lr * (g / denom), [s, a, T::ZERO])
        }
    }
}

impl<T: Float, G: Params<T>, M: Params<T>, C: Params<T>> RmsProp<T, G, M, C> {
    fn rule(&self) -> Rule<T> {
        Rule {
            lr: T::cast(self.lr),
            alpha: T::cast(self.alpha),
            one_minus_alpha: T::cast(1.0 - self.alpha),
            eps: T::cast(self.eps),
            momentum: T::cast(self.momentum),
            centered: C::TENSORS > 0,
            with_momentum: M::TENSORS > 0,
        }
    }
}

impl<T, P, G, M, C> ParamsOptimizer<P, G> for RmsProp<T, G, M, C>
where
    T: Float,
    P: Params<T>,
    G: Params<T>,
    M: Params<T>,
    C: Params<T>,
{
    cut::cut_methods!(square_avg, grad_avg, momentum_buffer);
}
