//! A Dense network's step split by output units instead of by samples: each thread owns a
//! fixed contiguous range of every layer's units (rows of `W`, entries of `b`) and computes
//! everything of those units for the whole batch, so no gradient is reduced.
//!
//! Why: a data-parallel split of the 784-128-10 MLP at batch 32 moves its whole 400 KB
//! gradient between the cores each step for 16 samples of work a shard (0.94x of the serial
//! step at 2 threads, BENCHMARKS.md). Split by units, what crosses the cores is the
//! activations (a 32x128 block) and a few barriers; each core keeps its rows of `W` and of
//! the gradient in its own cache from step to step.
//!
//! Thread `t` of `T`, with `R_k` its units of layer `k` ([`part`]), for a batch of `n`:
//! - forward, each hidden layer `k`: `Z[R_k] = b[R_k] + W[R_k, :] A_{k-1}` (the row range
//!   of the same kernel, [`Float::matmul_rows`]), `A_k[R_k] = act(Z[R_k])` into a block every
//!   thread reads after a barrier; the last layer (Softmax allowed) and the loss whole on
//!   every thread, the same bits on each;
//! - backward, layer `k` from the last: `dW[R_k, :] = dZ[R_k] A_{k-1}^T`
//!   ([`Float::outer_rows`]), `db[R_k] = sum_s dZ_s[R_k]`, and for `k > 0`
//!   `dA_{k-1}[R_{k-1}] = W[:, R_{k-1}]^T dZ` (column dot products as nalgebra's `tr_mul_to`
//!   computes them), then `act'` on `R_{k-1}`; a hidden layer's `dZ` is exchanged first;
//! - after a barrier (no thread reads `W` any more), the optimizer's element-wise rule on the
//!   thread's rows of every tensor ([`ElementwiseStep::swap_part`]), a barrier for the
//!   verdict, then the gradient cleared (the old weights put back if a result was not
//!   finite).
//!
//! Every element is computed by one thread, with the code and the operand order the serial
//! [`train_batch`](crate::train::train_batch) uses for it, so the weights are those of the
//! serial step bit for bit, for any thread count (tests: `parallel/units.rs`).
//!
//! What it costs (784-128-10 MLP, batch 32, 2 threads, `perf`, 14:10-14:20 UTC on the shared
//! 2-core VM, load 4-5): per thread about 38 us of `matmul_rows` and 36 us of
//! `outer_rows` (the serial step's 63 and 65 us for all rows: about its share), 30-40 us
//! of update (the serial whole-tensor update is 12 us), 10 us entering the pool and the
//! rest waiting at barriers for a partner that other processes preempted. The update's
//! cost is the two cores' rows sharing each 512-byte column of `W` (each core's
//! prefetches take lines the other then writes); updating by columns instead (each thread
//! a contiguous range of `W`) moved as much between the cores. A fused gradient-and-step
//! kernel for the first layer (one pass over `W` instead of two) was slower still (its
//! stores to `W` stalled on the same lines).

use super::fused::PIECE;
use crate::error::{Error, UpdatedTensor};
use crate::float::Float;
use crate::kernel::MAX_COLUMNS;
use crate::layer::DenseUnits;
use crate::loss::Loss;
use crate::network::{Network, Params, TensorKind};
use crate::optim::{ElementwiseStep, Verdict};
use core::ops::Range;
use core::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::vec::Vec;

mod lane;
mod sync;
mod update;

use lane::Lane;
use sync::{Exchange, SpinBarrier, Tensors};

/// Units a thread owns are cut at multiples of this (a 64-byte line of `f32`), so no two
/// threads write one cache line of a column of `W` or of an activation.
const ALIGN: usize = 16;

const _: () = assert!(PIECE > 0);

/// Thread `t`'s units of a layer of `units` units split over `threads`: contiguous, cut at
/// multiples of [`ALIGN`], possibly empty (a 10-unit layer is thread 0's alone).
pub(super) fn part(units: usize, t: usize, threads: usize) -> Range<usize> {
    let per = units.div_ceil(threads.max(1)).next_multiple_of(ALIGN);
    (t * per).min(units)..((t + 1) * per).min(units)
}

