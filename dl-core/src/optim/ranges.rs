//! The ranges the optimizers' hyper-parameters must lie in, checked by their `validate`.

use crate::error::{Error, HyperParameter};
use crate::float::Float;

/// `Ok` if hyper-parameter `name` is finite and `>= 0`.
#[inline]
pub(crate) fn non_negative(name: HyperParameter, value: f64) -> Result<(), Error> {
    in_range(name, value, value >= 0.0, "finite and >= 0")
}

/// `Ok` if hyper-parameter `name` stays finite in the scalar type `T` (`1e39` is a finite
/// `f64` but an infinite `f32`).
#[inline]
pub(crate) fn representable<T: Float>(name: HyperParameter, value: f64) -> Result<(), Error> {
    let expected = if T::NAME == "f32" {
        "finite as an f32 (below 3.4e38)"
    } else {
        "finite as an f64"
    };
    in_range(name, value, T::cast(value).finite(), expected)
}

/// `Ok` if hyper-parameter `name` is in `[0, 1)`.
#[inline]
pub(crate) fn below_one(name: HyperParameter, value: f64) -> Result<(), Error> {
    in_range(name, value, (0.0..1.0).contains(&value), "in [0, 1)")
}

/// `Ok` if `value` is finite and `ok` holds, else the error naming `name` and `expected`.
#[inline]
pub(crate) fn in_range(
    name: HyperParameter,
    value: f64,
    ok: bool,
    expected: &'static str,
) -> Result<(), Error> {
    if ok && value.is_finite() {
        Ok(())
    } else {
        Err(Error::InvalidHyperParameter {
            name,
            value,
            expected,
        })
    }
}
