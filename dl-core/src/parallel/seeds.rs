//! Where each shard's Dropout masks come from.

/// The seed of shard `shard`'s Dropout masks in the step taken after `step` optimizer
/// updates, for the engine's Dropout seed `seed`: SplitMix64's finalizer chained over the
/// three, so every (seed, step, shard) starts its own stream.
///
/// A function of these three alone: the masks do not depend on the thread count, and a run
/// resumed from a saved optimizer state (whose update count is `step`) draws the masks the
/// uninterrupted run would have. Each Dropout layer then mixes in its own constant
/// ([`DropoutMasks::seed_dropout`](crate::layer::DropoutMasks::seed_dropout)).
pub const fn shard_seed(seed: u64, step: u64, shard: usize) -> u64 {
    mix(mix(mix(seed) ^ step) ^ shard as u64)
}

/// SplitMix64 (Steele, Lea and Flood): one step of the golden-ratio counter and its
/// finalizer, a bijection of `u64` whose outputs differ in about half their bits for inputs
/// one bit apart.
const fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}
