//! Layers. Each is a concrete struct over nalgebra fixed-size matrices, with a forward pass
//! that caches what backward needs and a hand-derived backward pass.

mod avg_pool2d;
mod conv2d;
mod dense;
mod dense_input;
mod dense_small;
mod dense_transposed;
mod dropout;
mod flatten;
mod global_avg_pool2d;
mod max_pool2d;
mod max_pool_pairs;
mod parameter_free;
mod pool_windows;
mod scratch;
mod weight_bias;

pub use avg_pool2d::AvgPool2D;
pub use conv2d::{out_size, Conv2D, Conv2DCache, Conv2DGrad};
pub use dense::{Dense, DenseCache, DenseGrad};
pub use dropout::{rate, Dropout, DropoutCache, DropoutMasks};
pub use flatten::Flatten;
pub use global_avg_pool2d::GlobalAvgPool2D;
pub use max_pool2d::{MaxPool2D, MaxPool2DCache};
pub use parameter_free::{NoGrad, OutputCache};
pub use scratch::Scratch;

use crate::activation::{Activation, Kind as ActivationKind};
use crate::batch::Samples;
use crate::float::Float;
use crate::network::{Params, Vector};
use crate::rng::Rng;

/// A layer's training cache: it holds at least the pre-activations and the outputs.
///
/// ```
/// use dl_core::prelude::*;
/// type D = Dense<f64, 1, 2, Relu>;
/// let layer = D::from_parts(SMatrix::<f64, 2, 1>::new(1.0, -1.0), SVector::zeros());
/// let mut cache = D::CACHE_ZERO;
/// layer.forward_train(&SVector::from([2.0]), &mut cache);
/// // What backward needs: the pre-activations z and the outputs a = ReLU(z).
/// assert_eq!(cache.preactivation(), &SVector::from([2.0, -2.0]));
/// assert_eq!(cache.output(), &SVector::from([2.0, 0.0]));
/// ```
pub trait LayerCache<V>: Clone {
    /// The cached pre-activations `z`.
    fn preactivation(&self) -> &V;
    /// The cached outputs `a = A(z)`.
    fn output(&self) -> &V;
}

/// One layer: what `network!` chains together.
///
/// Backward is split at the activation: [`activation_backward`](Layer::activation_backward)
/// turns `dL/da` into `dL/dz`, and [`backward_preact`](Layer::backward_preact) takes `dL/dz`
/// to parameter and input gradients. The split lets a loss on the last layer supply a fused
/// `dL/dz` directly.
///
/// ```
/// use dl_core::prelude::*;
/// type D = Dense<f64, 2, 1, Identity>;
/// // y = W x + b with W = [1 2], b = 0.5.
/// let layer = D::from_parts(SMatrix::<f64, 1, 2>::new(1.0, 2.0), SVector::from([0.5]));
/// let x = SVector::from([3.0, 4.0]);
/// assert_eq!(layer.forward(&x), SVector::from([11.5]));
/// let mut cache = D::CACHE_ZERO;
/// layer.forward_train(&x, &mut cache);
/// assert_eq!(cache.output(), &SVector::from([11.5]));
/// assert_eq!(<D as Params<f64>>::COUNT, 3);
/// ```
pub trait Layer<T: Float>: Params<T> {
    /// Its input vector.
    type Input: Vector<T>;
    /// Its output vector.
    type Output: Vector<T>;
    /// What the training forward pass stores.
    type Cache: LayerCache<Self::Output> + crate::zeroed::Zeroable;
    /// Its parameter gradients.
    type Gradient: Params<T> + Clone;
    /// Its activation.
    type Activation: Activation;

    /// A cache of zeros.
    const CACHE_ZERO: Self::Cache;

    /// Scalars of working memory the passes with a scratch argument
    /// ([`forward_train_in`](Layer::forward_train_in),
    /// [`backward_preact_in`](Layer::backward_preact_in) and their eval and batch forms) need,
    /// so that nothing sized by the layer is on the stack: `network!` keeps a [`Scratch`] of
    /// the largest among its layers in the network's cache and batch buffers. 0 for layers
    /// that need none (all but [`Conv2D`]).
    const SCRATCH: usize = 0;

    /// Scalars those passes still keep on the stack: none for most layers; a [`Conv2D`] small
    /// enough to run pixel by pixel (under 16k multiply-adds) keeps one patch, its gradient
    /// and one pixel's outputs there, `2 * PATCH + C_OUT`, at most
    /// [`PIXEL_STACK_SCALARS`](crate::stack::PIXEL_STACK_SCALARS); a [`Dense`] layer's batch
    /// backward pass keeps fixed blocks for the input gradients, at most
    /// [`DENSE_STACK_SCALARS`](crate::stack::DENSE_STACK_SCALARS).
    /// `network!`'s `LAYER_STACK_BYTES` adds the largest to a frame.
    const STACK_SCALARS: usize = 0;

