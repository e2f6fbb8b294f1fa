//! The traits that generated networks implement, so optimizers, training loops and gradient
//! checks are written once for every network.

#[macro_use]
mod backward_forms;
mod params;
mod tensor_kind;
mod vector;

pub use params::Params;
pub use tensor_kind::TensorKind;
pub use vector::Vector;

use crate::float::Float;
use crate::layer::DropoutMasks;
use crate::loss::Loss;
use crate::stack::{ByValue, ValueOnStack};
use crate::summary::Summary;
use crate::zeroed::Zeroable;

/// A network made by [`network!`](macro@crate::network): layers of fixed size with a hand-derived
/// forward and backward pass.
///
/// Training follows three calls: [`forward_train`](Network::forward_train) fills a
/// [`Cache`](Network::Cache); [`loss_backward`](Network::loss_backward) computes the loss and
/// adds the parameter gradients into a [`Gradient`](Network::Gradient); an
/// [`Optimizer`](crate::optim::Optimizer) applies them. Gradients accumulate (`+=`), so a
/// mini-batch is a loop of these calls followed by one scaled step.
///
/// Every value a network works in is a fixed-size struct whose size the compiler knows. Small
/// networks pass them by value on the stack; large ones keep them in caller-owned storage
/// (a [`Workspace`](crate::train::Workspace), the heap or a `static`), and the
/// [stack budget](crate::stack) decides, at compile time, which calls may use the stack.
///
/// ```
/// use dl_core::prelude::*;
///
/// network! {
///     pub struct Net { Dense<3, 5, Tanh>, Dense<5, 2, Identity> }
/// }
///
/// let net = Net::<f64>::new(7);                      // seeded initialisation
/// let x = SVector::from([0.5, -1.0, 2.0]);
/// let y = net.forward(&x);                           // inference: no cache, no heap
///
/// // Training's three calls, by hand: forward with a cache, loss and gradient, a step.
/// let mut cache = Net::<f64>::CACHE_ZERO;
/// let mut grads = NetGradient::<f64>::ZERO;
/// net.forward_train(&x, &mut cache, &mut ()); // `()`: no Dropout layers, so no masks
/// assert_eq!(Net::output(&cache), &y);
/// let target = SVector::from([1.0, 0.0]);
/// let loss = net.loss_backward::<Mse>(&x, &cache, &target, &mut grads, None);
/// assert!(loss > 0.0 && grads.all_finite());
/// assert_eq!((Net::<f64>::INPUTS, Net::<f64>::OUTPUTS, Net::<f64>::PARAMS), (3, 2, 32));
/// ```
pub trait Network: Params<Self::Scalar> + Zeroable {
    /// The scalar type, `f32` or `f64`.
    type Scalar: Float;
    /// `SVector<T, INPUTS>`.
    type Input: Vector<Self::Scalar>;
    /// `SVector<T, OUTPUTS>`; also the type of targets.
    type Output: Vector<Self::Scalar>;
    /// What the training forward pass keeps for backward: every layer's pre-activations and
    /// outputs.
    type Cache: Clone + Zeroable;
    /// Gradients of every parameter, shaped like the network.
    type Gradient: Params<Self::Scalar> + Clone + Zeroable;
    /// The Dropout layers' mask generators, the state a training run carries from pass to
    /// pass: the generated `{Name}Masks`, or `()` for a network without Dropout.
    type Masks: DropoutMasks;

    /// The input size.
    const INPUTS: usize;
    /// The output size.
    const OUTPUTS: usize;
    /// The number of layers.
    const LAYERS: usize;
    /// A cache of zeros, as a `const`.
    const CACHE_ZERO: Self::Cache;
    /// The layer table, as a `const`: compile-time code (the architecture fingerprint of
    /// [`bytes`](crate::bytes)) reads it.
    const SUMMARY: Summary;
    /// The number of trainable parameters.
    const PARAMS: usize = <Self as Params<Self::Scalar>>::COUNT;
    /// Bytes of the parameters.
    const PARAM_BYTES: usize = Self::PARAMS * core::mem::size_of::<Self::Scalar>();
    /// Bytes of the training cache.
    const CACHE_BYTES: usize = core::mem::size_of::<Self::Cache>();
    /// Bytes of one gradient value (also the state of each optimizer accumulator).
    const GRADIENT_BYTES: usize = core::mem::size_of::<Self::Gradient>();

