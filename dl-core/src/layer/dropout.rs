use super::parameter_free::{no_params, NoGrad};
use super::{Layer, LayerCache};
use crate::activation::Identity;
use crate::float::Float;
use crate::network::Vector;
use crate::rng::Rng;
use crate::zeroed::Zeroable;
use core::marker::PhantomData;
use nalgebra::SVector;

/// Encodes a drop probability for [`Dropout`]'s const parameter: `Dropout<T, N, { rate(0.5) }>`.
///
/// Rust has no float const generics, so `network!` parses `Dropout<0.5>` and writes the
/// rate's bit pattern.
pub const fn rate(p: f64) -> u64 {
    p.to_bits()
}

/// Inverted dropout (Srivastava et al., 2014): while training, each input is zeroed with
/// probability `p` and the survivors are scaled by `1 / (1 - p)`, so the expected output
/// equals the input and inference needs no rescaling; at inference the layer is the identity.
///
/// Training: `m_i = 1 / (1 - p)` with probability `1 - p`, else `0`; `a = m * x`;
/// backward `dL/dx = m * dL/da`. A training pass is two steps:
/// [`draw_mask`](Dropout::draw_mask) draws `m` into the layer's cache from a generator the
/// caller owns (a network's [`DropoutMasks`], kept in its
/// [`Workspace`](crate::train::Workspace)), and [`forward_train`](Layer::forward_train) applies
/// the mask in the cache. So no `std`, no heap, the same seed gives the same masks, and the
/// cache stays scratch that any pass may overwrite. Rates outside `[0, 1)` are refused by
/// `network!`; [`Dropout::RATE`] is checked as a backstop.
///
/// ```
/// use dl_core::prelude::*;
/// network! {
///     struct Net { Dense<4, 8, Relu>, Dropout<0.5>, Dense<8, 2, Identity> }
/// }
/// let net = Net::<f64>::new(1);
/// let x = SVector::from([1.0, -1.0, 0.5, 2.0]);
/// // Training: the masks come from the workspace's generators, so a seed fixes them.
/// let mut ws = Workspace::<Net<f64>>::new();
/// ws.seed_dropout(7);
/// net.forward_train(&x, &mut ws.cache, &mut ws.masks);
/// let first = *Net::<f64>::output(&ws.cache);
/// net.forward_train(&x, &mut ws.cache, &mut ws.masks);
/// assert_ne!(Net::<f64>::output(&ws.cache), &first); // the next pass draws other masks
/// ws.seed_dropout(7);
/// net.forward_train(&x, &mut ws.cache, &mut ws.masks);
/// assert_eq!(Net::<f64>::output(&ws.cache), &first); // the same seed, the same masks
/// // Inference: the identity.
/// net.forward_eval(&x, &mut ws.cache);
/// assert_eq!(Net::<f64>::output(&ws.cache), &net.forward(&x));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Dropout<T: Float, const N: usize, const RATE_BITS: u64>(PhantomData<T>);

no_params!(Dropout<T, N, RATE_BITS>, [T: Float, const N: usize, const RATE_BITS: u64]);

/// What a [`Dropout`] layer keeps for backward: its output and the mask of the pass (each
/// entry `0` or `1 / (1 - p)`). Scratch: the generator the masks come from is not here but in
/// the network's [`DropoutMasks`].
#[derive(Clone, Debug, PartialEq)]
pub struct DropoutCache<T: Float, const N: usize> {
    /// The output `m * x`.
    pub a: SVector<T, N>,
    /// The mask `m` of the last training pass.
    pub mask: SVector<T, N>,
}

impl<T: Float, const N: usize> DropoutCache<T, N> {
    /// A cache of zeros (a zero mask drops every input until a mask is drawn).
    pub const ZERO: Self = DropoutCache {
        a: <SVector<T, N> as Vector<T>>::ZERO,
        mask: <SVector<T, N> as Vector<T>>::ZERO,
    };
}

