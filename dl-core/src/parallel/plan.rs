//! How large a shard must be for splitting to pay: its work against the gradient it moves.
//!
//! Each extra shard of a step costs the data-parallel engine a pass over one gradient of
//! `P` parameters on another core: the shard clears it, then the reduction reads it across
//! cores, and the next step's weights travel back. A shard of `s` samples does about `s * W`
//! multiply-adds, `W` being the network's work a sample. For a dense network `W` is about
//! `P` (each weight is used once a sample), so a shard of 16 samples does 16 passes' worth
//! of arithmetic for one pass of memory traffic between cores, and the split loses; a
//! convolution reuses each weight at every pixel, so the CIFAR-sized CNN has `W` about
//! `11 P` and shards of 16 scale. So with
//! [`ParallelConfig::auto_shard`](super::ParallelConfig::auto_shard) (the default) the
//! engine makes a shard at least [`SHARD_WORK`]` * P / W` samples.
//!
//! The result is a function of the network type and the configuration alone, never of the
//! thread count or of timings, so the weights stay bit-identical for any thread count.

use crate::summary::Summary;

/// A shard's multiply-adds, in units of the gradient's length, below which the engine makes
/// shards larger. Measured on the shared 2-core machine (2 threads against the serial step,
/// samples/s, load 7-11): the 784-128-10 MLP (`W = P`) in shards of 16 and 32 samples lost
/// (0.50-0.91x), in shards of 64 it was as often slower as faster (0.59x, 1.15x), in shards
/// of 96 and 128 it won (1.19-1.27x); the CIFAR-sized CNN (`W = 11.3 P`) in shards of 16
/// (181 units) wins. 160 keeps the MLP's shards at 81 samples or more and the CNN's at 16.
pub const SHARD_WORK: usize = 160;

/// The multiply-adds of one sample's forward pass, estimated from the layer table: each
/// layer's parameters times the pixels of its output (`H * W` for a `[C, H, W]` output, 1
/// for a vector). Exact for Dense (`n (m + 1)`) and, but for the bias, for Conv2D
/// (`C_out C_in k^2 H W`); layers without parameters count nothing.
pub const fn work_per_sample(summary: &Summary) -> usize {
    let mut work = 0;
    let mut i = 0;
    while i < summary.layers.len() {
        let layer = &summary.layers[i];
        let pixels = match layer.output {
            [_, h, w] => *h * *w,
            _ => 1,
        };
        work += layer.params * pixels;
        i += 1;
    }
    work
}

/// The shard size the engine uses: `shard`, or with `auto`, at least the samples whose work
/// reaches [`SHARD_WORK`] passes over the `params`-long gradient.
pub const fn shard_size(summary: &Summary, params: usize, shard: usize, auto: bool) -> usize {
    let work = work_per_sample(summary);
    if !auto || work == 0 {
        return shard;
    }
    let least = (SHARD_WORK * params).div_ceil(work);
    if least > shard {
        least
    } else {
        shard
    }
}
