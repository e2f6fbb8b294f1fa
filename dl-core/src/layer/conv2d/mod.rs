/// `impl<T: Float, const C_IN: usize, .., A: Activation> Conv2D<T, C_IN, .., A> { .. }` of the
/// items given, or, as `conv2d_impl! { Trait for { .. } }`, that trait's impl: the layer's
/// twelve parameters, written once for the impl blocks of this module and its submodules.
macro_rules! conv2d_impl {
    ($tr:ident for { $($body:tt)* }) => {
        conv2d_impl!(@impl [$tr<T> for] $($body)*);
    };
    (@impl [$($tr:tt)*] $($body:tt)*) => {
        impl<
                T: $crate::float::Float,
                const C_IN: usize,
                const H: usize,
                const W: usize,
                const C_OUT: usize,
                const K: usize,
                const S: usize,
                const P: usize,
                const PATCH: usize,
                const IN: usize,
                const OUT: usize,
                A: $crate::activation::Activation,
            > $($tr)* Conv2D<T, C_IN, H, W, C_OUT, K, S, P, PATCH, IN, OUT, A>
        {
            $($body)*
        }
    };
    ($($body:tt)*) => {
        conv2d_impl!(@impl [] $($body)*);
    };
}

mod gemm;
mod im2col;
mod memory;
mod pixels;

use super::weight_bias::{self, zero_matrix};
use super::{DenseCache, DenseGrad, Layer};
use crate::activation::Activation;
use crate::batch::Samples;
use crate::float::Float;
use crate::layout::TensorLayout;
use crate::network::{Params, Vector};
use crate::rng::Rng;
use core::marker::PhantomData;
use im2col::Geometry;
use nalgebra::{SMatrix, SVector};

/// A 2-D convolution with zero padding: `z[o, y, x] = b[o] + sum_{c, ky, kx}
/// W[o, c, ky, kx] * x_pad[c, y*S + ky, x*S + kx]`, `a = A(z)`, as PyTorch's `nn.Conv2d`
/// (square kernel `K`, stride `S`, padding `P`) computes it.
///
/// Images are flat vectors in `C, H, W` order (PyTorch's memory order), so the output of
/// size `C_OUT * OH * OW`, with `OH = (H + 2P - K) / S + 1` and likewise `OW`, feeds the next
/// layer unchanged. The `network!` macro computes every size and writes the literals; the
/// derived ones (`PATCH = C_IN * K * K`, `IN = C_IN * H * W`, `OUT = C_OUT * OH * OW`) are
/// parameters only because stable Rust cannot compute a type's size from other const
/// generics. [`Conv2D::SHAPE`] checks they agree.
///
/// The kernel is stored as the matrix `W[o][c*K*K + ky*K + kx]` (`C_OUT` rows by `PATCH`
/// columns), i.e. PyTorch's `weight.reshape(out_c, -1)`, column-major as nalgebra keeps it,
/// the same convention as [`Dense`](super::Dense). Each output pixel is then one
/// matrix-vector product with its input patch `p`: `z[:, y, x] = W p + b`.
///
/// Over all pixels at once these are matrix products, done blocked on the kernels of
/// [`crate::kernel`] (`gemm`): with `P` the patches as the rows of a matrix (`im2col`),
/// `Z^T = P W^T + 1 b^T`; backward, given `dZ`, `dL/dW += dZ P` (once a block of pixels,
/// never once a pixel), `dL/db += dZ 1`, and `dL/dP = dZ^T W` added back into `dL/dx`
/// where patches overlap (padding positions dropped).
///
/// Declared in [`network!`](macro@crate::network) after an `input: [C, H, W]` line, as
/// `Conv2D<in_channels, out_channels, kernel, Activation>` with optional `stride = s` and
/// `padding = p`; the macro computes the output shape and writes it into this type:
///
/// ```
/// use dl_core::prelude::*;
///
/// network! {
///     struct Edges {
///         input: [1, 5, 5],
///         conv: Conv2D<1, 2, 3, Relu, padding = 1>, // (2, 5, 5)
///         Flatten,                                  // 50
///         Dense<50, 1, Sigmoid>,
///     }
/// }
///
/// let net = Edges::<f32>::new(4);
/// assert_eq!(Edges::<f32>::summary().layers[0].output, &[2, 5, 5]);
/// assert_eq!(net.conv.tensor(0).len(), 2 * 1 * 3 * 3); // [out_c, in_c, kh, kw], as PyTorch
/// let image = SVector::<f32, 25>::from_fn(|i, _| (i % 5) as f32); // C, H, W order
/// let p = net.forward(&image);
/// assert!(p[0] > 0.0 && p[0] < 1.0);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Conv2D<
    T: Float,
    const C_IN: usize,
    const H: usize,
    const W: usize,
    const C_OUT: usize,
    const K: usize,
    const S: usize,
    const P: usize,
    const PATCH: usize,
    const IN: usize,
    const OUT: usize,
    A: Activation,