    /// How many modules this layer is in PyTorch's `nn.Sequential`: the layer itself plus its
    /// activation unless that is the identity (`Linear(64, 32), ReLU()` is 2; a pooling or
    /// flattening layer is 1). Tensor names count modules this way: `0.weight`, `2.weight`.
    const TORCH_MODULES: usize = match <Self::Activation as Activation>::KIND {
        ActivationKind::Identity => 1,
        _ => 2,
    };

    /// Draws initial weights.
    fn init(&mut self, rng: &mut Rng);

    /// Inference.
    fn forward(&self, x: &Self::Input) -> Self::Output;

    /// Training forward: stores pre-activations and outputs in `cache`.
    fn forward_train(&self, x: &Self::Input, cache: &mut Self::Cache);

    /// Fills `cache` as inference computes the output: the same as
    /// [`forward_train`](Layer::forward_train) except for layers that act only while training
    /// (Dropout, which passes its input through).
    #[inline]
    fn forward_eval(&self, x: &Self::Input, cache: &mut Self::Cache) {
        self.forward_train(x, cache);
    }

    /// Turns `d = dL/da` into `dL/dz` in place.
    #[inline]
    fn activation_backward(&self, cache: &Self::Cache, d: &mut Self::Output) {
        Self::Activation::backward(
            cache.preactivation().as_slice(),
            cache.output().as_slice(),
            d.as_mut_slice(),
        );
    }

    /// From `dz = dL/dz`: adds the parameter gradients into `grad` and, if asked, writes
    /// `dL/dx` into `d_input` (the first layer of a network is not asked during training).
    fn backward_preact(
        &self,
        x: &Self::Input,
        cache: &Self::Cache,
        dz: &Self::Output,
        grad: &mut Self::Gradient,
        d_input: Option<&mut Self::Input>,
    );

    /// [`backward_preact`](Layer::backward_preact) writing the parameter gradients into
    /// `grad` instead of adding to them, whatever `grad` held: the same bits as
    /// `backward_preact` into a zeroed `grad`. A one-sample training step's backward pass
    /// ([`crate::train::train_sample`]) runs it, so no pass clears the gradient between steps
    /// (assign on first accumulation). The default zeroes `grad`, then adds; layers with
    /// large gradients write them in one pass.
    #[inline]
    fn backward_preact_set(
        &self,
        x: &Self::Input,
        cache: &Self::Cache,
        dz: &Self::Output,
        grad: &mut Self::Gradient,
        d_input: Option<&mut Self::Input>,
    ) {
        grad.fill(T::ZERO);
        self.backward_preact(x, cache, dz, grad, d_input);
    }

    /// [`backward_preact_set`](Layer::backward_preact_set), then plain SGD's step on this
    /// layer's parameters from the gradient just written: `p -= lr g` (`p + (-lr) g`, as
    /// [`crate::kernel::axpy_swap`] computes it) with the old `p` left in `grad`, so a step
    /// found bad can be undone exactly. `d_input` is computed from the old weights. Returns
    /// whether every gradient element and every new parameter is finite.
    ///
    /// What [`train_sample`](crate::train::train_sample) runs for an optimizer that is plain
    /// SGD ([`OptimizerBase::sgd_rate`](crate::optim::OptimizerBase::sgd_rate)): the same bits
    /// as the whole backward pass followed by [`Sgd`](crate::optim::Sgd)'s update. The default
    /// does exactly that for this layer; [`Dense`] fuses the two passes over its weights.
    #[inline]
    fn backward_preact_sgd(
        &mut self,
        x: &Self::Input,
        cache: &Self::Cache,
        dz: &Self::Output,
        grad: &mut Self::Gradient,
        d_input: Option<&mut Self::Input>,
        lr: T,
    ) -> bool {
        self.backward_preact_set(x, cache, dz, grad, d_input);
        sgd_swap(self, grad, lr)
    }

    /// [`backward_preact_sgd`](Layer::backward_preact_sgd) working in `scratch`, as
    /// [`forward_train_in`](Layer::forward_train_in).
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    fn backward_preact_sgd_in(
        &mut self,
        x: &Self::Input,
        cache: &Self::Cache,
        dz: &Self::Output,
        grad: &mut Self::Gradient,
        d_input: Option<&mut Self::Input>,
        scratch: &mut [T],
        lr: T,
    ) -> bool {
        self.backward_preact_set_in(x, cache, dz, grad, d_input, scratch);
        sgd_swap(self, grad, lr)
    }

    /// Training forward over a batch: `caches[b]` gets sample `b` of `xs`, for
    /// `b < caches.len()` (at most `xs.len()`).
    ///
    /// The default runs [`forward_train`](Layer::forward_train) sample by sample; layers with
    /// a batched kernel ([`Dense`]) override it.
    #[inline]
    fn forward_train_batch<X: Samples<Self::Input> + ?Sized>(
        &self,
        xs: &X,
        caches: &mut [Self::Cache],
    ) {
        let n = caches.len().min(xs.len());
        for (b, cache) in caches[..n].iter_mut().enumerate() {
            self.forward_train(xs.sample(b), cache);
        }
    }

