//! Training steps: one sample, or a mini-batch with the gradient averaged over it.
//!
//! Both return the loss. Neither touches the parameters or the optimizer when it returns an
//! error: a target outside the loss's domain, a non-finite loss or gradient, or an update
//! that would make a parameter or a value of the optimizer's state non-finite. An `Ok` step
//! leaves every weight finite.

use crate::error::Error;
use crate::float::Float;
use crate::layer::DropoutMasks;
use crate::loss::Loss;
use crate::network::{Network, Params, Vector};
use crate::optim::Optimizer;
use crate::stack::WorkspaceOnStack;

/// The memory a training step works in: the forward cache, the gradient accumulator, the
/// buffers of the batched pass ([`Network::BATCH`] samples' caches and output gradients) and
/// the Dropout layers' mask generators. Build it once and reuse it; it never allocates. For large networks, `Workspace::boxed`
/// (with the `alloc` feature) builds it in place on the heap, and a `static` of
/// [`Workspace::ZERO`] holds it without a heap.
///
/// ```
/// use dl_core::prelude::*;
///
/// network! {
///     struct Net { Dense<4, 8, Relu>, Dense<8, 3, Softmax> }
/// }
///
/// let mut ws = Workspace::<Net<f32>>::new(); // on the stack, sized at compile time
/// assert_eq!(Workspace::<Net<f32>>::BYTES, core::mem::size_of::<Workspace<Net<f32>>>());
/// let mut net = Net::<f32>::new(1);
/// let mut sgd = Sgd::new(0.1);
/// let (x, y) = (SVector::from([1.0, 0.0, 0.0, 1.0]), SVector::from([0.0, 1.0, 0.0]));
/// for _ in 0..3 {
///     train_sample::<_, CrossEntropy, _>(&mut net, &mut sgd, &x, &y, &mut ws)?; // reused
/// }
/// # Ok::<(), dl_core::error::Error>(())
/// ```
pub struct Workspace<N: Network> {
    /// The training forward pass's cache.
    pub cache: N::Cache,
    /// Gradients, accumulated over a batch. [`train_batch`] accumulates into it and leaves it
    /// zeroed whatever it returns (on success the optimizer consumes it,
    /// [`Optimizer::step_consume`]), so no batch spends a pass clearing it first.
    /// [`train_sample`] writes it whole in its backward pass instead of adding to it (assign
    /// on first accumulation) and may leave any values in it after a successful step
    /// ([`Optimizer::step_discard`]: plain SGD leaves the old weights there); `train_batch`
    /// clears it first after one. Every refused step leaves it zeroed. Code that accumulates
    /// gradients of its own here must zero it first.
    pub grads: N::Gradient,
    /// The batched pass's buffers, used by [`train_batch`].
    pub batch: N::Batch,
    /// The Dropout layers' mask generators ([`DropoutMasks`]): the one piece of state that
    /// carries from step to step, so the same seed gives the same masks whichever path
    /// ([`train_sample`], [`train_batch`]) draws them. [`seed_dropout`](Self::seed_dropout)
    /// restarts them.
    pub masks: N::Masks,
    /// Whether `grads` may hold something other than zeros: after a successful
    /// [`train_sample`] step.
    stale_grads: bool,
}

impl<N: Network> Workspace<N> {
    /// Bytes of the whole workspace: what a training step needs beside the parameters and
    /// the optimizer's state (`CACHE_BYTES + GRADIENT_BYTES` plus the batched pass's buffers).
    pub const BYTES: usize = core::mem::size_of::<Self>();

    /// A zeroed workspace, as a `const`: for a `static`, at any size. Its mask generators
    /// are at their start ([`DropoutMasks::START`], the masks of `seed_dropout(0)`).
    pub const ZERO: Self = Workspace {
        cache: N::CACHE_ZERO,
        grads: <N::Gradient as Params<N::Scalar>>::ZERO,
        batch: N::BATCH_ZERO,
        masks: <N::Masks as DropoutMasks>::START,
        stale_grads: false,
    };

    /// A zeroed workspace by value: a compile error when that is over the network's
    /// [stack budget](crate::stack) (use `boxed` (with `alloc`) or a `static` of
    /// [`ZERO`](Self::ZERO)).
    pub const fn new() -> Self
    where
        N: WorkspaceOnStack,
    {
        Self::ZERO
    }

