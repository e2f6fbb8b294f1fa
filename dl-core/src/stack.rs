//! The stack budget: which calls may put a network's values on the stack, checked by the
//! compiler.
//!
//! `network!` knows the size of every intermediate, so each network carries, as consts, the
//! worst-case stack bytes of its by-value entry points ([`Network::FORWARD_STACK_BYTES`],
//! [`Network::BACKWARD_STACK_BYTES`], [`Network::EVALUATE_STACK_BYTES`], their maximum
//! [`Network::CALL_STACK_BYTES`], and [`Network::VALUE_STACK_BYTES`] and
//! [`Network::WORKSPACE_STACK_BYTES`] for the network and its workspace as values) next to `PARAM_BYTES` and `CACHE_BYTES`, and a stack budget
//! [`Network::STACK_BUDGET`]: [`DEFAULT_BUDGET`] unless the declaration sets its own with
//! `stack_budget: <bytes>,`.
//!
//! - **Values.** [`Network::new`] and [`Workspace::new`](crate::train::Workspace::new)
//!   return the whole network or workspace by value. When that is over budget, calling them
//!   is a compile error (also under `cargo check`) that names the network, the bytes and the
//!   budget, and points to the heap (`boxed`) or a `static`.
//! - **Calls.** `forward`, `backward`, `loss_backward`, `evaluate`, `predict`, `gradcheck`
//!   need their intermediates somewhere. Under budget they use the stack, as small networks
//!   always have (no allocation, the firmware's and the tiny benchmarks' path). Over budget,
//!   in builds with a heap (the `alloc` feature), they allocate zeroed scratch on the heap
//!   and just work; without a heap, calling them is a compile error pointing to the
//!   workspace-backed forms (`forward_train`, `loss_backward_in`, `train_sample`,
//!   `evaluate_with`, `predict_with`), whose memory is the caller's.
//! - **Layers.** Every pass, by value or workspace-backed, runs the layers one at a time, each
//!   with a frame and what the layer keeps on the stack whatever memory it is given (a
//!   pixel-by-pixel convolution's patch, a Dense layer's blocks for a batch's input
//!   gradients): [`Network::LAYER_STACK_BYTES`], at most [`FRAME_BYTES`] and
//!   [`DENSE_STACK_SCALARS`] scalars for any network (17 KiB in `f64`, under either default
//!   budget). A declaration whose `stack_budget` is below that in `f32`
//!   is a compile error at the network's name, since no form of any call needs less
//!   ([`LayersOnStack`]); without a heap, [`Network::CALL_STACK_BYTES`] counts it too, in the
//!   scalar type used.
//!
//! What is estimated rather than counted is the frames: [`FRAME_BYTES`] is what an optimised
//! build needs beyond the counted values, not a debug build's frames (see its docs for the
//! measured numbers).
//!
//! The check is a trait bound rather than a `const` assertion: a bound is part of type
//! checking, so `cargo check` reports it (a post-monomorphisation `const` panic shows only in
//! a full build), at the user's call, and `#[diagnostic::on_unimplemented]` words it. For each
//! scalar type the macro implements [`StackCheck`], whose associated types carry the bytes,
//! the budget and whether they fit as const parameters of [`StackUse`]; [`Within`],
//! [`WorkspaceWithin`], [`CallsWithin`] and [`LayersWithin`] exist only for the fitting ones.
//!
//! ```compile_fail
//! use dl_core::prelude::*;
//! network! {
//!     struct Wide { stack_budget: 4096, Dense<64, 64, Relu>, Dense<64, 1, Sigmoid> }
//! }
//! let net = Wide::<f32>::new(1); // 16.9 kB by value, over its 4096-byte budget
//! ```

use crate::network::Network;

