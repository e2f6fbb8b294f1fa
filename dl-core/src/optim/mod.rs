//! Optimizers: how a gradient becomes a parameter update. Each is written once, over the
//! [`Network`] trait, and keeps any state it needs in values of the network's own
//! [`Gradient`](Network::Gradient) type, so its memory is fixed at compile time.

mod sgd;

pub use sgd::Sgd;

use crate::network::Network;

/// Applies a (batch-averaged) gradient to a network's parameters.
pub trait Optimizer<N: Network> {
    /// One update of `net` from `grads`.
    fn step(&mut self, net: &mut N, grads: &N::Gradient);
}
