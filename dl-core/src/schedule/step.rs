use super::Schedule;

/// Step decay, PyTorch's `StepLR`: `lr_t = lr * gamma^floor(t / step_size)`, so the rate
/// drops by `gamma` every `step_size` steps.
///
/// ```
/// use dl_core::prelude::*;
/// let schedule = StepDecay::new(0.1, 10, 0.5); // halve every 10 steps
/// let rates = [0, 9, 10, 25].map(|t| schedule.learning_rate(t));
/// assert_eq!(rates, [0.1, 0.1, 0.05, 0.025]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StepDecay {
    /// The rate at `t = 0`.
    pub lr: f64,
    /// How many steps between drops (0 is read as 1).
    pub step_size: u64,
    /// The factor of each drop.
    pub gamma: f64,
}

impl StepDecay {
    /// `lr * gamma^floor(t / step_size)`.
    pub const fn new(lr: f64, step_size: u64, gamma: f64) -> Self {
        StepDecay {
            lr,
            step_size,
            gamma,
        }
    }
}

impl Schedule for StepDecay {
    #[inline]
    fn learning_rate(&self, t: u64) -> f64 {
        let drops = t / self.step_size.max(1);
        self.lr * libm::pow(self.gamma, drops as f64)
    }
}