/// The default stack budget of a network's by-value calls and values on hosts: 256 KiB, an
/// eighth of the 2 MiB a spawned thread (and `cargo test`'s) gets, leaving the rest to the
/// caller's frames and to debug builds' copies.
#[cfg(not(target_os = "none"))]
pub const DEFAULT_BUDGET: usize = 256 * 1024;
/// The default stack budget on bare-metal targets: 16 KiB, what the example firmware gives a
/// network and its workspace. Set a network's own with `stack_budget: <bytes>,` (a firmware
/// with a 4 KiB stack wants a smaller one).
#[cfg(target_os = "none")]
pub const DEFAULT_BUDGET: usize = 16 * 1024;

/// Stack bytes a by-value call's estimate adds for the frames themselves (return addresses,
/// saved registers, loop counters and slices: everything but the network-sized values), in
/// an optimised build.
///
/// Debug builds need more: their frames keep every temporary. Measured by
/// `frames_of_the_workspace_backed_passes` in `tests/tests/any_size/` (the smallest thread
/// stack, in 4 KiB steps, on which the passes return, less what the thread keeps for
/// itself, 8 KiB), on x86-64:
///
/// | what | counted | debug | release |
/// |---|---|---|---|
/// | 150x150x3 CNN, workspace-backed passes | `LAYER_STACK_BYTES` 9,216 | 49,152 | at most 8,192 |
/// | digits CNN, by-value `forward` and `loss_backward` | `CALL_STACK_BYTES` 41,128 | 126,976 | 32,768 |
///
/// (2026-12-02, `f32`.) So a debug build's workspace-backed passes need about 48 KiB whatever
/// the network's size (`tests` run them on a 64 KiB thread), which no estimate here counts.
/// The by-value estimates hold in release builds; in debug builds they do not: the digits
/// CNN's by-value calls needed 124 KiB, three times the estimate (40 KiB when first
/// measured, at `f8eb3ea`; which of the layer changes since grew the debug frames is not
/// traced). The method cannot resolve the release frames below
/// 8 KiB; the firmware paints its stack for byte counts (`embedded/`).
pub const FRAME_BYTES: usize = 1024;

/// The most scalars a layer keeps on the stack in any pass, whatever memory it is given
/// ([`Layer::STACK_SCALARS`](crate::layer::Layer::STACK_SCALARS)): a convolution runs pixel
/// by pixel, with its patch, the patch's gradient and one pixel's outputs on the stack, only
/// if these fit (4 KiB of `f32`); larger ones work in the caller's scratch. So
/// [`Network::LAYER_STACK_BYTES`] is at most `FRAME_BYTES + PIXEL_STACK_SCALARS *
/// size_of::<T>()` from convolutions.
pub const PIXEL_STACK_SCALARS: usize = 1024;

/// The most scalars a [`Dense`](crate::layer::Dense) layer keeps on the stack
/// ([`Layer::STACK_SCALARS`](crate::layer::Layer::STACK_SCALARS)), in its batch backward
/// pass: with `std`, from 32 outputs, a block of 32 samples' output gradients and the product
/// of that block with 32 columns of the weights, 32 x 32 scalars each (8 KiB of `f32`); for
/// at most 32 outputs (and at least 16 inputs), 16 columns of the weights transposed. The
/// largest any layer keeps, so [`Network::LAYER_STACK_BYTES`] is at most `FRAME_BYTES +
/// DENSE_STACK_SCALARS * size_of::<T>()` for any network.
pub const DENSE_STACK_SCALARS: usize = 2048;

/// The largest of `values` (0 for none), for the generated stack-size consts.
pub const fn largest(values: &[usize]) -> usize {
    let (mut max, mut i) = (0, 0);
    while i < values.len() {
        if values[i] > max {
            max = values[i];
        }
        i += 1;
    }
    max
}

/// `NEEDED` bytes of stack against a budget of `BUDGET`; `FITS` is `NEEDED <= BUDGET`.
pub struct StackUse<const NEEDED: usize, const BUDGET: usize, const FITS: bool>;