    /// A zeroed workspace built in place on the heap: no workspace-sized temporary on the
    /// stack in any build profile.
    #[cfg(feature = "alloc")]
    pub fn boxed() -> alloc::boxed::Box<Self> {
        let mut ws = crate::zeroed::boxed::<Self>();
        ws.masks = <N::Masks as DropoutMasks>::START;
        ws
    }

    /// Restarts every Dropout layer's masks from `seed`: the same seed gives the same masks
    /// in the same order, through [`train_sample`] and [`train_batch`] alike. Nothing to do
    /// for a network without Dropout.
    pub fn seed_dropout(&mut self, seed: u64) {
        self.masks.seed_dropout(seed);
    }
}

impl<N: Network + WorkspaceOnStack> Default for Workspace<N> {
    fn default() -> Self {
        Self::new()
    }
}

/// Refuses a non-finite loss before any parameter is touched, zeroing the gradient so the
/// workspace is ready for the next step. (The gradient itself is checked by the optimizer,
/// in the same pass as the update it would make: [`Optimizer::step_consume`].)
#[inline]
pub(crate) fn check_loss<T: Float, G: Params<T>>(loss: T, grads: &mut G) -> Result<(), Error> {
    if loss.finite() {
        return Ok(());
    }
    grads.fill(T::ZERO);
    Err(Error::NonFiniteLoss)
}

/// Refuses targets outside the loss's domain ([`Loss::TARGET_RANGE`]); nothing to do (and no
/// code) for a loss without one.
#[inline]
pub(crate) fn check_targets<L: Loss, T: Float, Y: Vector<T>>(ys: &[Y]) -> Result<(), Error> {
    let Some((low, high)) = L::TARGET_RANGE else {
        return Ok(());
    };
    for (sample, y) in ys.iter().enumerate() {
        let values = y.as_slice();
        if let Some(index) = values
            .iter()
            .position(|v| !(v.as_f64() >= low && v.as_f64() <= high))
        {
            return Err(Error::TargetOutOfDomain {
                loss: L::NAME,
                sample,
                index,
                value: values[index].as_f64(),
                expected: L::TARGET_DOMAIN,
            });
        }
    }
    Ok(())
}

/// The loss and its gradients from the workspace's filled cache, with the gradients between
/// layers on the stack under the [stack budget](crate::stack) (the small networks' fastest
/// path) and in the workspace's batch buffers over it: no heap, any size.
#[inline]
fn loss_backward_in<N: Network, L: Loss>(
    net: &N,
    x: &N::Input,
    y: &N::Output,
    ws: &mut Workspace<N>,
) -> N::Scalar {
    let Workspace {
        cache,
        grads,
        batch,
        ..
    } = ws;
    if N::BACKWARD_STACK_BYTES > N::STACK_BUDGET {
        net.loss_backward_in::<L>(x, cache, y, grads, None, batch)
    } else {
        net.loss_backward_on_stack::<L>(x, cache, y, grads, None)
    }
}

/// [`loss_backward_in`] writing the parameter gradients instead of adding to them
/// ([`Network::loss_backward_set_on_stack`]): `ws.grads` may hold anything before.
#[inline]
fn loss_backward_set_in<N: Network, L: Loss>(
    net: &N,
    x: &N::Input,
    y: &N::Output,
    ws: &mut Workspace<N>,
) -> N::Scalar {
    let Workspace {
        cache,
        grads,
        batch,
        ..
    } = ws;
    if N::BACKWARD_STACK_BYTES > N::STACK_BUDGET {
        net.loss_backward_set_in::<L>(x, cache, y, grads, None, batch)
    } else {
        net.loss_backward_set_on_stack::<L>(x, cache, y, grads, None)
    }
}