/// The state a network's Dropout layers carry from one training pass to the next: one mask
/// generator a layer. It lives beside the caches, in the
/// [`Workspace`](crate::train::Workspace), not in them: a cache is scratch that every pass
/// overwrites, while a generator is state that a training run continues.
///
/// `network!` generates `{Name}Masks` (a [`Rng`] a Dropout layer) for networks with Dropout
/// layers; `()` serves the others.
///
/// ```
/// use dl_core::prelude::*;
/// network! { struct Dropped { Dense<2, 8, Relu>, Dropout<0.5>, Dense<8, 1, Identity> } }
/// let net = Dropped::<f64>::new(1);
/// let x = SVector::from([1.0, 2.0]);
/// let (mut cache, mut masks) = (Dropped::<f64>::CACHE_ZERO, DroppedMasks::START);
/// masks.seed_dropout(7);
/// net.forward_train(&x, &mut cache, &mut masks);
/// let first = *Dropped::output(&cache);
/// // The same seed draws the same masks again: a resumed epoch drops what it dropped.
/// let mut again = DroppedMasks::START;
/// again.seed_dropout(7);
/// net.forward_train(&x, &mut cache, &mut again);
/// assert_eq!(*Dropped::output(&cache), first);
/// ```
pub trait DropoutMasks: Clone + Zeroable {
    /// The generators seeded with `0`, as a `const`: what [`Workspace::ZERO`] holds.
    ///
    /// [`Workspace::ZERO`]: crate::train::Workspace::ZERO
    const START: Self;

    /// Restarts every generator from `seed`: the same seed gives the same masks in the same
    /// order. Each layer mixes its own constant into `seed`, so no two Dropout layers share a
    /// mask.
    fn seed_dropout(&mut self, seed: u64);
}

/// A network without Dropout layers has no masks to draw.
impl DropoutMasks for () {
    const START: Self = ();

    #[inline]
    fn seed_dropout(&mut self, _seed: u64) {}
}

impl<T: Float, const N: usize> LayerCache<SVector<T, N>> for DropoutCache<T, N> {
    #[inline(always)]
    fn preactivation(&self) -> &SVector<T, N> {
        &self.a
    }
    #[inline(always)]
    fn output(&self) -> &SVector<T, N> {
        &self.a
    }
}

impl<T: Float, const N: usize, const RATE_BITS: u64> Dropout<T, N, RATE_BITS> {
    /// The probability `p` that an input is dropped.
    pub const RATE: f64 = {
        let p = f64::from_bits(RATE_BITS);
        assert!(p >= 0.0 && p < 1.0, "Dropout: the rate must be in [0, 1)");
        p
    };

    /// The layer (it has no parameters).
    pub const fn new() -> Self {
        Dropout(PhantomData)
    }

    /// The layer; it has no parameters, so `scalars` is not read (for `network!`'s
    /// `from_scalars`).
    pub const fn from_scalars(_scalars: &[T], _at: usize) -> Self {
        Self::new()
    }

    /// Draws the mask of the next training pass into `cache` from `rng`: each entry is `0`
    /// with probability `p`, else `1 / (1 - p)`. One uniform draw an input, in order.
    #[inline]
    pub fn draw_mask(&self, rng: &mut Rng, cache: &mut DropoutCache<T, N>) {
        let p = Self::RATE;
        let keep = T::cast(1.0 / (1.0 - p));
        for m in cache.mask.iter_mut() {
            *m = if rng.uniform() < p { T::ZERO } else { keep };
        }
    }
}

impl<T: Float, const N: usize, const RATE_BITS: u64> Layer<T> for Dropout<T, N, RATE_BITS> {
    type Input = SVector<T, N>;
    type Output = SVector<T, N>;
    type Cache = DropoutCache<T, N>;
    type Gradient = NoGrad<T>;
    type Activation = Identity;

    const CACHE_ZERO: Self::Cache = DropoutCache::ZERO;

    #[inline]
    fn init(&mut self, _rng: &mut Rng) {}

    /// Inference: the identity.
    #[inline(always)]
    fn forward(&self, x: &SVector<T, N>) -> SVector<T, N> {
        *x
    }

    /// Training: applies the mask that [`draw_mask`](Dropout::draw_mask) drew into the cache,
    /// `a = m * x`.
    #[inline]
    fn forward_train(&self, x: &SVector<T, N>, cache: &mut DropoutCache<T, N>) {
        for ((a, &m), &x) in cache.a.iter_mut().zip(cache.mask.iter()).zip(x.iter()) {
            *a = m * x;
        }
    }

    /// Inference into the cache: the identity (the mask is left as it was).
    #[inline]
    fn forward_eval(&self, x: &SVector<T, N>, cache: &mut DropoutCache<T, N>) {
        cache.a.copy_from(x);
    }

    #[inline]
    fn activation_backward(&self, _cache: &Self::Cache, _d: &mut SVector<T, N>) {}

    #[inline]
    fn backward_preact(
        &self,
        _x: &SVector<T, N>,
        cache: &DropoutCache<T, N>,
        dz: &SVector<T, N>,
        _grad: &mut NoGrad<T>,
        d_input: Option<&mut SVector<T, N>>,
    ) {
        if let Some(dx) = d_input {
            for ((dx, &d), &m) in dx.iter_mut().zip(dz.iter()).zip(cache.mask.iter()) {
                *dx = d * m;
            }
        }
    }
}