/// The engine's unit-split state: the layers, the shared blocks, one [`Lane`] a thread.
pub(super) struct Units<T> {
    layers: Vec<DenseUnits<T>>,
    columns: usize,
    /// Each hidden layer's outputs `A_k`, written by their owners.
    acts: Vec<Exchange<T>>,
    /// Each hidden layer's `dZ_k`, written by their owners (read by layer `k`'s `W^T dZ`).
    dzs: Vec<Exchange<T>>,
    lanes: Vec<Mutex<Lane<T>>>,
    /// Each thread's rows of each tensor's gradient, compact (its rows of column `j` at
    /// `j * rows`): written by the thread in its backward pass, then read (and left holding
    /// the old parameters) by the column owners of the update.
    grads: Vec<Vec<Exchange<T>>>,
    barrier: SpinBarrier,
    tensors: Tensors<T>,
    kinds: Vec<TensorKind>,
    updated: Vec<AtomicBool>,
    gradient: Vec<AtomicBool>,
}

/// One step's inputs, shared by the threads.
struct Batch<'a, N: Network> {
    xs: &'a [N::Input],
    ys: &'a [N::Output],
    rule: ElementwiseStep,
    scale: N::Scalar,
}

impl<T: Float> Units<T> {
    /// The state for `N` on `threads` threads, or `None` where the split does not apply:
    /// fewer than two threads or layers, a layer that is not a Dense layer on the batched
    /// kernels, Softmax before the last layer, a layer past the first whose input gradients
    /// are blocked products (`O >= 32` in `std` builds: the split computes `tr_mul_to`'s dot
    /// products, so it would not match them), or no row kernels for `T` on this CPU.
    pub(super) fn new<N: Network<Scalar = T>>(threads: usize) -> Option<Self> {
        let layers: Vec<_> = (0..N::LAYERS).map_while(N::dense_units).collect();
        let chained = layers.windows(2).all(|w| w[0].outputs == w[1].inputs);
        let (first, last) = (layers.first()?, layers.last()?);
        let hidden = &layers[..layers.len() - 1];
        if threads < 2
            || layers.len() < 2
            || layers.len() != N::LAYERS
            || !chained
            || first.inputs != N::INPUTS
            || last.outputs != N::OUTPUTS
            || !hidden.iter().all(|l| l.elementwise)
            || !layers[1..].iter().all(|l| l.dot_input_gradients)
            || <N as Params<T>>::TENSORS != 2 * layers.len()
            || <N as Params<T>>::COUNT
                != layers
                    .iter()
                    .map(|l| (l.inputs + 1) * l.outputs)
                    .sum::<usize>()
            || !T::matmul_rows(&[], 0, 0, 0..0, &[], &mut [])
        {
            return None;
        }
        let columns = N::BATCH.min(MAX_COLUMNS);
        let exchange = |l: &DenseUnits<T>| Exchange::new(l.outputs, columns);
        Some(Units {
            acts: hidden.iter().map(exchange).collect(),
            dzs: hidden.iter().map(exchange).collect(),
            grads: (0..threads)
                .map(|t| {
                    let block = |i: usize| {
                        let (layer, weight) = (&layers[i / 2], i.is_multiple_of(2));
                        let cols = if weight { layer.inputs } else { 1 };
                        Exchange::new(part(layer.outputs, t, threads).len(), cols)
                    };
                    (0..2 * layers.len()).map(block).collect()
                })
                .collect(),
            lanes: (0..threads)
                .map(|_| Mutex::new(Lane::new(&layers, columns)))
                .collect(),
            barrier: SpinBarrier::new(),
            tensors: Tensors::with_capacity(2 * layers.len()),
            kinds: (0..2 * layers.len())
                .map(<N as Params<T>>::tensor_kind)
                .collect(),
            updated: (0..2 * layers.len())
                .map(|_| AtomicBool::new(true))
                .collect(),
            gradient: (0..2 * layers.len())
                .map(|_| AtomicBool::new(true))
                .collect(),
            columns,
            layers,
        })
    }

    /// Whether a batch of `n` samples takes this path: the batched pass's one run (at least
    /// 2 samples, as many as one kernel call takes).
    pub(super) fn fits(&self, n: usize) -> bool {
        (2..=self.columns).contains(&n)
    }
}

