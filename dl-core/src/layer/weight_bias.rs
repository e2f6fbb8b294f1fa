//! The tensor plumbing shared by layers whose parameters are one weight matrix and one bias
//! vector (Dense, Conv2D and their gradients): tensor 0 is the weight, tensor 1 the bias.

use crate::float::Float;
use crate::network::TensorKind;
use nalgebra::{ArrayStorage, SMatrix};

/// A matrix of zeros, as a `const`.
pub(crate) const fn zero_matrix<T: Float, const R: usize, const C: usize>() -> SMatrix<T, R, C> {
    SMatrix::from_array_storage(ArrayStorage([[T::ZERO; R]; C]))
}

/// Tensor `i` of a weight-and-bias layer (empty past the second).
#[inline]
pub(crate) fn tensor<'a, T>(weight: &'a [T], bias: &'a [T], i: usize) -> &'a [T] {
    match i {
        0 => weight,
        1 => bias,
        _ => &[],
    }
}

/// Tensor `i` of a weight-and-bias layer, mutably (empty past the second).
#[inline]
pub(crate) fn tensor_mut<'a, T>(weight: &'a mut [T], bias: &'a mut [T], i: usize) -> &'a mut [T] {
    match i {
        0 => weight,
        1 => bias,
        _ => &mut [],
    }
}

/// Tensor 0 is the weight, every other the bias.
#[inline]
pub(crate) fn tensor_kind(i: usize) -> TensorKind {
    if i == 0 {
        TensorKind::Weight
    } else {
        TensorKind::Bias
    }
}