/// A network's stack use, one [`StackUse`] for the network as a value, one for its workspace,
/// one for its by-value calls and one for a layer's pass. `network!` implements it for the
/// network in `f32` and in `f64`.
pub trait StackCheck {
    /// `StackUse<VALUE_STACK_BYTES, STACK_BUDGET, _>`.
    type Value;
    /// `StackUse<WORKSPACE_STACK_BYTES, STACK_BUDGET, _>`.
    type Workspace;
    /// `StackUse<CALL_STACK_BYTES, STACK_BUDGET, _>`.
    type Calls;
    /// `StackUse<LAYER_STACK_BYTES, STACK_BUDGET, _>`.
    type Layers;
}

/// Implemented by a [`StackUse`] that fits: the network `N` may be a value on the stack.
#[diagnostic::on_unimplemented(
    message = "`{N}` is too large to be a value on the stack: {NEEDED} bytes, over its stack budget of {BUDGET} bytes",
    label = "puts {NEEDED} bytes on the stack (budget {BUDGET})",
    note = "build it in place on the heap with `{N}::boxed(seed)` (or `boxed_from_bytes`), or in a `static`, or raise the budget with `stack_budget: <bytes>,` in `network!`"
)]
pub trait Within<N: ?Sized, const NEEDED: usize, const BUDGET: usize> {}
impl<N: ?Sized, const A: usize, const B: usize> Within<N, A, B> for StackUse<A, B, true> {}

/// Implemented by a [`StackUse`] that fits: the network `N`'s workspace may be a value on the
/// stack.
#[diagnostic::on_unimplemented(
    message = "the workspace of `{N}` is too large to be a value on the stack: {NEEDED} bytes, over its stack budget of {BUDGET} bytes",
    label = "puts {NEEDED} bytes on the stack (budget {BUDGET})",
    note = "build it in place on the heap with `Workspace::<{N}>::boxed()`, or in a `static` of `Workspace::ZERO`, or raise the budget with `stack_budget: <bytes>,` in `network!`"
)]
pub trait WorkspaceWithin<N: ?Sized, const NEEDED: usize, const BUDGET: usize> {}
impl<N: ?Sized, const A: usize, const B: usize> WorkspaceWithin<N, A, B> for StackUse<A, B, true> {}

/// Implemented by a [`StackUse`] that fits: the network `N`'s by-value calls may keep their
/// intermediates on the stack.
#[diagnostic::on_unimplemented(
    message = "`{N}`'s by-value calls need {NEEDED} bytes of stack, over its stack budget of {BUDGET} bytes, and this build has no heap",
    label = "needs {NEEDED} bytes of stack (budget {BUDGET})",
    note = "use the workspace-backed forms, whose memory is yours: `forward_train`/`forward_eval` into a cache, `loss_backward_in`, `train_sample`/`train_batch`, `evaluate_with`, `predict_with`; or enable dl-core's `alloc` feature (heap scratch), or raise the budget with `stack_budget: <bytes>,` in `network!`"
)]
pub trait CallsWithin<N: ?Sized, const NEEDED: usize, const BUDGET: usize> {}
impl<N: ?Sized, const A: usize, const B: usize> CallsWithin<N, A, B> for StackUse<A, B, true> {}

/// Implemented by a [`StackUse`] that fits: one layer's pass of the network `N` fits its
/// stack budget.
#[diagnostic::on_unimplemented(
    message = "`{N}`'s layers keep {NEEDED} bytes on the stack in every pass, over its stack budget of {BUDGET} bytes",
    label = "one layer's pass needs {NEEDED} bytes of stack (budget {BUDGET})",
    note = "each pass, by value or workspace-backed, runs one layer at a time with a frame (`dl_core::stack::FRAME_BYTES`) and what the layer keeps on the stack whatever memory it is given (a pixel-by-pixel convolution's patch, `Layer::STACK_SCALARS`); no form of any call needs less, so raise the budget with `stack_budget: <bytes>,` in `network!`"
)]
pub trait LayersWithin<N: ?Sized, const NEEDED: usize, const BUDGET: usize> {}
impl<N: ?Sized, const A: usize, const B: usize> LayersWithin<N, A, B> for StackUse<A, B, true> {}

