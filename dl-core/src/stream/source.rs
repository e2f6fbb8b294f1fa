//! What a stream reads from: a [`Source`] of samples loaded one at a time by index.

use crate::fit::Data;
use crate::rng::Rng;

/// What [`Source::load`] did with a sample.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Loaded {
    /// The sample was written.
    Sample,
    /// The source skips this sample by its own explicit policy (e.g. a corrupt image with
    /// `images::OnCorrupt::Skip`); streams count it.
    Skipped,
}

/// Samples of inputs `X` and targets `Y`, loaded on demand by index, from several threads
/// at once.
pub trait Source<X, Y>: Sync {
    /// Why a sample could not be loaded.
    type Error: std::error::Error + 'static;

    /// The number of samples.
    fn len(&self) -> usize;

    /// Whether there are none.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Writes sample `index` (`< len()`) into `input` and `target`. `augment` is a generator
    /// seeded for this sample and epoch while training, `None` when evaluating or
    /// predicting: a source that augments draws from it and from nothing else, so the
    /// stream stays reproducible.
    fn load(
        &self,
        index: usize,
        augment: Option<&mut Rng>,
        input: &mut X,
        target: &mut Y,
    ) -> Result<Loaded, Self::Error>;
}

/// In-memory [`Data`] as a [`Source`] (copies each sample; never fails).
#[derive(Clone, Copy, Debug)]
pub struct InMemory<'a, X, Y>(pub Data<'a, X, Y>);

impl<X: Clone + Sync, Y: Clone + Sync> Source<X, Y> for InMemory<'_, X, Y> {
    type Error = core::convert::Infallible;

    fn len(&self) -> usize {
        self.0.len()
    }

    fn load(
        &self,
        index: usize,
        _: Option<&mut Rng>,
        input: &mut X,
        target: &mut Y,
    ) -> Result<Loaded, Self::Error> {
        input.clone_from(&self.0.inputs()[index]);
        target.clone_from(&self.0.targets()[index]);
        Ok(Loaded::Sample)
    }
}
