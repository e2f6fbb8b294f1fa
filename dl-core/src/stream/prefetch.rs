//! Batches loaded ahead on background threads, in order, into recycled buffers.

use super::{Loaded, Source, StreamConfig, StreamError};
use crate::error::{Error, Operand};
use crate::float::Float;
use crate::network::Vector;
use crate::rng::Rng;
use std::sync::mpsc::{channel, sync_channel, Receiver, Sender, SyncSender};
use std::vec::Vec;

/// One loaded batch: the samples that loaded, their indices in the source, and how many were
/// skipped ([`Loaded::Skipped`]).
#[derive(Clone, Debug)]
pub struct LoadedBatch<X, Y> {
    /// The inputs.
    pub inputs: Vec<X>,
    /// The targets.
    pub targets: Vec<Y>,
    /// `indices[i]`: where sample `i` is in the source.
    pub indices: Vec<usize>,
    /// Samples of this batch the source skipped.
    pub skipped: usize,
}

impl<X, Y> LoadedBatch<X, Y> {
    fn with_capacity(n: usize) -> Self {
        LoadedBatch {
            inputs: Vec::with_capacity(n),
            targets: Vec::with_capacity(n),
            indices: Vec::with_capacity(n),
            skipped: 0,
        }
    }
}

/// The generator of sample `index`'s augmentation in epoch `epoch`.
pub fn sample_rng(seed: u64, epoch: usize, index: usize) -> Rng {
    let mut mix = Rng::new(seed ^ 0xA076_1D64_78BD_642F);
    let a = mix.next_u64() ^ (epoch as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    Rng::new(a ^ (index as u64).wrapping_mul(0xD1B5_4A32_D192_ED03))
}

/// Loads samples `order` into `batch` (emptied first), checking each is finite.
fn fill<T: Float, X: Vector<T>, Y: Vector<T>, S: Source<X, Y>>(
    source: &S,
    order: &[usize],
    augment: Option<(u64, usize)>,
    batch: &mut LoadedBatch<X, Y>,
) -> Result<(), StreamError<S::Error>> {
    batch.inputs.clear();
    batch.targets.clear();
    batch.indices.clear();
    batch.skipped = 0;
    for &index in order {
        let (mut x, mut y) = (X::ZERO, Y::ZERO);
        let mut rng = augment.map(|(seed, epoch)| sample_rng(seed, epoch, index));
        match source.load(index, rng.as_mut(), &mut x, &mut y) {
            Ok(Loaded::Sample) => {}
            Ok(Loaded::Skipped) => {
                batch.skipped += 1;
                continue;
            }
            Err(e) => return Err(StreamError::Source(e)),
        }
        for (what, v) in [
            (Operand::Input, x.as_slice()),
            (Operand::Target, y.as_slice()),
        ] {
            if !v.iter().all(|v| v.finite()) {
                return Err(Error::NonFinite { what, index }.into());
            }
        }
        batch.inputs.push(x);
        batch.targets.push(y);
        batch.indices.push(index);
    }
    Ok(())
}

type Queued<X, Y, E> = Result<LoadedBatch<X, Y>, StreamError<E>>;

/// Loads the batches of `order` (cut every `batch` samples) on `config.loaders` background
/// threads and calls `consume` on each, in order, with its number (from 0). Stops at the
/// first error of the source or of `consume`. `augment`: the seed and epoch of the
/// augmentation, or `None` for none.
pub fn for_each_batch<T, X, Y, S, F>(
    source: &S,
    order: &[usize],
    config: &StreamConfig,
    augment: Option<(u64, usize)>,
    mut consume: F,
) -> Result<(), StreamError<S::Error>>
where
    T: Float,
    X: Vector<T> + Send,
    Y: Vector<T> + Send,
    S: Source<X, Y>,
    S::Error: Send,
    F: FnMut(usize, &LoadedBatch<X, Y>) -> Result<(), StreamError<S::Error>>,
{
    if config.batch == 0 {
        return Err(Error::EmptyBatch.into());
    }
    let loaders = config.loaders.max(1);
    let depth = config.prefetch.div_ceil(loaders);
    let batches: Vec<&[usize]> = order.chunks(config.batch).collect();
    std::thread::scope(|scope| {
        let mut queues: Vec<Receiver<Queued<X, Y, S::Error>>> = Vec::with_capacity(loaders);
        let mut returns: Vec<Sender<LoadedBatch<X, Y>>> = Vec::with_capacity(loaders);
        for k in 0..loaders {
            let (tx, rx): (SyncSender<Queued<X, Y, S::Error>>, _) = sync_channel(depth);
            let (back_tx, back_rx) = channel::<LoadedBatch<X, Y>>();
            queues.push(rx);
            returns.push(back_tx);
            let mine: Vec<&[usize]> = batches.iter().skip(k).step_by(loaders).copied().collect();
            let size = config.batch;
            scope.spawn(move || {
                for part in mine {
                    let mut buffer = back_rx
                        .try_recv()
                        .unwrap_or_else(|_| LoadedBatch::with_capacity(size));
                    let loaded = fill(source, part, augment, &mut buffer).map(|()| buffer);
                    let failed = loaded.is_err();
                    if tx.send(loaded).is_err() || failed {
                        return;
                    }
                }
            });
        }
        let mut result = Ok(());
        for b in 0..batches.len() {
            let k = b % loaders;
            let next = match queues[k].recv() {
                Ok(next) => next,
                Err(_) => break,
            };
            match next.and_then(|batch| consume(b, &batch).map(|()| batch)) {
                // The loader may have finished: then the buffer is simply dropped.
                Ok(batch) => drop(returns[k].send(batch)),
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
        }
        // Dropping the queues ends any loader still waiting to send.
        drop(queues);
        result
    })
}