/// One stochastic gradient step on a single sample `(x, y)`: forward, loss, backward, update.
/// Returns the loss before the update.
///
/// Errors, each leaving `net` and `opt` exactly as they were:
/// [`Error::InvalidHyperParameter`] if the optimizer's settings are out of range,
/// [`Error::TargetOutOfDomain`] if `y` is outside the loss's domain,
/// [`Error::NonFiniteLoss`] / [`Error::NonFiniteGradient`] if the loss or a gradient is NaN
/// or infinite, and [`Error::NonFiniteUpdate`] if the update would make a parameter or a
/// value of the optimizer's state NaN or infinite. So an `Ok` step leaves finite weights.
///
/// ```
/// use dl_core::prelude::*;
/// network! { struct Net { Dense<2, 3, Tanh>, Dense<3, 1, Sigmoid> } }
/// let (mut net, mut ws) = (Net::<f32>::new(1), Workspace::new());
/// let mut sgd = Sgd::new(0.5);
/// let (x, y) = (SVector::from([0.5, -1.0]), SVector::from([1.0]));
/// let first = train_sample::<_, BinaryCrossEntropy, _>(&mut net, &mut sgd, &x, &y, &mut ws)?;
/// let second = train_sample::<_, BinaryCrossEntropy, _>(&mut net, &mut sgd, &x, &y, &mut ws)?;
/// assert!(second < first);
/// // A target outside the loss's domain is refused, and nothing moves.
/// let before = net.clone();
/// let bad = SVector::from([2.0]);
/// let refused = train_sample::<_, BinaryCrossEntropy, _>(&mut net, &mut sgd, &x, &bad, &mut ws);
/// assert!(matches!(refused, Err(Error::TargetOutOfDomain { .. })));
/// assert_eq!((net, sgd.steps()), (before, 2));
/// # Ok::<(), dl_core::error::Error>(())
/// ```
#[inline]
pub fn train_sample<N: Network, L: Loss, O: Optimizer<N>>(
    net: &mut N,
    opt: &mut O,
    x: &N::Input,
    y: &N::Output,
    ws: &mut Workspace<N>,
) -> Result<N::Scalar, Error> {
    opt.validate()?;
    check_targets::<L, _, _>(core::slice::from_ref(y))?;
    net.forward_train(x, &mut ws.cache, &mut ws.masks);
    if let Some(lr) = opt.sgd_rate() {
        if let Some(loss) = sgd_sample_step::<N, L>(net, x, y, ws, N::Scalar::cast(lr)) {
            opt.sgd_applied();
            return Ok(loss);
        }
    }
    // The backward pass writes the whole gradient, so no pass clears it between steps; a
    // refused step zeroes it (`check_loss`, `step_discard`).
    let loss = loss_backward_set_in::<N, L>(net, x, y, ws);
    ws.stale_grads = false;
    check_loss(loss, &mut ws.grads)?;
    opt.step_discard(net, &mut ws.grads, N::Scalar::ONE)?;
    ws.stale_grads = true;
    Ok(loss)
}

/// [`train_sample`]'s backward pass and step for plain SGD with rate `lr` in one pass
/// ([`Network::loss_backward_sgd_in`]): each layer updated as its gradient is written, the old
/// parameters left in `ws.grads`; the same bits as the backward pass, then [`Sgd`]'s step
/// (tests/tests/sample_step.rs). `Some(loss)` when applied. `None` with the network as it was
/// when the loss, a gradient or a new parameter is not finite (the parameters restored from
/// the old values): the caller then runs the two-pass step, which refuses it with its error.
///
/// [`Sgd`]: crate::optim::Sgd
#[inline]
fn sgd_sample_step<N: Network, L: Loss>(
    net: &mut N,
    x: &N::Input,
    y: &N::Output,
    ws: &mut Workspace<N>,
    lr: N::Scalar,
) -> Option<N::Scalar> {
    let Workspace {
        cache,
        grads,
        batch,
        ..
    } = ws;
    let (loss, finite) = net.loss_backward_sgd_in::<L>(x, cache, y, grads, batch, lr);
    ws.stale_grads = true;
    if finite {
        return Some(loss);
    }
    if loss.finite() {
        for i in 0..N::TENSORS {
            net.tensor_mut(i).copy_from_slice(ws.grads.tensor(i));
        }
    }
    None
}