    /// The [stack budget](crate::stack) of this network's by-value values and calls:
    /// [`stack::DEFAULT_BUDGET`](crate::stack::DEFAULT_BUDGET) unless the declaration says
    /// `stack_budget: <bytes>,`.
    const STACK_BUDGET: usize;
    /// Worst-case stack bytes of [`forward`](Network::forward) on the stack: every layer's
    /// output held along the chain, plus the largest layer's own temporaries (its
    /// pre-activations and output, a convolution's transposed kernel and im2col blocks), as
    /// a debug build keeps them.
    const FORWARD_STACK_BYTES: usize;
    /// Stack bytes of one layer's pass inside the workspace-backed forms (`forward_train`,
    /// `forward_eval`, `backward_in`, `loss_backward_in`, `train_sample`, `train_batch`...):
    /// [`FRAME_BYTES`](crate::stack::FRAME_BYTES) and the largest
    /// [`Layer::STACK_SCALARS`](crate::layer::Layer::STACK_SCALARS), whatever the network's
    /// size: a convolution's transposed kernel and im2col blocks are the
    /// [`Scratch`](crate::layer::Scratch) of the cache or of the batch buffers (so
    /// `CACHE_BYTES` and `WORKSPACE_STACK_BYTES` count them); only one small enough to run
    /// pixel by pixel keeps a patch or two on the stack (at most
    /// [`PIXEL_STACK_SCALARS`](crate::stack::PIXEL_STACK_SCALARS) scalars), and a Dense
    /// layer's batch backward pass fixed blocks for the input gradients (at most
    /// [`DENSE_STACK_SCALARS`](crate::stack::DENSE_STACK_SCALARS)). `network!` refuses a
    /// declaration whose `f32` form exceeds the budget with it
    /// ([`LayersOnStack`](crate::stack::LayersOnStack)).
    const LAYER_STACK_BYTES: usize;
    /// Worst-case stack bytes of [`backward`](Network::backward) and
    /// [`loss_backward`](Network::loss_backward) on the stack: the gradient at every layer's
    /// output, plus the largest layer's own temporaries (a convolution's im2col blocks).
    const BACKWARD_STACK_BYTES: usize;
    /// Worst-case stack bytes of [`evaluate`](crate::fit::evaluate) on the stack: a cache, and
    /// a layer's pass filling it.
    const EVALUATE_STACK_BYTES: usize = Self::CACHE_BYTES + Self::LAYER_STACK_BYTES;
    /// The largest of the by-value calls' stack bytes (at least
    /// [`LAYER_STACK_BYTES`](Network::LAYER_STACK_BYTES), through `EVALUATE_STACK_BYTES`):
    /// what the budget check of calls uses.
    const CALL_STACK_BYTES: usize = max(
        Self::FORWARD_STACK_BYTES,
        max(Self::BACKWARD_STACK_BYTES, Self::EVALUATE_STACK_BYTES),
    );
    /// Stack bytes of the network as a value: what [`new`](Network::new) is checked against.
    const VALUE_STACK_BYTES: usize = core::mem::size_of::<Self>();
    /// Stack bytes of its [`Workspace`](crate::train::Workspace) as a value: what
    /// `Workspace::new` is checked against.
    const WORKSPACE_STACK_BYTES: usize = core::mem::size_of::<crate::train::Workspace<Self>>();

    /// A network with weights drawn from `seed` (see [`init`](Network::init)), by value: a
    /// compile error if that is over the [stack budget](crate::stack); use
    /// `boxed` (with `alloc`) or a `static` then.
    fn new(seed: u64) -> Self
    where
        Self: ValueOnStack,
    {
        let mut net = Self::ZERO;
        net.init(seed);
        net
    }

    /// [`new`](Network::new) built in place on the heap ([`zeroed::boxed`]): no
    /// network-sized temporary on the stack in any build profile.
    ///
    /// [`zeroed::boxed`]: crate::zeroed::boxed
    #[cfg(feature = "alloc")]
    fn boxed(seed: u64) -> alloc::boxed::Box<Self> {
        let mut net = crate::zeroed::boxed::<Self>();
        net.init(seed);
        net
    }

