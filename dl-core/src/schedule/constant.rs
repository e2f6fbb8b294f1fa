use super::Schedule;

/// The same rate at every step.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Constant {
    /// The rate.
    pub lr: f64,
}

impl Constant {
    /// A constant rate `lr`.
    pub const fn new(lr: f64) -> Self {
        Constant { lr }
    }
}

impl Schedule for Constant {
    #[inline]
    fn learning_rate(&self, _: u64) -> f64 {
        self.lr
    }
}