/// A network small enough to be a value on the stack: [`Network::new`] requires it.
///
/// ```
/// use dl_core::prelude::*;
/// network! { struct Small { Dense<2, 3, Tanh>, Dense<3, 1, Identity> } }
/// fn build<N: Network + ValueOnStack>(seed: u64) -> N {
///     N::new(seed)
/// }
/// let net: Small<f32> = build(3);
/// assert_eq!(net, Small::<f32>::new(3));
/// ```
pub trait ValueOnStack {}
impl<N, const A: usize, const B: usize, const F: bool> ValueOnStack for N
where
    N: StackCheck<Value = StackUse<A, B, F>>,
    StackUse<A, B, F>: Within<N, A, B>,
{
}

/// A network whose workspace is small enough to be a value on the stack:
/// [`Workspace::new`](crate::train::Workspace::new) requires it.
///
/// ```
/// use dl_core::prelude::*;
/// network! { struct Small { Dense<2, 3, Tanh>, Dense<3, 1, Identity> } }
/// // A training step whose workspace is a local value.
/// fn step<N, O>(net: &mut N, opt: &mut O, x: &[N::Input], y: &[N::Output]) -> Result<N::Scalar, Error>
/// where
///     N: Network + WorkspaceOnStack,
///     O: Optimizer<N>,
/// {
///     let mut ws = Workspace::new();
///     train_batch::<N, Mse, O>(net, opt, x, y, &mut ws)
/// }
/// let mut net = Small::<f64>::new(1);
/// let (x, y) = ([SVector::from([0.5, 1.0])], [SVector::from([2.0])]);
/// let loss = step(&mut net, &mut Sgd::new(0.1), &x, &y)?;
/// assert!(loss > 0.0);
/// # Ok::<(), dl_core::error::Error>(())
/// ```
pub trait WorkspaceOnStack {}
impl<N, const A: usize, const B: usize, const F: bool> WorkspaceOnStack for N
where
    N: StackCheck<Workspace = StackUse<A, B, F>>,
    StackUse<A, B, F>: WorkspaceWithin<N, A, B>,
{
}

/// A network whose by-value calls fit its stack budget.
pub trait CallsOnStack {}
impl<N, const A: usize, const B: usize, const F: bool> CallsOnStack for N
where
    N: StackCheck<Calls = StackUse<A, B, F>>,
    StackUse<A, B, F>: CallsWithin<N, A, B>,
{
}

/// A network one of whose layers' passes fits the stack budget: what every pass keeps on the
/// stack whatever memory it is given. `network!` requires it of the network in `f32` where
/// it is declared.
pub trait LayersOnStack {}
impl<N, const A: usize, const B: usize, const F: bool> LayersOnStack for N
where
    N: StackCheck<Layers = StackUse<A, B, F>>,
    StackUse<A, B, F>: LayersWithin<N, A, B>,
{
}

/// A network whose by-value calls can run: every network where there is a heap (over budget
/// they use heap scratch), otherwise those whose calls fit the stack budget
/// ([`CallsOnStack`], which counts a layer's pass too).
///
/// ```
/// use dl_core::prelude::*;
/// network! { struct Small { Dense<2, 3, Tanh>, Dense<3, 1, Identity> } }
/// // Generic code that calls a by-value pass states the bound.
/// fn first_output<N: Network + ByValue>(net: &N, x: &N::Input) -> N::Scalar {
///     net.forward(x).as_slice()[0]
/// }
/// let net = Small::<f64>::new(1);
/// assert!(first_output(&net, &SVector::from([0.5, -0.5])).is_finite());
/// ```
pub trait ByValue {}
#[cfg(feature = "alloc")]
impl<N: Network> ByValue for N {}
#[cfg(not(feature = "alloc"))]
impl<N: Network + CallsOnStack> ByValue for N {}

/// Whether `N`'s by-value calls run with heap scratch: over budget, in a build with a heap.
pub const fn on_heap<N: Network>() -> bool {
    cfg!(feature = "alloc") && N::CALL_STACK_BYTES > N::STACK_BUDGET
}