> {
    /// The kernels, one row an output channel: `W[o][c*K*K + ky*K + kx]`.
    pub weight: SMatrix<T, C_OUT, PATCH>,
    /// One bias an output channel.
    pub bias: SVector<T, C_OUT>,
    activation: PhantomData<A>,
}

/// The gradient of a [`Conv2D`] layer: a kernel matrix and a bias, shaped like
/// [`DenseGrad`] with `PATCH` inputs and `C_OUT` outputs.
pub type Conv2DGrad<T, const C_OUT: usize, const PATCH: usize> = DenseGrad<T, PATCH, C_OUT>;

/// What a [`Conv2D`] layer keeps from the training forward pass: `z` and `a`, each `C_OUT *
/// OH * OW` long.
pub type Conv2DCache<T, const OUT: usize> = DenseCache<T, OUT>;

conv2d_impl! {
    /// Output height, `(H + 2P - K) / S + 1`.
    pub const OH: usize = out_size(H, K, S, P);
    /// Output width, `(W + 2P - K) / S + 1`.
    pub const OW: usize = out_size(W, K, S, P);
    /// Trainable parameters: `C_OUT * C_IN * K * K + C_OUT`.
    pub const PARAMS: usize = C_OUT * PATCH + C_OUT;
    /// Fails to compile (when the layer is used) if the sizes disagree with each other.
    /// `network!` only writes sizes that pass; this guards hand-written instances.
    pub const SHAPE: () = assert!(
        S > 0
            && K > 0
            && K <= H + 2 * P
            && K <= W + 2 * P
            && PATCH == C_IN * K * K
            && IN == C_IN * H * W
            && OUT == C_OUT * Self::OH * Self::OW,
        "Conv2D: inconsistent sizes (need PATCH = C_IN*K*K, IN = C_IN*H*W, \
         OUT = C_OUT*OH*OW, 0 < K <= H + 2P and W + 2P, S > 0)"
    );

    /// A layer with the given kernels and biases.
    pub const fn from_parts(weight: SMatrix<T, C_OUT, PATCH>, bias: SVector<T, C_OUT>) -> Self {
        Conv2D {
            weight,
            bias,
            activation: PhantomData,
        }
    }

    /// The layer whose kernels and biases are `scalars[at..at + PARAMS]` in
    /// [`Params::tensor`] order (the kernel matrix column-major, then the biases). A `const fn`
    /// for `network!`'s `from_scalars`; the caller guarantees the length.
    pub const fn from_scalars(scalars: &[T], at: usize) -> Self {
        let (weight, bias) = weight_bias::from_scalars::<T, C_OUT, PATCH>(scalars, at);
        Self::from_parts(weight, bias)
    }

    /// The layer's shape as run-time values, for the blocked products of [`gemm`].
    const GEOMETRY: Geometry = Geometry {
        c_in: C_IN,
        h: H,
        w: W,
        k: K,
        s: S,
        p: P,
        oh: Self::OH,
        ow: Self::OW,
    };
}

/// `(n + 2p - k) / s + 1`, or 0 if the kernel does not fit or the stride is 0.
pub const fn out_size(n: usize, k: usize, s: usize, p: usize) -> usize {
    if s == 0 || k > n + 2 * p {
        0
    } else {
        (n + 2 * p - k) / s + 1
    }
}

conv2d_impl! { Params for {
    const TENSORS: usize = 2;
    const COUNT: usize = C_OUT * PATCH + C_OUT;
    const ZERO: Self = Conv2D::from_parts(zero_matrix(), <SVector<T, C_OUT> as Vector<T>>::ZERO);

    weight_bias::weight_bias_tensors!();

    /// The kernel is PyTorch's `[C_OUT, C_IN, K, K]`: element `(o, c, ky, kx)` lies at
    /// `o + C_OUT * (c*K*K + ky*K + kx)` in our column-major matrix. The bias is `[C_OUT]`.
    fn tensor_layout(&self, i: usize) -> TensorLayout {
        match i {
            0 => TensorLayout::new(
                "weight",
                4,
                [C_OUT, C_IN, K, K],
                [1, C_OUT * K * K, C_OUT * K, C_OUT],
            ),
            _ => TensorLayout::vector("bias", if i == 1 { C_OUT } else { 0 }),
        }
    }
}}

