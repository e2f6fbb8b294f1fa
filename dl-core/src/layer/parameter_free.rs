//! Pieces shared by layers without parameters (pooling, Flatten, Dropout): an empty
//! parameter set, an empty gradient, and a cache that holds only the output.

use super::LayerCache;
use crate::float::Float;
use core::marker::PhantomData;
use nalgebra::SVector;

/// Implements `Params` with no tensors for a unit-like struct `Name(PhantomData<T>)`.
macro_rules! no_params {
    ($ty:ty, [$($g:tt)*]) => {
        impl<$($g)*> $crate::network::Params<T> for $ty {
            const TENSORS: usize = 0;
            const COUNT: usize = 0;
            const ZERO: Self = Self(::core::marker::PhantomData);
            #[inline]
            fn tensor(&self, _: usize) -> &[T] {
                &[]
            }
            #[inline]
            fn tensor_mut(&mut self, _: usize) -> &mut [T] {
                &mut []
            }
            #[inline]
            fn tensor_kind(_: usize) -> $crate::network::TensorKind {
                $crate::network::TensorKind::Weight
            }
        }
    };
}
pub(crate) use no_params;

/// The gradient of a layer without parameters: nothing.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct NoGrad<T: Float>(PhantomData<T>);

no_params!(NoGrad<T>, [T: Float]);

/// The training cache of a layer without an activation: its output alone, which is also what
/// [`LayerCache::preactivation`] returns.
#[derive(Clone, Debug, PartialEq)]
pub struct OutputCache<T: Float, const N: usize> {
    /// The layer's output.
    pub a: SVector<T, N>,
}

impl<T: Float, const N: usize> OutputCache<T, N> {
    /// All zeros.
    pub const ZERO: Self = OutputCache {
        a: <SVector<T, N> as crate::network::Vector<T>>::ZERO,
    };
}

impl<T: Float, const N: usize> LayerCache<SVector<T, N>> for OutputCache<T, N> {
    #[inline(always)]
    fn preactivation(&self) -> &SVector<T, N> {
        &self.a
    }
    #[inline(always)]
    fn output(&self) -> &SVector<T, N> {
        &self.a
    }
}