    /// [`activation_backward`](Layer::activation_backward) for every sample of a batch.
    #[inline]
    fn activation_backward_batch(&self, caches: &[Self::Cache], d: &mut [Self::Output]) {
        for (cache, d) in caches.iter().zip(d) {
            self.activation_backward(cache, d);
        }
    }

    /// [`backward_preact`](Layer::backward_preact) over a batch: adds the parameter gradients
    /// of every sample `b < dz.len()` into `grad` and, if asked, writes sample `b`'s `dL/dx`
    /// into `d_input[b]`.
    ///
    /// The default runs sample by sample; layers with a batched kernel override it.
    #[inline]
    fn backward_preact_batch<X: Samples<Self::Input> + ?Sized>(
        &self,
        xs: &X,
        caches: &[Self::Cache],
        dz: &[Self::Output],
        grad: &mut Self::Gradient,
        mut d_input: Option<&mut [Self::Input]>,
    ) {
        let n = dz.len().min(caches.len()).min(xs.len());
        for b in 0..n {
            let dx = d_input.as_deref_mut().and_then(|d| d.get_mut(b));
            self.backward_preact(xs.sample(b), &caches[b], &dz[b], grad, dx);
        }
    }

    /// [`forward_train`](Layer::forward_train) working in `scratch` (at least
    /// [`SCRATCH`](Layer::SCRATCH) scalars) instead of the stack. The default, for layers
    /// that need none, ignores it.
    #[inline(always)]
    fn forward_train_in(&self, x: &Self::Input, cache: &mut Self::Cache, scratch: &mut [T]) {
        let _ = scratch;
        self.forward_train(x, cache);
    }

    /// [`forward_eval`](Layer::forward_eval) working in `scratch`, as
    /// [`forward_train_in`](Layer::forward_train_in).
    #[inline(always)]
    fn forward_eval_in(&self, x: &Self::Input, cache: &mut Self::Cache, scratch: &mut [T]) {
        let _ = scratch;
        self.forward_eval(x, cache);
    }

    /// [`backward_preact`](Layer::backward_preact) working in `scratch`, as
    /// [`forward_train_in`](Layer::forward_train_in).
    #[inline(always)]
    fn backward_preact_in(
        &self,
        x: &Self::Input,
        cache: &Self::Cache,
        dz: &Self::Output,
        grad: &mut Self::Gradient,
        d_input: Option<&mut Self::Input>,
        scratch: &mut [T],
    ) {
        let _ = scratch;
        self.backward_preact(x, cache, dz, grad, d_input);
    }

    /// [`backward_preact_set`](Layer::backward_preact_set) working in `scratch`, as
    /// [`forward_train_in`](Layer::forward_train_in).
    #[inline(always)]
    fn backward_preact_set_in(
        &self,
        x: &Self::Input,
        cache: &Self::Cache,
        dz: &Self::Output,
        grad: &mut Self::Gradient,
        d_input: Option<&mut Self::Input>,
        scratch: &mut [T],
    ) {
        grad.fill(T::ZERO);
        self.backward_preact_in(x, cache, dz, grad, d_input, scratch);
    }

    /// [`forward_train_batch`](Layer::forward_train_batch) working in `scratch`, as
    /// [`forward_train_in`](Layer::forward_train_in).
    #[inline(always)]
    fn forward_train_batch_in<X: Samples<Self::Input> + ?Sized>(
        &self,
        xs: &X,
        caches: &mut [Self::Cache],
        scratch: &mut [T],
    ) {
        let _ = scratch;
        self.forward_train_batch(xs, caches);
    }

    /// [`backward_preact_batch`](Layer::backward_preact_batch) working in `scratch`, as
    /// [`forward_train_in`](Layer::forward_train_in).
    #[inline(always)]
    fn backward_preact_batch_in<X: Samples<Self::Input> + ?Sized>(
        &self,
        xs: &X,
        caches: &[Self::Cache],
        dz: &[Self::Output],
        grad: &mut Self::Gradient,
        d_input: Option<&mut [Self::Input]>,
        scratch: &mut [T],
    ) {
        let _ = scratch;
        self.backward_preact_batch(xs, caches, dz, grad, d_input);
    }
}

/// Plain SGD's swap step over every tensor of `params`: `p += (-lr) g` while `g` takes the
/// old `p` ([`crate::kernel::axpy_swap`], as [`Sgd`](crate::optim::Sgd)'s update runs it).
/// Whether every old `g` and every new `p` is finite.
#[inline]
pub(crate) fn sgd_swap<T: Float, P: Params<T>, G: Params<T>>(
    params: &mut P,
    grads: &mut G,
    lr: T,
) -> bool {
    let mut finite = true;
    for i in 0..P::TENSORS {
        let (new, old) = crate::kernel::axpy_swap(params.tensor_mut(i), -lr, grads.tensor_mut(i));
        finite &= new && old;
    }
    finite
}
