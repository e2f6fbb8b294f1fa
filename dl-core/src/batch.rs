//! Mini-batches in fixed-size memory: how a layer reads a batch of inputs, and the buffers a
//! network's batched training pass works in.
//!
//! A batch is a run of per-sample values (`[SVector<T, N>]`), not one matrix: the network's
//! input batch is the caller's slice as it is, and a layer's input batch is the previous
//! layer's cached outputs, read in place through [`Outputs`]. Column `b` of the batch matrix
//! `X` (`N x B`, column-major) is sample `b`, so the kernels in [`crate::kernel`] read it as
//! contiguous columns and no copy is ever made.

use crate::float::Float;
use crate::layer::{Layer, LayerCache};
use crate::network::Vector;

/// The samples a batched layer method reads: `sample(b)` for `b < len()`.
pub trait Samples<V> {
    /// The number of samples.
    fn len(&self) -> usize;
    /// Sample `b` (`b < len()`).
    fn sample(&self, b: usize) -> &V;
    /// Whether there are no samples.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<V> Samples<V> for [V] {
    #[inline(always)]
    fn len(&self) -> usize {
        <[V]>::len(self)
    }
    #[inline(always)]
    fn sample(&self, b: usize) -> &V {
        &self[b]
    }
}

/// The outputs `a` held in a run of layer caches: the next layer's input batch.
pub struct Outputs<'a, C>(pub &'a [C]);

impl<V, C: LayerCache<V>> Samples<V> for Outputs<'_, C> {
    #[inline(always)]
    fn len(&self) -> usize {
        self.0.len()
    }
    #[inline(always)]
    fn sample(&self, b: usize) -> &V {
        self.0[b].output()
    }
}

/// One layer's share of a batched training pass over up to `B` samples: each sample's cache,
/// and each sample's gradient at the layer's output (`dL/da`, turned into `dL/dz` in place).
pub struct LayerBatch<T: Float, L: Layer<T>, const B: usize> {
    /// `caches[b]`: sample `b`'s pre-activations and outputs.
    pub caches: [L::Cache; B],
    /// `d[b]`: sample `b`'s gradient at this layer's output.
    pub d: [L::Output; B],
}

impl<T: Float, L: Layer<T>, const B: usize> LayerBatch<T, L, B> {
    /// All zeros, as a `const` (a `static` of it lands in `.bss`).
    pub const ZERO: Self = LayerBatch {
        caches: [const { L::CACHE_ZERO }; B],
        d: [const { <L::Output as Vector<T>>::ZERO }; B],
    };
}

/// The most scalars a network's batch buffers hold: `chunk` keeps `BATCH` samples' caches
/// and output gradients under it (256 MiB of `f32`, about what PyTorch keeps for the
/// activations of a batch of 32 through the 150x150x3 Keras CNN).
///
/// Why that much: a run of one sample updates a Dense layer's whole weight gradient once a
/// sample, and reads its whole weight matrix once a sample forward. The 150x150x3 Keras CNN
/// (4.5 M scalars of buffers a sample, a 36992x512 Dense layer: 76 MB of weights and as much
/// gradient) took 1.9 s a training step of 32 in runs of one sample (at 32 MiB) and 1.0 s in
/// runs of 14 (`benches/peers/keras_cnn.sh`; PyTorch, 1.4 s).
pub const BATCH_SCALARS: usize = 64 * 1024 * 1024;

/// How many samples a generated network's batched pass takes at once, given the sum of its
/// layers' output sizes: [`BATCH`], or as many as fit [`BATCH_SCALARS`] (at least 1) when each
/// sample's buffers (about three scalars an output: `z`, `a` and `dL/da`) are larger. A
/// CIFAR-sized CNN (66k outputs a sample) gets all 32; the 150x150x3 Keras CNN (1.5 M) 14.
pub const fn chunk(outputs: usize) -> usize {
    let per_sample = 3 * outputs;
    if per_sample == 0 || per_sample * BATCH <= BATCH_SCALARS {
        BATCH
    } else if per_sample >= BATCH_SCALARS {
        1
    } else {
        BATCH_SCALARS / per_sample
    }
}

/// The number of samples a generated network's batched training pass handles at once (see
/// [`chunk`] for large networks). Larger batches are processed in runs of this many,
/// accumulating the gradient; networks with a Dropout layer use 1 (the per-sample path).
///
/// On bare-metal targets (`target_os = "none"`, the microcontrollers) it is 1 as well: their
/// FPUs are scalar, so a batched product is no faster, and a [`Workspace`]'s batch buffers
/// (`BATCH` samples' caches) would cost RAM.
///
/// [`Workspace`]: crate::train::Workspace
#[cfg(not(target_os = "none"))]
pub const BATCH: usize = 32;
/// The number of samples a generated network's batched training pass handles at once: 1 on
/// bare-metal targets, whose FPUs are scalar and whose RAM is scarce.
#[cfg(target_os = "none")]
pub const BATCH: usize = 1;
