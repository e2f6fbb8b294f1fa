//! One thread's buffers and its share of each phase of a unit-split step (see the parent
//! module for the formulas).

#![allow(unsafe_code)]

use super::{part, Batch, Units};
use crate::float::Float;
use crate::kernel::MAX_COLUMNS;
use crate::layer::DenseUnits;
use crate::loss::Loss;
use crate::network::{Network, Vector};
use nalgebra::DVectorView;
use std::vec::Vec;

/// A thread's own buffers, made once: every layer's `Z` and `dA`/`dZ` (`n` columns of `O`;
/// a hidden layer's only in the thread's rows, the last layer's whole), the last layer's
/// outputs, and the batch's summed loss.
pub(super) struct Lane<T> {
    z: Vec<Vec<T>>,
    d: Vec<Vec<T>>,
    out: Vec<T>,
    pub(super) loss: T,
}

impl<T: Float> Lane<T> {
    pub(super) fn new(layers: &[DenseUnits<T>], columns: usize) -> Self {
        let block = |l: &DenseUnits<T>| std::vec![T::ZERO; l.outputs * columns];
        let last = layers.last().map_or(0, |l| l.outputs);
        Lane {
            z: layers.iter().map(block).collect(),
            d: layers.iter().map(block).collect(),
            out: std::vec![T::ZERO; last * columns],
            loss: T::ZERO,
        }
    }
}

/// The first `n` columns (of `height`) of `block`, as a kernel takes them.
fn columns_mut<T>(block: &mut [T], height: usize, n: usize) -> [&mut [T]; MAX_COLUMNS] {
    let mut cols = block.chunks_exact_mut(height).take(n);
    core::array::from_fn(|_| cols.next().unwrap_or_default())
}

/// The same, to read.
fn columns<T>(block: &[T], height: usize, n: usize) -> [&[T]; MAX_COLUMNS] {
    let mut cols = block.chunks_exact(height).take(n);
    core::array::from_fn(|_| cols.next().unwrap_or_default())
}

