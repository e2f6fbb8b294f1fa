//! The bytes of each optimizer's state for a given network, as constants.

use super::{Adagrad, Adam, AdamW, OptimizerBase, RmsProp, Sgd, SgdMomentum};
use crate::network::Network;

/// The state each optimizer keeps for network `Self`, in bytes, known at compile time: what a
/// training run needs beside [`PARAM_BYTES`](Network::PARAM_BYTES),
/// [`CACHE_BYTES`](Network::CACHE_BYTES) and [`GRADIENT_BYTES`](Network::GRADIENT_BYTES).
/// Each constant is the [`OptimizerBase::STATE_BYTES`] of the optimizer type named in its doc.
///
/// ```
/// use dl_core::prelude::*;
/// network! { struct Net { Dense<4, 8, Relu>, Dense<8, 2, Identity> } }
/// assert_eq!(Net::<f32>::ADAM_STATE_BYTES, 2 * Net::<f32>::GRADIENT_BYTES);
/// assert_eq!(Net::<f32>::SGD_STATE_BYTES, 0);
/// ```
pub trait OptimizerStateBytes: Network {
    /// Plain [`Sgd`]: none.
    const SGD_STATE_BYTES: usize = <Sgd<Self::Scalar> as OptimizerBase>::STATE_BYTES;
    /// [`SgdMomentum`], classical or Nesterov: one gradient.
    const SGD_MOMENTUM_STATE_BYTES: usize =
        <SgdMomentum<Self::Scalar, Self::Gradient> as OptimizerBase>::STATE_BYTES;
    /// [`Adagrad`]: one gradient.
    const ADAGRAD_STATE_BYTES: usize =
        <Adagrad<Self::Scalar, Self::Gradient> as OptimizerBase>::STATE_BYTES;
    /// Plain [`RmsProp`]: one gradient.
    const RMSPROP_STATE_BYTES: usize =
        <RmsProp<Self::Scalar, Self::Gradient> as OptimizerBase>::STATE_BYTES;
    /// [`RmsProp`] with momentum: two gradients.
    const RMSPROP_MOMENTUM_STATE_BYTES: usize =
        <RmsProp<Self::Scalar, Self::Gradient, Self::Gradient> as OptimizerBase>::STATE_BYTES;
    /// Centered [`RmsProp`] with momentum: three gradients.
    const RMSPROP_CENTERED_MOMENTUM_STATE_BYTES: usize = <RmsProp<
        Self::Scalar,
        Self::Gradient,
        Self::Gradient,
        Self::Gradient,
    > as OptimizerBase>::STATE_BYTES;
    /// [`Adam`]: two gradients.
    const ADAM_STATE_BYTES: usize =
        <Adam<Self::Scalar, Self::Gradient> as OptimizerBase>::STATE_BYTES;
    /// [`AdamW`]: two gradients.
    const ADAMW_STATE_BYTES: usize =
        <AdamW<Self::Scalar, Self::Gradient> as OptimizerBase>::STATE_BYTES;
}

impl<N: Network> OptimizerStateBytes for N {}
