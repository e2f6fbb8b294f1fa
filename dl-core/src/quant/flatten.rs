//! int8 flatten: an image's `C, H, W` values as one vector, in that order (dl's and PyTorch's).

/// `C x H x W` to `N = C * H * W` values (checked at compile time). The TFLite importer
/// reorders the next dense layer's columns from TFLite's `H, W, C` flattening, so the
/// arithmetic is unchanged.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QFlatten<const C: usize, const H: usize, const W: usize, const N: usize>;

impl<const C: usize, const H: usize, const W: usize, const N: usize> QFlatten<C, H, W, N> {
    const SIZES_FIT: () = assert!(N == C * H * W, "QFlatten: N must be C * H * W");

    /// The flat vector.
    pub fn forward(&self, x: &[[[i8; W]; H]; C]) -> [i8; N] {
        let () = Self::SIZES_FIT;
        let mut y = [0i8; N];
        for (y, x) in y.iter_mut().zip(x.iter().flatten().flatten()) {
            *y = *x;
        }
        y
    }

    /// The inverse: `N` values in `C, H, W` order as an image (a network's flat input).
    pub fn unflatten(x: &[i8; N]) -> [[[i8; W]; H]; C] {
        let () = Self::SIZES_FIT;
        let mut y = [[[0i8; W]; H]; C];
        for (y, x) in y.iter_mut().flatten().flatten().zip(x) {
            *y = *x;
        }
        y
    }
}