impl<T: Float + Send + Sync> Units<T> {
    /// Sample `s`'s input to layer `k`: the batch's input, or the shared outputs of layer
    /// `k - 1` (call only while no thread writes them: after the barrier that follows them).
    fn input<'a, N: Network<Scalar = T>>(
        &'a self,
        k: usize,
        s: usize,
        xs: &'a [N::Input],
    ) -> &'a [T] {
        match k {
            0 => xs[s].as_slice(),
            // SAFETY: the outputs of layer `k - 1` were written before a barrier every
            // caller has passed and are not written again this step.
            _ => unsafe { self.acts[k - 1].column(s) },
        }
    }

    /// Layer `k`'s units `r` forward (`Z = b + W X`, `A = act(Z)`), `A` into the shared block.
    pub(super) fn forward_hidden<N: Network<Scalar = T>>(
        &self,
        k: usize,
        lane: &mut Lane<T>,
        r: core::ops::Range<usize>,
        xs: &[N::Input],
    ) {
        let (n, layer) = (xs.len(), self.layers[k]);
        let o = layer.outputs;
        // SAFETY: no thread writes a tensor before the barrier that ends the backward pass.
        let (w, b) = unsafe { (self.tensors.whole(2 * k), self.tensors.whole(2 * k + 1)) };
        for col in lane.z[k].chunks_exact_mut(o).take(n) {
            col[r.clone()].copy_from_slice(&b[r.clone()]);
        }
        let inputs: [&[T]; MAX_COLUMNS] = core::array::from_fn(|s| {
            if s < n {
                self.input::<N>(k, s, xs)
            } else {
                &[]
            }
        });
        let mut outs = columns_mut(&mut lane.z[k], o, n);
        T::matmul_rows(w, o, layer.inputs, r.clone(), &inputs[..n], &mut outs[..n]);
        for (s, z) in lane.z[k].chunks_exact(o).take(n).enumerate() {
            // SAFETY: rows `r` of layer `k`'s outputs are this thread's; the others read
            // them only after the barrier that follows.
            let a = unsafe { self.acts[k].rows_mut(s, r.clone()) };
            (layer.forward)(&z[r.clone()], a);
        }
    }

    /// The last layer whole and the loss (the same on every thread); returns the summed loss.
    pub(super) fn forward_last<N: Network<Scalar = T>, L: Loss>(
        &self,
        lane: &mut Lane<T>,
        batch: &Batch<'_, N>,
    ) -> T {
        let (n, k) = (batch.xs.len(), self.layers.len() - 1);
        let layer = self.layers[k];
        let o = layer.outputs;
        // SAFETY: as in `forward_hidden`.
        let (w, b) = unsafe { (self.tensors.whole(2 * k), self.tensors.whole(2 * k + 1)) };
        for col in lane.z[k].chunks_exact_mut(o).take(n) {
            col.copy_from_slice(b);
        }
        let inputs: [&[T]; MAX_COLUMNS] = core::array::from_fn(|s| {
            if s < n {
                self.input::<N>(k, s, batch.xs)
            } else {
                &[]
            }
        });
        let mut outs = columns_mut(&mut lane.z[k], o, n);
        T::matmul_acc(w, o, layer.inputs, &inputs[..n], &mut outs[..n]);
        let mut loss = T::ZERO;
        let zs = lane.z[k].chunks_exact(o);
        let rest = lane
            .out
            .chunks_exact_mut(o)
            .zip(lane.d[k].chunks_exact_mut(o));
        for ((z, (a, dz)), y) in zs.zip(rest).zip(batch.ys) {
            (layer.forward)(z, a);
            loss += N::output_loss::<L>(z, a, y.as_slice(), dz).unwrap_or(T::ZERO);
        }
        loss
    }

    /// Rows `r` of hidden layer `k`'s `dZ` into the shared block.
    pub(super) fn share_dz(&self, k: usize, lane: &Lane<T>, r: core::ops::Range<usize>, n: usize) {
        let o = self.layers[k].outputs;
        for (s, dz) in lane.d[k].chunks_exact(o).take(n).enumerate() {
            // SAFETY: rows `r` are this thread's; the others read them after the barrier.
            unsafe { self.dzs[k].rows_mut(s, r.clone()) }.copy_from_slice(&dz[r.clone()]);
        }
    }

    /// Layer `k`'s backward for thread `t`: its rows of `dW` and `db`, and (`k > 0`) its
    /// units of layer `k - 1`'s `dZ`.
    pub(super) fn backward<N: Network<Scalar = T>>(
        &self,
        k: usize,
        lane: &mut Lane<T>,
        t: usize,
        threads: usize,
        xs: &[N::Input],
    ) {
        let (n, layer, last) = (xs.len(), self.layers[k], k + 1 == self.layers.len());
        let (o, i) = (layer.outputs, layer.inputs);
        let r = part(o, t, threads);
        let inputs: [&[T]; MAX_COLUMNS] = core::array::from_fn(|s| {
            if s < n {
                self.input::<N>(k, s, xs)
            } else {
                &[]
            }
        });
        let dzs = columns(&lane.d[k], o, n);
        // SAFETY: thread `t`'s gradient blocks are its own from the step's start to the
        // barrier that ends the backward pass (and in the update after it).
        let g = unsafe { self.grads[t][2 * k].all_mut() };
        T::outer_rows(g, o, i, r.clone(), &dzs[..n], &inputs[..n]);
        // SAFETY: as above.
        let gb = unsafe { self.grads[t][2 * k + 1].all_mut() };
        gb.fill(T::ZERO);
        for dz in &dzs[..n] {
            for (g, &d) in gb.iter_mut().zip(&dz[r.clone()]) {
                *g += d;
            }
        }
        if k == 0 {
            return;
        }
        // SAFETY: as in `forward_hidden` (tensors are written only after a later barrier).
        let w = unsafe { self.tensors.whole(2 * k) };
        let rp = part(i, t, threads);
        let (before, from) = lane.d.split_at_mut(k);
        let (d_prev, z_prev) = (&mut before[k - 1], &lane.z[k - 1]);
        for s in 0..n {
            let dz = match last {
                true => &from[0][s * o..(s + 1) * o],
                // SAFETY: every thread's rows of this `dZ` were shared before a barrier.
                false => unsafe { self.dzs[k].column(s) },
            };
            let dz = DVectorView::from_slice(dz, o);
            let dx = &mut d_prev[s * i..(s + 1) * i];
            for j in rp.clone() {
                dx[j] = DVectorView::from_slice(&w[j * o..(j + 1) * o], o).dot(&dz);
            }
            // SAFETY: layer `k - 1`'s outputs are no longer written this step.
            let a = unsafe { self.acts[k - 1].column(s) };
            let z = &z_prev[s * i..(s + 1) * i];
            (self.layers[k - 1].backward)(&z[rp.clone()], &a[rp.clone()], &mut dx[rp.clone()]);
        }
    }
}
