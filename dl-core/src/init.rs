//! Weight initialisation.
//!
//! Each activation picks the scheme that keeps the variance of signals and gradients steady
//! through the layer:
//! - Glorot/Xavier uniform, `U(-a, a)` with `a = sqrt(6 / (fan_in + fan_out))`, for sigmoid,
//!   tanh, softmax and identity (Glorot and Bengio, 2010);
//! - He uniform, `U(-a, a)` with `a = sqrt(6 / fan_in)`, for ReLU and leaky ReLU (He et al.,
//!   2015).
//!
//! Biases start at zero. Values are drawn in `f64` and then rounded, so `f32` and `f64`
//! instances built from the same seed hold the same weights up to rounding.

use crate::float::Float;
use crate::rng::Rng;
use libm::sqrt;

/// An initialisation scheme.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Init {
    /// Glorot/Xavier uniform.
    Glorot,
    /// He (Kaiming) uniform.
    He,
}

impl Init {
    /// The half-width `a` of the uniform distribution `U(-a, a)`.
    pub fn limit(self, fan_in: usize, fan_out: usize) -> f64 {
        match self {
            Init::Glorot => sqrt(6.0 / (fan_in + fan_out) as f64),
            Init::He => sqrt(6.0 / fan_in as f64),
        }
    }

    /// Fills `w` with draws from `U(-a, a)`.
    pub fn fill<T: Float>(self, w: &mut [T], fan_in: usize, fan_out: usize, rng: &mut Rng) {
        let a = self.limit(fan_in, fan_out);
        for v in w {
            *v = T::cast(rng.uniform_in(-a, a));
        }
    }
}
