//! Where each shard's Dropout masks come from.

use crate::rng::splitmix64;

/// The seed of shard `shard`'s Dropout masks in the step taken after `step` optimizer
/// updates, for the engine's Dropout seed `seed`: SplitMix64's finalizer chained over the
/// three, so every (seed, step, shard) starts its own stream.
///
/// A function of these three alone: the masks do not depend on the thread count, and a run
/// resumed from a saved optimizer state (whose update count is `step`) draws the masks the
/// uninterrupted run would have. Each Dropout layer then mixes in its own constant
/// ([`DropoutMasks::seed_dropout`](crate::layer::DropoutMasks::seed_dropout)).
pub const fn shard_seed(seed: u64, step: u64, shard: usize) -> u64 {
    splitmix64(splitmix64(splitmix64(seed) ^ step) ^ shard as u64)
}
