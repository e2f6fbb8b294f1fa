//! Where a parameter tensor sits in PyTorch's terms: its module in an `nn.Sequential`, its
//! name there (`weight`, `bias`), its shape, and where each of its elements lies in our slice.
//!
//! Our tensors are nalgebra slices in column-major order; PyTorch's are row-major. A
//! [`TensorLayout`] bridges the two with strides: the element at PyTorch index
//! `(i_0, .., i_{r-1})` lies at slice position `sum_k i_k * strides[k]`. A Dense weight
//! `SMatrix<T, O, I>` is PyTorch's `[O, I]` with strides `[1, O]` (its transpose in memory).

use crate::network::TensorKind;

/// The largest rank a tensor may have (a Conv2D kernel `[out_c, in_c, kh, kw]` has 4).
pub const MAX_RANK: usize = 4;

/// One tensor's name, shape and memory layout, as PyTorch sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TensorLayout {
    /// The index of the module that owns the tensor in PyTorch's `nn.Sequential` (0 for a
    /// lone layer; a network adds the number of modules before the layer).
    pub module: usize,
    /// The tensor's name within its module: `"weight"` or `"bias"`.
    pub name: &'static str,
    rank: usize,
    shape: [usize; MAX_RANK],
    strides: [usize; MAX_RANK],
}

impl TensorLayout {
    /// A tensor of PyTorch shape `shape[..rank]` whose element `(i_0, ..)` lies at slice
    /// position `sum_k i_k * strides[k]`. `rank` is clamped to [`MAX_RANK`].
    pub const fn new(
        name: &'static str,
        rank: usize,
        shape: [usize; MAX_RANK],
        strides: [usize; MAX_RANK],
    ) -> Self {
        TensorLayout {
            module: 0,
            name,
            rank: if rank > MAX_RANK { MAX_RANK } else { rank },
            shape,
            strides,
        }
    }

    /// A contiguous vector of `len` elements (a bias).
    pub const fn vector(name: &'static str, len: usize) -> Self {
        Self::new(name, 1, [len, 1, 1, 1], [1, 0, 0, 0])
    }

    /// A matrix of PyTorch shape `[rows, cols]` stored column-major, as nalgebra stores
    /// `SMatrix<T, rows, cols>`: element `(r, c)` lies at `r + rows * c`.
    pub const fn column_major(name: &'static str, rows: usize, cols: usize) -> Self {
        Self::new(name, 2, [rows, cols, 1, 1], [1, rows, 0, 0])
    }

    /// The default layout of tensor `kind`: a contiguous vector named after the kind.
    pub const fn flat(kind: TensorKind, len: usize) -> Self {
        Self::vector(kind_name(kind), len)
    }

    /// The same tensor in a module `offset` places further on.
    #[must_use]
    pub const fn in_module(mut self, offset: usize) -> Self {
        self.module += offset;
        self
    }

    /// PyTorch's shape.
    pub fn shape(&self) -> &[usize] {
        &self.shape[..self.rank]
    }

    /// The slice stride of each PyTorch axis.
    pub fn strides(&self) -> &[usize] {
        &self.strides[..self.rank]
    }

    /// The number of elements (saturating, so a nonsense shape cannot overflow).
    pub fn len(&self) -> usize {
        self.shape()
            .iter()
            .fold(1usize, |n, &d| n.saturating_mul(d))
    }

    /// Whether the tensor has no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The slice position of the element at `index` in PyTorch's row-major order.
    #[inline]
    pub fn offset(&self, mut index: usize) -> usize {
        let mut at = 0;
        for k in (0..self.rank).rev() {
            let d = self.shape[k].max(1);
            at += (index % d) * self.strides[k];
            index /= d;
        }
        at
    }

    /// Whether this layout addresses a slice of `len` elements: same number of elements and
    /// every position inside it. (A layout's strides are a permutation for every layer in
    /// this crate; this check catches a layout written for another size.)
    pub fn fits(&self, len: usize) -> bool {
        let last = self
            .shape()
            .iter()
            .zip(self.strides())
            .try_fold(0usize, |at, (&d, &s)| {
                d.checked_sub(1)
                    .and_then(|i| i.checked_mul(s))
                    .and_then(|x| x.checked_add(at))
            });
        self.len() == len && (len == 0 || last.is_some_and(|last| last < len))
    }
}

/// PyTorch's name for a tensor of this kind.
pub const fn kind_name(kind: TensorKind) -> &'static str {
    match kind {
        TensorKind::Weight => "weight",
        TensorKind::Bias => "bias",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_major_matches_nalgebra() {
        let m = nalgebra::SMatrix::<f64, 2, 3>::from_fn(|r, c| (10 * r + c) as f64);
        let layout = TensorLayout::column_major("weight", 2, 3);
        assert!(layout.fits(6));
        let row_major: [f64; 6] = core::array::from_fn(|k| m.as_slice()[layout.offset(k)]);
        assert_eq!(row_major, [0.0, 1.0, 2.0, 10.0, 11.0, 12.0]);
    }

    #[test]
    fn fits_rejects_wrong_sizes() {
        assert!(!TensorLayout::column_major("weight", 2, 3).fits(5));
        assert!(!TensorLayout::new("weight", 2, [2, 3, 1, 1], [1, 3, 0, 0]).fits(6));
        assert!(TensorLayout::vector("bias", 0).fits(0));
    }
}
