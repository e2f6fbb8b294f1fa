//! Fixed-size vectors: a network's inputs, outputs and targets.

use crate::error::{Error, Operand};
use crate::float::Float;
use crate::zeroed::Zeroable;
use nalgebra::{ArrayStorage, SVector};

/// A fixed-size vector: a network's input, output or target.
///
/// ```
/// use dl_core::prelude::*;
/// type X = SVector<f32, 3>;
/// assert_eq!(<X as Vector<f32>>::LEN, 3);
/// let x = X::try_from_slice(&[1.0, 2.0, 3.0], Operand::Input)?;
/// assert_eq!(x.as_slice(), [1.0, 2.0, 3.0]);
/// let wrong = X::try_from_slice(&[1.0, 2.0], Operand::Input);
/// assert_eq!(wrong, Err(Error::Length { what: Operand::Input, expected: 3, found: 2 }));
/// # Ok::<(), dl_core::error::Error>(())
/// ```
pub trait Vector<T>: Clone + Zeroable {
    /// Its length.
    const LEN: usize;
    /// All zeros, as a `const`.
    const ZERO: Self;
    /// The elements.
    fn as_slice(&self) -> &[T];
    /// The elements, mutably.
    fn as_mut_slice(&mut self) -> &mut [T];

    /// Copies a run-time slice into a vector, refusing a wrong length or a NaN/infinite value
    /// (`what` names the data in the error, e.g. [`Operand::Input`]).
    fn try_from_slice(values: &[T], what: Operand) -> Result<Self, Error>
    where
        T: Float,
    {
        if values.len() != Self::LEN {
            return Err(Error::Length {
                what,
                expected: Self::LEN,
                found: values.len(),
            });
        }
        if let Some(index) = values.iter().position(|v| !v.finite()) {
            return Err(Error::NonFinite { what, index });
        }
        let mut v = Self::ZERO;
        v.as_mut_slice().copy_from_slice(values);
        Ok(v)
    }
}

impl<T: Float, const N: usize> Vector<T> for SVector<T, N> {
    const LEN: usize = N;
    const ZERO: Self = SVector::from_array_storage(ArrayStorage([[T::ZERO; N]; 1]));
    #[inline(always)]
    fn as_slice(&self) -> &[T] {
        &self.data.0[0]
    }
    #[inline(always)]
    fn as_mut_slice(&mut self) -> &mut [T] {
        &mut self.data.0[0]
    }
}
