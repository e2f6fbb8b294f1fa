//! The tensor plumbing shared by layers whose parameters are one weight matrix and one bias
//! vector (Dense, Conv2D and their gradients): tensor 0 is the weight, tensor 1 the bias.

use crate::float::Float;
use crate::network::TensorKind;
use nalgebra::{ArrayStorage, SMatrix, SVector};

/// A matrix of zeros, as a `const`.
pub(crate) const fn zero_matrix<T: Float, const R: usize, const C: usize>() -> SMatrix<T, R, C> {
    SMatrix::from_array_storage(ArrayStorage([[T::ZERO; R]; C]))
}

/// The weight (`R x C`) and bias (`R`) whose scalars start at `scalars[at]` in
/// [`Params::tensor`](crate::network::Params::tensor) order: the weight column-major, then
/// the bias. A `const fn`, behind the layers' `from_scalars`; the caller guarantees the
/// length.
pub(crate) const fn from_scalars<T: Float, const R: usize, const C: usize>(
    scalars: &[T],
    at: usize,
) -> (SMatrix<T, R, C>, SVector<T, R>) {
    let mut weight = [[T::ZERO; R]; C];
    let mut bias = [T::ZERO; R];
    let mut c = 0;
    while c < C {
        let mut r = 0;
        while r < R {
            weight[c][r] = scalars[at + c * R + r];
            r += 1;
        }
        c += 1;
    }
    let mut r = 0;
    while r < R {
        bias[r] = scalars[at + R * C + r];
        r += 1;
    }
    (
        SMatrix::from_array_storage(ArrayStorage(weight)),
        SVector::from_array_storage(ArrayStorage([bias])),
    )
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

/// The [`Params`](crate::network::Params) methods `tensor`, `tensor_mut` and `tensor_kind` of
/// a type with `weight` and `bias` matrix fields, through the functions above.
macro_rules! weight_bias_tensors {
    () => {
        #[inline]
        fn tensor(&self, i: usize) -> &[T] {
            $crate::layer::weight_bias::tensor(self.weight.as_slice(), self.bias.as_slice(), i)
        }

        #[inline]
        fn tensor_mut(&mut self, i: usize) -> &mut [T] {
            let (weight, bias) = (self.weight.as_mut_slice(), self.bias.as_mut_slice());
            $crate::layer::weight_bias::tensor_mut(weight, bias, i)
        }

        #[inline]
        fn tensor_kind(i: usize) -> $crate::network::TensorKind {
            $crate::layer::weight_bias::tensor_kind(i)
        }
    };
}
pub(crate) use weight_bias_tensors;
