use super::parameter_free::{no_params, NoGrad, OutputCache};
use super::pool_windows::{consistent, for_each_window, pooled};
use super::Layer;
use crate::activation::Identity;
use crate::float::Float;
use crate::network::Vector;
use crate::rng::Rng;
use core::marker::PhantomData;
use nalgebra::SVector;

/// Average pooling over `K x K` windows moved by stride `S`, channel by channel, as PyTorch's
/// `nn.AvgPool2d(K, S)` computes it (no padding, `OH = (H - K) / S + 1`).
///
/// `a[c, y, x] = (1 / K^2) sum_{ky, kx} x[c, y*S + ky, x*S + kx]`. It is linear, so backward
/// spreads each output gradient evenly over its window: `dL/dx[c, y*S + ky, x*S + kx] +=
/// dL/da[c, y, x] / K^2`, adding where windows overlap (`S < K`).
///
/// Sizes are flat (`IN = C * H * W`, `OUT = C * OH * OW`, `C, H, W` order); `network!` writes
/// them and [`AvgPool2D::SHAPE`] checks they agree.
///
/// ```
/// use dl_core::prelude::*;
/// network! {
///     struct Pooled { input: [1, 4, 4], AvgPool2D<2>, Flatten }
/// }
/// let x = SVector::<f32, 16>::from_fn(|i, _| i as f32); // one 4x4 channel, row by row
/// let y = Pooled::<f32>::ZERO.forward(&x);
/// assert_eq!(y.as_slice(), [2.5, 4.5, 10.5, 12.5]); // the mean of each 2x2 window
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct AvgPool2D<
    T: Float,
    const C: usize,
    const H: usize,
    const W: usize,
    const K: usize,
    const S: usize,
    const IN: usize,
    const OUT: usize,
>(PhantomData<T>);

no_params!(
    AvgPool2D<T, C, H, W, K, S, IN, OUT>,
    [T: Float, const C: usize, const H: usize, const W: usize, const K: usize, const S: usize,
     const IN: usize, const OUT: usize]
);

impl<
        T: Float,
        const C: usize,
        const H: usize,
        const W: usize,
        const K: usize,
        const S: usize,
        const IN: usize,
        const OUT: usize,
    > AvgPool2D<T, C, H, W, K, S, IN, OUT>
{
    /// Output height, `(H - K) / S + 1`.
    pub const OH: usize = pooled(H, K, S);
    /// Output width, `(W - K) / S + 1`.
    pub const OW: usize = pooled(W, K, S);
    /// Fails to compile (when the layer is used) if the sizes disagree with each other.
    pub const SHAPE: () = assert!(
        consistent([C, H, W], K, S, IN, OUT),
        "AvgPool2D: inconsistent sizes (need IN = C*H*W, OUT = C*OH*OW, 0 < K <= H and W, S > 0)"
    );

    /// The layer (it has no parameters).
    pub const fn new() -> Self {
        AvgPool2D(PhantomData)
    }

    /// The layer; it has no parameters, so `scalars` is not read (for `network!`'s
    /// `from_scalars`).
    pub const fn from_scalars(_scalars: &[T], _at: usize) -> Self {
        Self::new()
    }

    /// Calls `f(output index, first input index of the window)` for every output, in order.
    #[inline(always)]
    fn windows(f: impl FnMut(usize, usize)) {
        let () = Self::SHAPE;
        for_each_window::<C, H, W, K, S>(f);
    }

    #[inline]
    fn pool(x: &SVector<T, IN>, a: &mut SVector<T, OUT>) {
        let inv = T::ONE / T::cast((K * K) as f64);
        let (x, a) = (x.as_slice(), a.as_mut_slice());
        Self::windows(|out, first| {
            let mut sum = T::ZERO;
            for ky in 0..K {
                let row = first + ky * W;
                for &v in &x[row..row + K] {
                    sum += v;
                }
            }
            a[out] = sum * inv;
        });
    }
}

impl<
        T: Float,
        const C: usize,
        const H: usize,
        const W: usize,
        const K: usize,
        const S: usize,
        const IN: usize,
        const OUT: usize,
    > Layer<T> for AvgPool2D<T, C, H, W, K, S, IN, OUT>
{
    type Input = SVector<T, IN>;
    type Output = SVector<T, OUT>;
    type Cache = OutputCache<T, OUT>;
    type Gradient = NoGrad<T>;
    type Activation = Identity;

    const CACHE_ZERO: Self::Cache = OutputCache::ZERO;

    #[inline]
    fn init(&mut self, _rng: &mut Rng) {}

    #[inline]
    fn forward(&self, x: &SVector<T, IN>) -> SVector<T, OUT> {
        let mut a = <SVector<T, OUT> as Vector<T>>::ZERO;
        Self::pool(x, &mut a);
        a
    }

    #[inline]
    fn forward_train(&self, x: &SVector<T, IN>, cache: &mut OutputCache<T, OUT>) {
        Self::pool(x, &mut cache.a);
    }

    #[inline]
    fn activation_backward(&self, _cache: &Self::Cache, _d: &mut SVector<T, OUT>) {}

    #[inline]
    fn backward_preact(
        &self,
        _x: &SVector<T, IN>,
        _cache: &OutputCache<T, OUT>,
        dz: &SVector<T, OUT>,
        _grad: &mut NoGrad<T>,
        d_input: Option<&mut SVector<T, IN>>,
    ) {
        let Some(dx) = d_input else { return };
        let inv = T::ONE / T::cast((K * K) as f64);
        let (dx, dz) = (dx.as_mut_slice(), dz.as_slice());
        dx.fill(T::ZERO); // on the slice: see MaxPool2D's backward
        Self::windows(|out, first| {
            let d = dz[out] * inv;
            for ky in 0..K {
                let row = first + ky * W;
                for v in &mut dx[row..row + K] {
                    *v += d;
                }
            }
        });
    }
}
