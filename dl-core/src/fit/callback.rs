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
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Control {
    /// Go on training.
    Continue,
    /// Stop after this epoch.
    Stop,
}

/// A callback that never stops training.
pub fn keep_going<T>(_: &Epoch<T>) -> Control {
    Control::Continue
}

/// Called after every epoch with what the epoch measured and the network as it stands (before
/// early stopping restores any weights).
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