impl<T: Float + Send + Sync> Units<T> {
    /// One step of `rule` over the batch on the `threads` threads of the current pool (call
    /// it inside the pool's `install`): the batch's mean loss and the update's verdict, with
    /// [`train_batch`](crate::train::train_batch)'s bits and errors.
    pub(super) fn step<N: Network<Scalar = T>, L: Loss>(
        &mut self,
        net: &mut N,
        xs: &[N::Input],
        ys: &[N::Output],
        rule: ElementwiseStep,
        threads: usize,
    ) -> (T, Result<(), Error>)
    where
        N::Input: Sync,
        N::Output: Sync,
    {
        let scale = T::ONE / T::cast(xs.len() as f64);
        let count = <N as Params<T>>::TENSORS;
        for flag in self.updated.iter().chain(&self.gradient) {
            flag.store(true, Ordering::Relaxed);
        }
        let tensors = (0..count).map(|i| {
            let slice: &mut [T] = net.tensor_mut(i);
            // Each tensor's slice is taken once; the pointers outlive the borrows only
            // inside this step, which holds `net` mutably throughout.
            let (ptr, len) = (slice.as_mut_ptr(), slice.len());
            (ptr, len)
        });
        self.tensors.reset(tensors);
        let batch = Batch::<N> {
            xs,
            ys,
            rule,
            scale,
        };
        let this = &*self;
        fork(0..threads, &|leaf| {
            // The pool's worker index, not the fork's leaf: a worker keeps its units (and its
            // lane) from step to step, so its rows of `W` and of the gradient stay in its
            // core's cache. (Which worker runs which leaf changes every step; with the leaf
            // index, rows moved between the cores each step: 0.8x of the serial step.) The
            // leaves run on distinct workers (they meet at barriers), so the indices are
            // `0 .. threads` once each.
            let t = rayon::current_thread_index()
                .filter(|&t| t < threads)
                .unwrap_or(leaf);
            let mut lane = this.lanes[t].lock().unwrap_or_else(|e| e.into_inner());
            this.thread::<N, L>(&mut lane, t, threads, &batch);
        });
        let loss = self.lanes[0].lock().map_or(T::ZERO, |l| l.loss) * scale;
        if !loss.finite() {
            return (loss, Err(Error::NonFiniteLoss));
        }
        let mut verdict = Verdict::new();
        for i in 0..count {
            verdict.gradient(self.gradient[i].load(Ordering::Relaxed));
            let updated = self.updated[i].load(Ordering::Relaxed);
            verdict.tensor(i, UpdatedTensor::Parameters, updated);
        }
        (loss, verdict.finish(&*net))
    }

    /// Tensor `i`'s rows and columns (`W` is `O x I`, `b` is `O x 1`).
    fn shape(&self, i: usize) -> (usize, usize) {
        let layer = &self.layers[i / 2];
        (
            layer.outputs,
            if i.is_multiple_of(2) { layer.inputs } else { 1 },
        )
    }

    /// Thread `t`'s whole step.
    fn thread<N: Network<Scalar = T>, L: Loss>(
        &self,
        lane: &mut Lane<T>,
        t: usize,
        threads: usize,
        batch: &Batch<'_, N>,
    ) {
        let n = batch.xs.len();
        let last = self.layers.len() - 1;
        for k in 0..last {
            self.forward_hidden::<N>(k, lane, part(self.layers[k].outputs, t, threads), batch.xs);
            self.barrier.wait(threads);
        }
        lane.loss = self.forward_last::<N, L>(lane, batch);
        // The loss is the same on every thread: all update, or none.
        let finite = lane.loss.finite();
        for k in (0..=last).rev() {
            if k > 0 && k < last {
                self.share_dz(k, lane, part(self.layers[k].outputs, t, threads), n);
                self.barrier.wait(threads);
            }
            self.backward::<N>(k, lane, t, threads, batch.xs);
        }
        self.barrier.wait(threads);
        if !finite {
            return;
        }
        self.update(t, threads, batch.rule, batch.scale);
        self.barrier.wait(threads);
        let flags = self.updated.iter().chain(&self.gradient);
        if flags.clone().any(|f| !f.load(Ordering::Relaxed)) {
            self.restore(t, threads);
        }
    }
}

/// `f(t)` for every `t` in `threads`, each on its own thread of the current pool (by
/// fork-join, which keeps its jobs on the stack: no allocation). Every call must run at
/// once, since they meet at barriers: the pool has as many threads as there are calls and
/// runs nothing else meanwhile, so each idle worker takes one.
fn fork<F: Fn(usize) + Sync>(threads: Range<usize>, f: &F) {
    if threads.len() <= 1 {
        if !threads.is_empty() {
            f(threads.start);
        }
        return;
    }
    let mid = threads.start + threads.len() / 2;
    rayon::join(|| fork(threads.start..mid, f), || fork(mid..threads.end, f));
}
