use super::Optimizer;
use crate::float::Float;
use crate::network::{Network, Params};

/// Plain stochastic gradient descent: `p <- p - lr * g`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sgd {
    /// The learning rate.
    pub lr: f64,
}

impl Sgd {
    /// SGD with learning rate `lr`.
    pub const fn new(lr: f64) -> Self {
        Sgd { lr }
    }
}

impl<N: Network> Optimizer<N> for Sgd {
    #[inline]
    fn step(&mut self, net: &mut N, grads: &N::Gradient) {
        let lr = N::Scalar::cast(self.lr);
        for i in 0..N::TENSORS {
            for (p, &g) in net.tensor_mut(i).iter_mut().zip(grads.tensor(i)) {
                *p -= lr * g;
            }
        }
    }
}
