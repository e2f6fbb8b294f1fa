use super::parameter_free::{no_params, NoGrad};
use super::{Layer, LayerCache};
use crate::activation::Identity;
use crate::float::Float;
use crate::network::Vector;
use crate::rng::Rng;
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
/// backward `dL/dx = m * dL/da`. The mask is drawn from the [`Rng`] held in the layer's cache
/// ([`DropoutCache`]), so no `std`, no heap, and the same seed gives the same masks. Rates
/// outside `[0, 1)` are refused by `network!`; [`Dropout::RATE`] is checked as a backstop.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Dropout<T: Float, const N: usize, const RATE_BITS: u64>(PhantomData<T>);

no_params!(Dropout<T, N, RATE_BITS>, [T: Float, const N: usize, const RATE_BITS: u64]);

/// What a [`Dropout`] layer keeps: its output, the mask it drew (each entry `0` or
/// `1 / (1 - p)`), and the generator the next mask is drawn from.
#[derive(Clone, Debug, PartialEq)]
pub struct DropoutCache<T: Float, const N: usize> {
    /// The output `m * x`.
    pub a: SVector<T, N>,
    /// The mask `m` of the last training pass.
    pub mask: SVector<T, N>,
    /// The generator of the masks.
    pub rng: Rng,
}

impl<T: Float, const N: usize> DropoutCache<T, N> {
    /// A zero cache whose masks are drawn from `seed`.
    pub const fn seeded(seed: u64) -> Self {
        DropoutCache {
            a: <SVector<T, N> as Vector<T>>::ZERO,
            mask: <SVector<T, N> as Vector<T>>::ZERO,
            rng: Rng::new(seed),
        }
    }
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
}

impl<T: Float, const N: usize, const RATE_BITS: u64> Layer<T> for Dropout<T, N, RATE_BITS> {
    type Input = SVector<T, N>;
    type Output = SVector<T, N>;
    type Cache = DropoutCache<T, N>;
    type Gradient = NoGrad<T>;
    type Activation = Identity;

    /// Masks drawn from a fixed seed; `network!` gives each Dropout layer its own seed.
    const CACHE_ZERO: Self::Cache = DropoutCache::seeded(0xD50F_0000);

    #[inline]
    fn init(&mut self, _rng: &mut Rng) {}

    /// Inference: the identity.
    #[inline(always)]
    fn forward(&self, x: &SVector<T, N>) -> SVector<T, N> {
        *x
    }

    /// Training: draws a fresh mask and applies it.
    #[inline]
    fn forward_train(&self, x: &SVector<T, N>, cache: &mut DropoutCache<T, N>) {
        let p = Self::RATE;
        let keep = T::cast(1.0 / (1.0 - p));
        for ((a, m), &x) in cache.a.iter_mut().zip(cache.mask.iter_mut()).zip(x.iter()) {
            *m = if cache.rng.uniform() < p {
                T::ZERO
            } else {
                keep
            };
            *a = *m * x;
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
