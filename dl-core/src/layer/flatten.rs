use super::parameter_free::{no_params, NoGrad, OutputCache};
use super::Layer;
use crate::activation::Identity;
use crate::float::Float;
use crate::rng::Rng;
use core::marker::PhantomData;
use nalgebra::SVector;

/// Turns a `C x H x W` image into a vector of `N = C * H * W` features for the [`Dense`]
/// layers after it.
///
/// Images already travel as flat vectors in `C, H, W` order (row-major within a channel,
/// channel after channel), which is exactly PyTorch's `torch.flatten(x, 1)` order, so a
/// `Dense` weight trained in PyTorch after `nn.Flatten()` loads unchanged. The layer is the
/// identity on the data: forward copies `x` to `a`, backward copies `dL/da` to `dL/dx`. It
/// marks in the declaration where a 3-D shape becomes 1-D, and `network!` checks the size
/// against the next layer.
///
/// [`Dense`]: super::Dense
///
/// ```
/// use dl_core::prelude::*;
/// network! {
///     // Flatten turns the convolution's 4 x 3 x 3 output into the 36 inputs of the Dense.
///     struct Net { input: [2, 3, 3], Conv2D<2, 4, 3, Relu, padding = 1>, Flatten, Dense<36, 2, Softmax> }
/// }
/// assert_eq!((Net::<f32>::INPUTS, Net::<f32>::OUTPUTS), (18, 2));
/// let p = Net::<f32>::new(1).forward(&SVector::from_element(0.5));
/// assert!((p.sum() - 1.0).abs() < 1e-6);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Flatten<T: Float, const N: usize>(PhantomData<T>);

no_params!(Flatten<T, N>, [T: Float, const N: usize]);

impl<T: Float, const N: usize> Flatten<T, N> {
    /// The layer (it has no parameters).
    pub const fn new() -> Self {
        Flatten(PhantomData)
    }

    /// The layer; it has no parameters, so `scalars` is not read (for `network!`'s
    /// `from_scalars`).
    pub const fn from_scalars(_scalars: &[T], _at: usize) -> Self {
        Self::new()
    }
}

impl<T: Float, const N: usize> Layer<T> for Flatten<T, N> {
    type Input = SVector<T, N>;
    type Output = SVector<T, N>;
    type Cache = OutputCache<T, N>;
    type Gradient = NoGrad<T>;
    type Activation = Identity;

    const CACHE_ZERO: Self::Cache = OutputCache::ZERO;

    #[inline]
    fn init(&mut self, _rng: &mut Rng) {}

    #[inline(always)]
    fn forward(&self, x: &SVector<T, N>) -> SVector<T, N> {
        *x
    }

    #[inline(always)]
    fn forward_train(&self, x: &SVector<T, N>, cache: &mut OutputCache<T, N>) {
        cache.a.copy_from(x);
    }

    #[inline]
    fn activation_backward(&self, _cache: &Self::Cache, _d: &mut SVector<T, N>) {}

    #[inline(always)]
    fn backward_preact(
        &self,
        _x: &SVector<T, N>,
        _cache: &OutputCache<T, N>,
        dz: &SVector<T, N>,
        _grad: &mut NoGrad<T>,
        d_input: Option<&mut SVector<T, N>>,
    ) {
        if let Some(dx) = d_input {
            dx.copy_from(dz);
        }
    }
}
