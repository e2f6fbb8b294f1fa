use super::parameter_free::{no_params, NoGrad};
use super::pool_windows::{consistent, for_each_window, pooled};
use super::{Layer, LayerCache};
use crate::activation::Identity;
use crate::float::Float;
use crate::network::Vector;
use crate::rng::Rng;
use core::marker::PhantomData;
use nalgebra::SVector;

/// Max pooling over `K x K` windows moved by stride `S`, channel by channel, as PyTorch's
/// `nn.MaxPool2d(K, S)` computes it (no padding; windows that would run past the edge are
/// not taken, so `OH = (H - K) / S + 1`).
///
/// `a[c, y, x] = max_{ky, kx} x[c, y*S + ky, x*S + kx]`. The forward pass records which
/// input won each window; backward sends each output gradient to that input alone:
/// `dL/dx[argmax] += dL/da`. On a tie the first maximum in row-major window order wins, as in
/// PyTorch, and a NaN wins over any number so it propagates.
///
/// Sizes are flat (`IN = C * H * W`, `OUT = C * OH * OW`, `C, H, W` order); `network!` writes
/// them and [`MaxPool2D::SHAPE`] checks they agree.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct MaxPool2D<
    T: Float,
    const C: usize,
    const H: usize,
    const W: usize,
    const K: usize,
    const S: usize,
    const IN: usize,
    const OUT: usize,
>(PhantomData<T>);

/// What a [`MaxPool2D`] layer keeps: its outputs and, for each, the index of the input that
/// won the window.
#[derive(Clone, Debug, PartialEq)]
pub struct MaxPool2DCache<T: Float, const OUT: usize> {
    /// The pooled outputs (also returned as the pre-activations: pooling has none).
    pub a: SVector<T, OUT>,
    /// For each output, the flat index of the input it was taken from.
    pub argmax: [usize; OUT],
}

impl<T: Float, const OUT: usize> LayerCache<SVector<T, OUT>> for MaxPool2DCache<T, OUT> {
    #[inline(always)]
    fn preactivation(&self) -> &SVector<T, OUT> {
        &self.a
    }
    #[inline(always)]
    fn output(&self) -> &SVector<T, OUT> {
        &self.a
    }
}

no_params!(
    MaxPool2D<T, C, H, W, K, S, IN, OUT>,
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
    > MaxPool2D<T, C, H, W, K, S, IN, OUT>
{
    /// Output height, `(H - K) / S + 1`.
    pub const OH: usize = pooled(H, K, S);
    /// Output width, `(W - K) / S + 1`.
    pub const OW: usize = pooled(W, K, S);
    /// Fails to compile (when the layer is used) if the sizes disagree with each other.
    pub const SHAPE: () = assert!(
        consistent([C, H, W], K, S, IN, OUT),
        "MaxPool2D: inconsistent sizes (need IN = C*H*W, OUT = C*OH*OW, 0 < K <= H and W, S > 0)"
    );

    /// The layer (it has no parameters).
    pub const fn new() -> Self {
        MaxPool2D(PhantomData)
    }

    /// The layer; it has no parameters, so `scalars` is not read (for `network!`'s
    /// `from_scalars`).
    pub const fn from_scalars(_scalars: &[T], _at: usize) -> Self {
        Self::new()
    }

    /// Pools `x` into `a`, writing the winning input index of each output into `argmax`.
    #[inline]
    fn pool(x: &SVector<T, IN>, a: &mut SVector<T, OUT>, mut argmax: Option<&mut [usize; OUT]>) {
        let () = Self::SHAPE;
        let (x, a) = (x.as_slice(), a.as_mut_slice());
        for_each_window::<C, H, W, K, S>(|out, first| {
            let (mut best, mut at) = (x[first], first);
            for ky in 0..K {
                let row = first + ky * W;
                for (kx, &v) in x[row..row + K].iter().enumerate() {
                    // `>` keeps the first of equal maxima; `v != v` lets NaN through.
                    // Selects rather than branches: after ReLU, which input wins is
                    // unpredictable.
                    #[allow(clippy::eq_op)]
                    let wins = (v > best) | ((v != v) & (best == best));
                    best = if wins { v } else { best };
                    at = if wins { row + kx } else { at };
                }
            }
            a[out] = best;
            if let Some(argmax) = argmax.as_deref_mut() {
                argmax[out] = at;
            }
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
    > Layer<T> for MaxPool2D<T, C, H, W, K, S, IN, OUT>
{
    type Input = SVector<T, IN>;
    type Output = SVector<T, OUT>;
    type Cache = MaxPool2DCache<T, OUT>;
    type Gradient = NoGrad<T>;
    type Activation = Identity;

    const CACHE_ZERO: Self::Cache = MaxPool2DCache {
        a: <SVector<T, OUT> as Vector<T>>::ZERO,
        argmax: [0; OUT],
    };

    #[inline]
    fn init(&mut self, _rng: &mut Rng) {}

    #[inline]
    fn forward(&self, x: &SVector<T, IN>) -> SVector<T, OUT> {
        let mut a = <SVector<T, OUT> as Vector<T>>::ZERO;
        Self::pool(x, &mut a, None);
        a
    }

    #[inline]
    fn forward_train(&self, x: &SVector<T, IN>, cache: &mut MaxPool2DCache<T, OUT>) {
        Self::pool(x, &mut cache.a, Some(&mut cache.argmax));
    }

    #[inline]
    fn activation_backward(&self, _cache: &Self::Cache, _d: &mut SVector<T, OUT>) {}

    #[inline]
    fn backward_preact(
        &self,
        _x: &SVector<T, IN>,
        cache: &MaxPool2DCache<T, OUT>,
        dz: &SVector<T, OUT>,
        _grad: &mut NoGrad<T>,
        d_input: Option<&mut SVector<T, IN>>,
    ) {
        if let Some(dx) = d_input {
            dx.fill(T::ZERO);
            for (&at, &d) in cache.argmax.iter().zip(dz.iter()) {
                dx[at] += d;
            }
        }
    }
}