/// One mini-batch gradient step: the gradient is averaged over the batch, as PyTorch's mean
/// reduction does, then applied once. Returns the mean loss before the update.
///
/// A batch of more than one sample runs through [`Network::loss_backward_batch`], in runs of
/// [`Network::BATCH`] samples: each layer's forward and backward pass over the whole run at
/// once, as matrix products in the blocked kernels of [`crate::kernel`]. A single sample, and
/// networks whose layers have no batched kernel (`BATCH == 1`), take the per-sample path, so
/// a batch of one is bit for bit [`train_sample`].
///
/// Errors: an empty batch, inputs and targets of different counts, and every error of
/// [`train_sample`] (`sample` of [`Error::TargetOutOfDomain`] is the index in the batch).
/// On each, the network and the optimizer are exactly as they were.
///
/// ```
/// use dl_core::prelude::*;
///
/// network! {
///     struct Xor { Dense<2, 4, Tanh>, Dense<4, 1, Sigmoid> }
/// }
///
/// let xs = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]].map(SVector::<f32, 2>::from);
/// let ys = [[0.0], [1.0], [1.0], [0.0]].map(SVector::<f32, 1>::from);
/// let mut net = Xor::<f32>::new(3);
/// let mut adam = Adam::new(0.05);
/// let mut ws = Workspace::new();
/// let first = train_batch::<_, BinaryCrossEntropy, _>(&mut net, &mut adam, &xs, &ys, &mut ws)?;
/// let mut last = first;
/// for _ in 0..500 {
///     last = train_batch::<_, BinaryCrossEntropy, _>(&mut net, &mut adam, &xs, &ys, &mut ws)?;
/// }
/// assert!(last < first / 10.0, "{first} -> {last}");
/// // Mismatched or empty batches are errors, not panics.
/// let err = train_batch::<_, BinaryCrossEntropy, _>(&mut net, &mut adam, &xs, &ys[..3], &mut ws);
/// assert!(err.is_err());
/// # Ok::<(), dl_core::error::Error>(())
/// ```
pub fn train_batch<N: Network, L: Loss, O: Optimizer<N>>(
    net: &mut N,
    opt: &mut O,
    xs: &[N::Input],
    ys: &[N::Output],
    ws: &mut Workspace<N>,
) -> Result<N::Scalar, Error> {
    if ws.stale_grads {
        ws.grads.fill(N::Scalar::ZERO);
        ws.stale_grads = false;
    }
    if xs.len() != ys.len() {
        return Err(Error::BatchMismatch {
            inputs: xs.len(),
            targets: ys.len(),
        });
    }
    if xs.is_empty() {
        return Err(Error::EmptyBatch);
    }
    opt.validate()?;
    check_targets::<L, _, _>(ys)?;
    let total = accumulate_batch::<N, L>(net, xs, ys, ws);
    let inv = N::Scalar::ONE / N::Scalar::cast(xs.len() as f64);
    let loss = total * inv;
    // The sum's finiteness is the mean's: `inv <= 1` cannot overflow it. The optimizer then
    // checks the gradient and the update it makes (in the same pass for plain SGD), applies
    // `inv * sum`, and clears the gradient.
    check_loss(loss, &mut ws.grads)?;
    opt.step_consume(net, &mut ws.grads, inv)?;
    Ok(loss)
}

/// The summed loss of `(xs, ys)` (equal lengths), every sample's gradient added into
/// `ws.grads`: through [`Network::loss_backward_batch`] in runs of [`Network::BATCH`]
/// samples, or sample by sample for a single sample and networks without batched kernels.
/// The arithmetic of [`train_batch`], and of each shard of the data-parallel engine, so a
/// batch the engine runs as one shard trains bit for bit as `train_batch`.
#[inline]
pub(crate) fn accumulate_batch<N: Network, L: Loss>(
    net: &N,
    xs: &[N::Input],
    ys: &[N::Output],
    ws: &mut Workspace<N>,
) -> N::Scalar {
    let mut total = N::Scalar::ZERO;
    if xs.len() == 1 || N::BATCH <= 1 {
        for (x, y) in xs.iter().zip(ys) {
            net.forward_train(x, &mut ws.cache, &mut ws.masks);
            total += loss_backward_in::<N, L>(net, x, y, ws);
        }
    } else {
        for (x, y) in xs.chunks(N::BATCH).zip(ys.chunks(N::BATCH)) {
            total +=
                net.loss_backward_batch::<L>(x, y, &mut ws.batch, &mut ws.masks, &mut ws.grads);
        }
    }
    total
}