    /// Draws fresh weights from `seed` (Glorot for sigmoid/tanh/softmax/identity layers, He for
    /// ReLU layers; zero biases). The same seed always gives the same weights.
    fn init(&mut self, seed: u64);

    /// Inference: the output for `x`, without a cache. Under the
    /// [stack budget](crate::stack) the intermediates are on the stack; over it, heap scratch
    /// (a cache) with the `alloc` feature, and a compile error without.
    #[inline]
    fn forward(&self, x: &Self::Input) -> Self::Output
    where
        Self: ByValue,
    {
        #[cfg(feature = "alloc")]
        if Self::FORWARD_STACK_BYTES > Self::STACK_BUDGET {
            return crate::scratch::forward(self, x);
        }
        self.forward_on_stack(x)
    }

    /// [`forward`](Network::forward) with every intermediate on the stack
    /// ([`FORWARD_STACK_BYTES`](Network::FORWARD_STACK_BYTES) of it), whatever the budget.
    #[doc(hidden)]
    fn forward_on_stack(&self, x: &Self::Input) -> Self::Output;

    /// The training forward pass: fills `cache` with what [`backward`](Network::backward) needs.
    /// Dropout layers draw their masks from `masks` (a
    /// [`Workspace`](crate::train::Workspace)'s, or `&mut ()` for a network without Dropout).
    fn forward_train(&self, x: &Self::Input, cache: &mut Self::Cache, masks: &mut Self::Masks);

    /// Inference that fills `cache` like [`forward_train`](Network::forward_train), for
    /// evaluating a loss from the cached pre-activations: layers that behave differently while
    /// training (Dropout) act as at inference, so the cached output equals
    /// [`forward`](Network::forward)'s. Generated networks with Dropout override it.
    #[inline]
    fn forward_eval(&self, x: &Self::Input, cache: &mut Self::Cache) {
        let mut masks = <Self::Masks as DropoutMasks>::START;
        self.forward_train(x, cache, &mut masks);
    }

    /// The output held in a cache filled by [`forward_train`](Network::forward_train).
    fn output(cache: &Self::Cache) -> &Self::Output;

    backward_forms! {
        /// Backpropagates `d_output = dL/d(output)` from a filled cache, adding the parameter
        /// gradients into `grads` and, if asked, writing `dL/dx` into `d_input`. The gradients
        /// between layers are on the stack under the [stack budget](crate::stack), on the heap
        /// over it (with `alloc`; a compile error without: use
        /// [`backward_in`](Network::backward_in)).
        fn backward(d_output);

        /// [`backward`](Network::backward) with the gradients between layers in `batch`'s
        /// per-layer output-gradient buffers (sample 0's), the caller's memory: the form that
        /// runs for any size without a heap.
        fn backward_in;

        /// [`backward`](Network::backward) with its gradients on the stack, whatever the
        /// budget.
        fn backward_on_stack;
    }

    /// The loss `L` of the cached output against `target`, computed from the last layer's
    /// pre-activations where `L` has a fused form for its activation.
    fn loss<L: Loss>(cache: &Self::Cache, target: &Self::Output) -> Self::Scalar;

    backward_forms! {
        /// Computes the loss against `target` and backpropagates it (with the fused gradient
        /// where `L` has one), adding parameter gradients into `grads`. Returns the loss. Its
        /// memory is chosen as [`backward`](Network::backward)'s is.
        fn loss_backward<L>(target) -> Self::Scalar;

        /// [`loss_backward`](Network::loss_backward) with the gradients between layers in
        /// `batch` (see [`backward_in`](Network::backward_in)): what
        /// [`train_batch`](crate::train::train_batch) calls sample by sample, for any size.
        fn loss_backward_in;

        /// [`loss_backward`](Network::loss_backward) with its gradients on the stack,
        /// whatever the budget.
        fn loss_backward_on_stack;
    }

