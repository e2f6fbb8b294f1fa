use super::max_pool_pairs;
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
///
/// ```
/// use dl_core::prelude::*;
/// network! {
///     struct Pooled { input: [1, 4, 4], MaxPool2D<2>, Flatten }
/// }
/// let x = SVector::<f32, 16>::from_fn(|i, _| i as f32); // one 4x4 channel, row by row
/// let y = Pooled::<f32>::ZERO.forward(&x);
/// assert_eq!(y.as_slice(), [5.0, 7.0, 13.0, 15.0]); // the largest of each 2x2 window
/// ```
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
    ///
    /// Without a branch or a select on the values: each window's maximum ignoring NaN (`if
    /// v > max`, one `maxss` a value) and a bit a window position for its NaNs; then, for
    /// the index, a bit a position for the values equal to that maximum, and the lowest bit
    /// set (of the NaNs' if any). A running select of value and index, the rule as it
    /// reads, compiled to branches on the data in the default build and to chains of
    /// mask-register moves in a native one (after ReLU, which input wins is unpredictable):
    /// 20% of the digits CNN's training time went to that line. Windows of more than 32
    /// inputs take the running select ([`winner_in_order`](Self::winner_in_order)).
    #[inline]
    fn pool(x: &SVector<T, IN>, a: &mut SVector<T, OUT>, mut argmax: Option<&mut [usize; OUT]>) {
        let () = Self::SHAPE;
        let (x, a) = (x.as_slice(), a.as_mut_slice());
        if K == 2 && S == 2 && max_pool_pairs::worth_it(Self::OW) {
            Self::pool_pairs(x, a, argmax);
            return;
        }
        for_each_window::<C, H, W, K, S>(
            #[inline(always)]
            |out, first| Self::window(x, a, argmax.as_deref_mut(), out, first),
        );
    }

    /// 2x2 windows at stride 2, a block of them at a time ([`max_pool_pairs`]), for rows of
    /// at least half a [`max_pool_pairs::BLOCK`]; a row with a NaN is redone window by window.
    #[inline(always)]
    fn pool_pairs(x: &[T], a: &mut [T], mut argmax: Option<&mut [usize; OUT]>) {
        for c in 0..C {
            for oy in 0..Self::OH {
                let first = (c * H + 2 * oy) * W;
                let out = (c * Self::OH + oy) * Self::OW;
                let (Some(rows), Some(row)) = (x.get(first..first + 2 * W), a.get_mut(out..))
                else {
                    return;
                };
                let winners = argmax.as_deref_mut().and_then(|m| m.get_mut(out..));
                if !max_pool_pairs::pool_row(rows, W, first, row, winners) {
                    for ox in 0..Self::OW {
                        Self::window(x, a, argmax.as_deref_mut(), out + ox, first + 2 * ox);
                    }
                }
            }
        }
    }

    /// Pools the window whose top-left input is `x[first]` into `a[out]` (and its winner's
    /// index into `argmax[out]`).
    #[inline(always)]
    fn window(x: &[T], a: &mut [T], argmax: Option<&mut [usize; OUT]>, out: usize, first: usize) {
        if K * K > 32 {
            let at = Self::winner_in_order(x, first);
            a[out] = x[at];
            if let Some(argmax) = argmax {
                argmax[out] = at;
            }
            return;
        }
        let (max, nan) = Self::maximum(x, first);
        // A NaN in the window (never, in a healthy network) is the output.
        a[out] = if nan == 0 {
            max
        } else {
            x[Self::input(first, nan)]
        };
        if let Some(argmax) = argmax {
            let hits = if nan == 0 {
                Self::equal_to(x, first, max)
            } else {
                nan
            };
            argmax[out] = Self::input(first, hits);
        }
    }

    /// The maximum of the window whose top-left input is `x[first]`, ignoring NaN, and a bit
    /// a window position (row-major) holding a NaN.
    #[inline(always)]
    fn maximum(x: &[T], first: usize) -> (T, u32) {
        let (mut max, mut nan) = (x[first], 0u32);
        for ky in 0..K {
            for (kx, &v) in x[first + ky * W..][..K].iter().enumerate() {
                max = if v > max { v } else { max };
                #[allow(clippy::eq_op)]
                let is_nan = v != v;
                nan |= u32::from(is_nan) << (ky * K + kx);
            }
        }
        (max, nan)
    }

    /// A bit a window position (row-major) whose value equals `max`.
    #[inline(always)]
    fn equal_to(x: &[T], first: usize, max: T) -> u32 {
        let mut equal = 0u32;
        for ky in 0..K {
            for (kx, &v) in x[first + ky * W..][..K].iter().enumerate() {
                equal |= u32::from(v == max) << (ky * K + kx);
            }
        }
        equal
    }

    /// The flat index of the window position of the lowest bit of `hits` (not 0).
    #[inline(always)]
    fn input(first: usize, hits: u32) -> usize {
        let i = (hits.trailing_zeros() as usize).min(K * K - 1);
        first + i / K * W + i % K
    }

    /// The winner's flat index by a running select: the rule as it reads.
    #[inline(always)]
    fn winner_in_order(x: &[T], first: usize) -> usize {
        let (mut best, mut at) = (x[first], first);
        for ky in 0..K {
            let row = first + ky * W;
            for (kx, &v) in x[row..row + K].iter().enumerate() {
                // `>` keeps the first of equal maxima; `v != v` lets NaN through.
                #[allow(clippy::eq_op)]
                let wins = (v > best) | ((v != v) & (best == best));
                best = if wins { v } else { best };
                at = if wins { row + kx } else { at };
            }
        }
        at
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
        // On slices: nalgebra's `fill` and iterators on a long vector were unrolled into
        // hundreds of scalar steps with spills in a `-C target-cpu=native` build (the
        // digits CNN's 512-input pool: a third of its training time).
        if let Some(dx) = d_input {
            let dx = dx.as_mut_slice();
            dx.fill(T::ZERO);
            for (&at, &d) in cache.argmax.iter().zip(dz.as_slice()) {
                dx[at] += d;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The pooled values and winners against the sequential rule (a running maximum that a
    /// later input takes only if greater, or if it is a NaN and the maximum is not), bit for
    /// bit, on inputs full of ties, NaNs, infinities and signed zeros, with overlapping
    /// (3x3, stride 2) and adjacent (2x2, stride 2) windows.
    #[test]
    fn winners_follow_the_sequential_rule() {
        fn check<const K: usize, const OUT: usize>(seed: u64) {
            let values = [
                0.0,
                -0.0,
                1.0,
                -1.0,
                f32::NAN,
                f32::INFINITY,
                f32::NEG_INFINITY,
                2.0,
                2.0,
                1.0,
                0.5,
                -2.0,
                3.0,
                0.0,
                1.0,
                -0.0,
            ];
            let mut rng = Rng::new(seed);
            for _ in 0..2000 {
                let x = SVector::<f32, 72>::from_fn(|_, _| values[(rng.next_u64() % 16) as usize]);
                let mut cache = MaxPool2D::<f32, 2, 6, 6, K, 2, 72, OUT>::CACHE_ZERO;
                MaxPool2D::<f32, 2, 6, 6, K, 2, 72, OUT>::new().forward_train(&x, &mut cache);
                let pooled = MaxPool2D::<f32, 2, 6, 6, K, 2, 72, OUT>::new().forward(&x);
                for_each_window::<2, 6, 6, K, 2>(|out, first| {
                    let (mut best, mut at) = (x[first], first);
                    for ky in 0..K {
                        for kx in 0..K {
                            let (i, v) = (first + ky * 6 + kx, x[first + ky * 6 + kx]);
                            if v > best || (v.is_nan() && !best.is_nan()) {
                                (best, at) = (v, i);
                            }
                        }
                    }
                    assert_eq!(cache.argmax[out], at, "window {out} of {x:?}");
                    assert_eq!(cache.a[out].to_bits(), best.to_bits(), "window {out}");
                    assert_eq!(pooled[out].to_bits(), best.to_bits(), "window {out}");
                });
            }
        }
        check::<3, 8>(1);
        check::<2, 18>(2);
        check::<6, 2>(3); // 36 inputs a window: the running select
    }
}
