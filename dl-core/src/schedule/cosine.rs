use super::Schedule;

/// Cosine decay with linear warm-up, Keras's `CosineDecay(warmup_target=...)`.
///
/// For `t < warmup`: `lr_t = start + (peak - start) * t / warmup` (a straight line from
/// `start` towards `peak`). Then, with `s = min(t - warmup, decay_steps)`:
/// `lr_t = peak * ((1 - alpha) * (1 + cos(pi * s / decay_steps)) / 2 + alpha)`, from `peak`
/// down to `alpha * peak`, where it stays.
///
/// ```
/// use dl_core::prelude::*;
/// // 10 steps of warm-up from 0 to 0.1, then down to 0 over 100 steps.
/// let schedule = CosineDecay::new(0.1, 100).warmup(0.0, 10);
/// assert_eq!([0, 5, 10].map(|t| schedule.learning_rate(t)), [0.0, 0.05, 0.1]);
/// assert!((schedule.learning_rate(60) - 0.05).abs() < 1e-15); // half way down
/// assert!(schedule.learning_rate(110) < 1e-15 && schedule.learning_rate(500) < 1e-15);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CosineDecay {
    /// The rate at the end of the warm-up, where the cosine starts.
    pub peak: f64,
    /// The rate at `t = 0` when there is a warm-up.
    pub start: f64,
    /// Steps of linear warm-up (0 for none).
    pub warmup: u64,
    /// Steps of cosine decay after the warm-up (0 is read as 1).
    pub decay_steps: u64,
    /// The final rate as a fraction of `peak`.
    pub alpha: f64,
}

impl CosineDecay {
    /// Cosine decay from `peak` to 0 over `decay_steps`, without warm-up.
    pub const fn new(peak: f64, decay_steps: u64) -> Self {
        CosineDecay {
            peak,
            start: 0.0,
            warmup: 0,
            decay_steps,
            alpha: 0.0,
        }
    }

    /// Adds a linear warm-up from `start` to `peak` over `steps` steps.
    #[must_use]
    pub const fn warmup(mut self, start: f64, steps: u64) -> Self {
        self.start = start;
        self.warmup = steps;
        self
    }

    /// Ends the decay at `alpha * peak` instead of 0.
    #[must_use]
    pub const fn alpha(mut self, alpha: f64) -> Self {
        self.alpha = alpha;
        self
    }
}

impl Schedule for CosineDecay {
    fn learning_rate(&self, t: u64) -> f64 {
        if t < self.warmup {
            return self.start + (self.peak - self.start) * (t as f64 / self.warmup as f64);
        }
        let decay_steps = self.decay_steps.max(1);
        let s = (t - self.warmup).min(decay_steps) as f64;
        let cosine = 0.5 * (1.0 + libm::cos(core::f64::consts::PI * s / decay_steps as f64));
        self.peak * ((1.0 - self.alpha) * cosine + self.alpha)
    }
}