    /// [`loss_backward_on_stack`](Network::loss_backward_on_stack) writing the parameter
    /// gradients into `grads` instead of adding to them, whatever `grads` held (the same bits
    /// as into a zeroed `grads`): what [`train_sample`](crate::train::train_sample) runs, so
    /// no pass clears the gradient between steps. Generated networks write each layer's
    /// gradient in its backward pass ([`Layer::backward_preact_set`](crate::layer::Layer));
    /// this default zeroes `grads`, then adds.
    #[doc(hidden)]
    #[inline]
    fn loss_backward_set_on_stack<L: Loss>(
        &self,
        x: &Self::Input,
        cache: &Self::Cache,
        target: &Self::Output,
        grads: &mut Self::Gradient,
        d_input: Option<&mut Self::Input>,
    ) -> Self::Scalar {
        grads.fill(Self::Scalar::ZERO);
        self.loss_backward_on_stack::<L>(x, cache, target, grads, d_input)
    }

    /// [`loss_backward_in`](Network::loss_backward_in) writing the parameter gradients, as
    /// [`loss_backward_set_on_stack`](Network::loss_backward_set_on_stack).
    #[doc(hidden)]
    #[inline]
    fn loss_backward_set_in<L: Loss>(
        &self,
        x: &Self::Input,
        cache: &Self::Cache,
        target: &Self::Output,
        grads: &mut Self::Gradient,
        d_input: Option<&mut Self::Input>,
        batch: &mut Self::Batch,
    ) -> Self::Scalar {
        grads.fill(Self::Scalar::ZERO);
        self.loss_backward_in::<L>(x, cache, target, grads, d_input, batch)
    }

    /// [`loss_backward_set_in`](Network::loss_backward_set_in) and plain SGD's step with rate
    /// `lr` in one backward pass, each layer updated as soon as its gradient is written
    /// ([`Layer::backward_preact_sgd`](crate::layer::Layer)), with its old parameters left in
    /// `grads`: the same bits as the backward pass followed by [`Sgd`](crate::optim::Sgd)'s
    /// update. Returns the loss and whether every gradient and every new parameter is finite.
    /// A non-finite loss returns at once with nothing changed. On `false` otherwise, the
    /// caller restores the parameters from `grads`. The default runs the two passes.
    #[doc(hidden)]
    #[inline]
    fn loss_backward_sgd_in<L: Loss>(
        &mut self,
        x: &Self::Input,
        cache: &Self::Cache,
        target: &Self::Output,
        grads: &mut Self::Gradient,
        batch: &mut Self::Batch,
        lr: Self::Scalar,
    ) -> (Self::Scalar, bool) {
        let loss = self.loss_backward_set_in::<L>(x, cache, target, grads, None, batch);
        if !loss.finite() {
            return (loss, false);
        }
        (loss, crate::layer::sgd_swap(self, grads, lr))
    }

    /// One row a layer, with output shapes and parameter counts, in Keras's layout.
    fn summary() -> Summary {
        Self::SUMMARY
    }

    /// The buffers of a batched training pass: every layer's cache and output gradient for
    /// [`BATCH`](Network::BATCH) samples (a [`LayerBatch`](crate::batch::LayerBatch) a layer).
    type Batch: Zeroable;
    /// How many samples [`loss_backward_batch`](Network::loss_backward_batch) handles at once:
    /// [`batch::BATCH`](crate::batch::BATCH) when every layer has a batched kernel, else 1.
    const BATCH: usize;
    /// Zeroed batch buffers, as a `const`.
    const BATCH_ZERO: Self::Batch;

    /// [`loss_backward`](Network::loss_backward) for the first `n = min(xs.len(), ys.len(),
    /// BATCH)` samples at once: one forward pass over the whole batch (`Z = W X + b` a layer,
    /// through the blocked kernels of [`crate::kernel`]), then one backward pass, adding every
    /// sample's parameter gradients into `grads`. Returns the sum of the `n` losses. Dropout
    /// layers draw one mask a sample from `masks`, in sample order.
    ///
    /// Same result as `n` calls of `forward_train` and `loss_backward`, up to rounding.
    fn loss_backward_batch<L: Loss>(
        &self,
        xs: &[Self::Input],
        ys: &[Self::Output],
        batch: &mut Self::Batch,
        masks: &mut Self::Masks,
        grads: &mut Self::Gradient,
    ) -> Self::Scalar;
}

/// The larger of `a` and `b`, for the stack-size consts.
const fn max(a: usize, b: usize) -> usize {
    if a > b {
        a
    } else {
        b
    }
}
