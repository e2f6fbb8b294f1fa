use super::Schedule;

/// The same rate at every step.
///
/// ```
/// use dl_core::prelude::*;
/// assert_eq!(Constant::new(0.01).learning_rate(1_000_000), 0.01);
/// ```
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