conv2d_impl! { Layer for {
    type Input = SVector<T, IN>;
    type Output = SVector<T, OUT>;
    type Cache = Conv2DCache<T, OUT>;
    type Gradient = Conv2DGrad<T, C_OUT, PATCH>;
    type Activation = A;

    const CACHE_ZERO: Self::Cache = DenseCache {
        z: <SVector<T, OUT> as Vector<T>>::ZERO,
        a: <SVector<T, OUT> as Vector<T>>::ZERO,
    };

    /// The transposed kernel and a block of patches forward, a block of patches and two of
    /// output gradients backward; one patch, its gradient and one pixel's outputs for a layer
    /// that runs pixel by pixel (the `memory` module).
    const SCRATCH: usize = Self::SCRATCH_SCALARS;

    /// `2 * PATCH + C_OUT` pixel by pixel (the `pixels` module; at most
    /// [`PIXEL_STACK_SCALARS`](crate::stack::PIXEL_STACK_SCALARS)), else none.
    const STACK_SCALARS: usize = if Self::BY_PIXEL { 2 * PATCH + C_OUT } else { 0 };

    /// Draws the kernels with fan-in `C_IN * K * K` and fan-out `C_OUT * K * K`, as PyTorch
    /// counts them for a convolution; zero biases.
    fn init(&mut self, rng: &mut Rng) {
        A::INIT.fill(self.weight.as_mut_slice(), PATCH, C_OUT * K * K, rng);
        self.bias.fill(T::ZERO);
    }

    #[inline]
    fn forward(&self, x: &SVector<T, IN>) -> SVector<T, OUT> {
        let mut z = <SVector<T, OUT> as Vector<T>>::ZERO;
        self.preactivate_on_stack(x, &mut z);
        let mut a = z;
        A::forward(z.as_slice(), a.as_mut_slice());
        a
    }

    #[inline]
    fn forward_train(&self, x: &SVector<T, IN>, cache: &mut Conv2DCache<T, OUT>) {
        self.preactivate_on_stack(x, &mut cache.z);
        A::forward(cache.z.as_slice(), cache.a.as_mut_slice());
    }

    #[inline]
    fn backward_preact(
        &self,
        x: &SVector<T, IN>,
        _cache: &Conv2DCache<T, OUT>,
        dz: &SVector<T, OUT>,
        grad: &mut Conv2DGrad<T, C_OUT, PATCH>,
        d_input: Option<&mut SVector<T, IN>>,
    ) {
        self.backward_on_stack(x, dz, grad, d_input);
    }

    #[inline]
    fn forward_train_in(&self, x: &SVector<T, IN>, cache: &mut Self::Cache, scratch: &mut [T]) {
        self.preactivate_in(x, &mut cache.z, scratch);
        A::forward(cache.z.as_slice(), cache.a.as_mut_slice());
    }

    #[inline]
    fn forward_eval_in(&self, x: &SVector<T, IN>, cache: &mut Self::Cache, scratch: &mut [T]) {
        self.forward_train_in(x, cache, scratch);
    }

    #[inline]
    fn backward_preact_in(
        &self,
        x: &SVector<T, IN>,
        _cache: &Conv2DCache<T, OUT>,
        dz: &SVector<T, OUT>,
        grad: &mut Conv2DGrad<T, C_OUT, PATCH>,
        d_input: Option<&mut SVector<T, IN>>,
        scratch: &mut [T],
    ) {
        self.backward_in(x, dz, grad, d_input, scratch);
    }

    /// Sample by sample, each through [`forward_train_in`](Layer::forward_train_in).
    #[inline]
    fn forward_train_batch_in<X: Samples<SVector<T, IN>> + ?Sized>(
        &self,
        xs: &X,
        caches: &mut [Self::Cache],
        scratch: &mut [T],
    ) {
        let n = caches.len().min(xs.len());
        for (b, cache) in caches[..n].iter_mut().enumerate() {
            self.forward_train_in(xs.sample(b), cache, scratch);
        }
    }

    /// Sample by sample, each through [`backward_preact_in`](Layer::backward_preact_in).
    #[inline]
    fn backward_preact_batch_in<X: Samples<SVector<T, IN>> + ?Sized>(
        &self,
        xs: &X,
        caches: &[Self::Cache],
        dz: &[SVector<T, OUT>],
        grad: &mut Self::Gradient,
        mut d_input: Option<&mut [SVector<T, IN>]>,
        scratch: &mut [T],
    ) {
        let n = dz.len().min(caches.len()).min(xs.len());
        for b in 0..n {
            let dx = d_input.as_deref_mut().and_then(|d| d.get_mut(b));
            self.backward_preact_in(xs.sample(b), &caches[b], &dz[b], grad, dx, scratch);
        }
    }
}}
