use super::parameter_free::{no_params, NoGrad, OutputCache};
use super::Layer;
use crate::activation::Identity;
use crate::float::Float;
use crate::network::Vector;
use crate::rng::Rng;
use core::marker::PhantomData;
use nalgebra::SVector;

/// Global average pooling: each channel of a `C x H x W` image becomes its mean, a vector of
/// `C` features. PyTorch writes it `nn.AdaptiveAvgPool2d(1)` followed by `nn.Flatten()`.
///
/// `a[c] = (1 / (H W)) sum_{y, x} x[c, y, x]`. It is linear, so backward spreads each output
/// gradient evenly over its channel: `dL/dx[c, y, x] = dL/da[c] / (H W)`.
///
/// The input is flat (`IN = C * H * W`, `C, H, W` order); `network!` writes the sizes and
/// [`GlobalAvgPool2D::SHAPE`] checks they agree.
///
/// ```
/// use dl_core::prelude::*;
/// network! {
///     struct Gap { input: [2, 2, 2], GlobalAvgPool2D }
/// }
/// let x = SVector::<f64, 8>::from([1.0, 2.0, 3.0, 6.0, -1.0, -1.0, -1.0, -5.0]);
/// assert_eq!(Gap::<f64>::ZERO.forward(&x).as_slice(), [3.0, -2.0]); // one mean a channel
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct GlobalAvgPool2D<
    T: Float,
    const C: usize,
    const H: usize,
    const W: usize,
    const IN: usize,
>(PhantomData<T>);

no_params!(
    GlobalAvgPool2D<T, C, H, W, IN>,
    [T: Float, const C: usize, const H: usize, const W: usize, const IN: usize]
);

impl<T: Float, const C: usize, const H: usize, const W: usize, const IN: usize>
    GlobalAvgPool2D<T, C, H, W, IN>
{
    /// Fails to compile (when the layer is used) if the sizes disagree with each other.
    pub const SHAPE: () = assert!(
        C > 0 && H > 0 && W > 0 && IN == C * H * W,
        "GlobalAvgPool2D: inconsistent sizes (need IN = C*H*W, all sizes at least 1)"
    );

    /// The layer (it has no parameters).
    pub const fn new() -> Self {
        GlobalAvgPool2D(PhantomData)
    }

    /// The layer; it has no parameters, so `scalars` is not read (for `network!`'s
    /// `from_scalars`).
    pub const fn from_scalars(_scalars: &[T], _at: usize) -> Self {
        Self::new()
    }

    /// `1 / (H W)`, the weight of each pixel in its channel's mean.
    #[inline(always)]
    fn inv_area() -> T {
        let () = Self::SHAPE;
        T::ONE / T::cast((H * W) as f64)
    }

    #[inline]
    fn pool(x: &SVector<T, IN>, a: &mut SVector<T, C>) {
        let inv = Self::inv_area();
        for (a, channel) in a.iter_mut().zip(x.as_slice().chunks_exact(H * W)) {
            let mut sum = T::ZERO;
            for &v in channel {
                sum += v;
            }
            *a = sum * inv;
        }
    }
}

impl<T: Float, const C: usize, const H: usize, const W: usize, const IN: usize> Layer<T>
    for GlobalAvgPool2D<T, C, H, W, IN>
{
    type Input = SVector<T, IN>;
    type Output = SVector<T, C>;
    type Cache = OutputCache<T, C>;
    type Gradient = NoGrad<T>;
    type Activation = Identity;

    const CACHE_ZERO: Self::Cache = OutputCache::ZERO;

    /// Two modules in PyTorch: `AdaptiveAvgPool2d(1)` and `Flatten()`.
    const TORCH_MODULES: usize = 2;

    #[inline]
    fn init(&mut self, _rng: &mut Rng) {}

    #[inline]
    fn forward(&self, x: &SVector<T, IN>) -> SVector<T, C> {
        let mut a = <SVector<T, C> as Vector<T>>::ZERO;
        Self::pool(x, &mut a);
        a
    }

    #[inline]
    fn forward_train(&self, x: &SVector<T, IN>, cache: &mut OutputCache<T, C>) {
        Self::pool(x, &mut cache.a);
    }

    #[inline]
    fn activation_backward(&self, _cache: &Self::Cache, _d: &mut SVector<T, C>) {}

    #[inline]
    fn backward_preact(
        &self,
        _x: &SVector<T, IN>,
        _cache: &OutputCache<T, C>,
        dz: &SVector<T, C>,
        _grad: &mut NoGrad<T>,
        d_input: Option<&mut SVector<T, IN>>,
    ) {
        let Some(dx) = d_input else { return };
        let inv = Self::inv_area();
        for (channel, &d) in dx.as_mut_slice().chunks_exact_mut(H * W).zip(dz.iter()) {
            channel.fill(d * inv);
        }
    }
}
