//! A correctly rounded square root that the update loops can vectorise (Adam, RMSprop,
//! Adagrad).

use crate::float::Float;

/// `sqrt(x)`, correctly rounded. With `std` it is the hardware instruction, which the update
/// loops can vectorise (nalgebra's `sqrt` goes through a `libm` call in this crate's build):
/// an `f32` is rooted in `f64` and rounded back, which gives the correctly rounded `f32` root
/// (double rounding is innocuous for `sqrt` when the wider format has at least `2p + 2` bits).
#[inline(always)]
pub(crate) fn sqrt<T: Float>(x: T) -> T {
    #[cfg(feature = "std")]
    {
        T::cast(x.as_f64().sqrt())
    }
    #[cfg(not(feature = "std"))]
    {
        x.sqrt()
    }
}

#[cfg(test)]
mod tests {
    use crate::rng::Rng;

    /// The `f32` root taken through `f64` is bit for bit `libm`'s correctly rounded `sqrtf`.
    #[test]
    fn sqrt_is_correctly_rounded() {
        let mut rng = Rng::new(5);
        for _ in 0..200_000 {
            let x = f32::from_bits((rng.next_u64() >> 33) as u32); // non-negative, any exponent
            assert_eq!(
                super::sqrt(x).to_bits(),
                libm::sqrtf(x).to_bits(),
                "sqrt({x:e})"
            );
        }
        for x in [
            0.0f32,
            1.0,
            2.0,
            f32::MIN_POSITIVE,
            1e-45,
            f32::MAX,
            f32::INFINITY,
        ] {
            assert_eq!(super::sqrt(x).to_bits(), libm::sqrtf(x).to_bits());
        }
        assert!(super::sqrt(-1.0f32).is_nan() && super::sqrt(f32::NAN).is_nan());
        assert_eq!(super::sqrt(2.0f64), libm::sqrt(2.0));
    }
}
