//! How a batch is cut into shards.

/// The samples of shard `s` of a batch of `batch` samples cut into shards of at most `shard`
/// (`shard >= 1`, `s < ceil(batch / shard)`): `ceil(batch / shard)` contiguous runs whose
/// sizes differ by at most one, the longer ones first. A function of the batch and shard
/// sizes alone, so the reduction order does not depend on the thread count.
///
/// ```
/// use dl_core::parallel::shard_range;
/// assert_eq!((shard_range(24, 16, 0), shard_range(24, 16, 1)), (0..12, 12..24));
/// let sizes: Vec<_> = (0..5).map(|s| shard_range(37, 8, s).len()).collect();
/// assert_eq!(sizes, [8, 8, 7, 7, 7]);
/// ```
pub fn shard_range(batch: usize, shard: usize, s: usize) -> core::ops::Range<usize> {
    let count = batch.div_ceil(shard.max(1)).max(1);
    let (base, longer) = (batch / count, batch % count);
    let start = s * base + s.min(longer);
    start..start + base + usize::from(s < longer)
}
