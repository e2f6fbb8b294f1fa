use super::Schedule;

/// Exponential decay, PyTorch's `ExponentialLR`: `lr_t = lr * gamma^t`.
///
/// ```
/// use dl_core::prelude::*;
/// let schedule = ExponentialDecay::new(0.1, 0.5);
/// assert_eq!([0, 1, 2].map(|t| schedule.learning_rate(t)), [0.1, 0.05, 0.025]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ExponentialDecay {
    /// The rate at `t = 0`.
    pub lr: f64,
    /// The factor applied at every step.
    pub gamma: f64,
}

impl ExponentialDecay {
    /// `lr * gamma^t`.
    pub const fn new(lr: f64, gamma: f64) -> Self {
        ExponentialDecay { lr, gamma }
    }
}

impl Schedule for ExponentialDecay {
    #[inline]
    fn learning_rate(&self, t: u64) -> f64 {
        self.lr * libm::pow(self.gamma, t as f64)
    }
}
