//! What runs after every epoch: callbacks see the epoch's record and the network, and may
//! stop training.
//!
//! A [`Callback`] is any type with an `on_epoch` method; closures are wrapped
//! ([`OnEpoch`] for `|epoch, net|`, [`EpochOnly`] for `|epoch|`), `()` does nothing, and a
//! pair runs both (the [`Trainer`](super::Trainer) chains its callbacks into pairs).
//! [`SaveBest`](super::SaveBest) (feature `safetensors`) writes the best weights to a file.

use super::Epoch;
use crate::error::Error;
use crate::network::Network;

/// What a callback tells the training loop after an epoch.
///
/// ```
/// use dl_core::prelude::*;
/// // A `fit` callback body that stops once the validation loss is small.
/// let stop_early = |e: &Epoch<f32>| {
///     if e.val_loss.is_some_and(|l| l < 0.01) { Control::Stop } else { Control::Continue }
/// };
/// let e = Epoch { val_loss: Some(0.001), ..Epoch::BLANK };
/// assert_eq!(stop_early(&e), Control::Stop);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Control {
    /// Go on training.
    Continue,
    /// Stop after this epoch.
    Stop,
}

/// A callback that never stops training.
///
/// ```
/// use dl_core::prelude::*;
/// assert_eq!(keep_going(&Epoch::<f32>::BLANK), Control::Continue);
/// ```
pub fn keep_going<T>(_: &Epoch<T>) -> Control {
    Control::Continue
}

/// Called after every epoch with what the epoch measured and the network as it stands (before
/// early stopping restores any weights).
///
#[cfg_attr(feature = "alloc", doc = "```")]
#[cfg_attr(not(feature = "alloc"), doc = "```ignore")]
/// use dl_core::prelude::*;
/// network! { struct Line { Dense<1, 1, Identity> } }
///
/// /// Stops when the training loss is below a threshold, and counts the epochs it saw.
/// struct StopBelow { threshold: f64, seen: usize }
///
/// impl<N: Network> Callback<N> for StopBelow {
///     fn on_epoch(&mut self, e: &Epoch<N::Scalar>, _net: &N) -> Result<Control, Error> {
///         self.seen += 1;
///         let low = e.train_loss.as_f64() < self.threshold;
///         Ok(if low { Control::Stop } else { Control::Continue })
///     }
/// }
///
/// let xs = [[0.0], [1.0], [2.0]].map(SVector::<f64, 1>::from);
/// let ys = [[1.0], [3.0], [5.0]].map(SVector::<f64, 1>::from);
/// let mut net = Line::<f64>::new(1);
/// let mut stop = StopBelow { threshold: 1e-3, seen: 0 };
/// let history = Trainer::new(&mut net, &mut Adam::new(0.1), Data::new(&xs, &ys)?)
///     .loss(Mse)
///     .epochs(2000)
///     .batch(BatchSize::Full)
///     .callback(&mut stop) // lent, so it can be read afterwards
///     .run()?;
/// assert!(history.stopped_early() && stop.seen == history.len());
/// # Ok::<(), dl_core::error::Error>(())
/// ```
pub trait Callback<N: Network> {
    /// Sees epoch `epoch` and `net`. An error ends training with that error (the weights
    /// are those trained so far).
    fn on_epoch(&mut self, epoch: &Epoch<N::Scalar>, net: &N) -> Result<Control, Error>;
}

/// No callback.
impl<N: Network> Callback<N> for () {
    fn on_epoch(&mut self, _: &Epoch<N::Scalar>, _: &N) -> Result<Control, Error> {
        Ok(Control::Continue)
    }
}

/// Both callbacks, in order, every epoch; training stops if either says so.
impl<N: Network, A: Callback<N>, B: Callback<N>> Callback<N> for (A, B) {
    fn on_epoch(&mut self, epoch: &Epoch<N::Scalar>, net: &N) -> Result<Control, Error> {
        let a = self.0.on_epoch(epoch, net)?;
        let b = self.1.on_epoch(epoch, net)?;
        Ok(if a == Control::Stop || b == Control::Stop {
            Control::Stop
        } else {
            Control::Continue
        })
    }
}

/// A callback lent, so the caller can read it after training.
impl<N: Network, C: Callback<N>> Callback<N> for &mut C {
    fn on_epoch(&mut self, epoch: &Epoch<N::Scalar>, net: &N) -> Result<Control, Error> {
        (**self).on_epoch(epoch, net)
    }
}

/// A closure of the epoch's record and the network as a [`Callback`].
pub struct OnEpoch<F>(pub F);

impl<N: Network, F: FnMut(&Epoch<N::Scalar>, &N) -> Control> Callback<N> for OnEpoch<F> {
    fn on_epoch(&mut self, epoch: &Epoch<N::Scalar>, net: &N) -> Result<Control, Error> {
        Ok((self.0)(epoch, net))
    }
}

/// A closure of the epoch's record alone as a [`Callback`] (the form
/// `fit` and [`fit_with`](super::fit_with) take).
pub struct EpochOnly<F>(pub F);

impl<N: Network, F: FnMut(&Epoch<N::Scalar>) -> Control> Callback<N> for EpochOnly<F> {
    fn on_epoch(&mut self, epoch: &Epoch<N::Scalar>, _: &N) -> Result<Control, Error> {
        Ok((self.0)(epoch))
    }
}
