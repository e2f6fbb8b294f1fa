//! What a parameter tensor is: a weight or a bias.

/// What a parameter tensor is, for regularisation that applies to weights only.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TensorKind {
    /// A weight matrix or kernel.
    Weight,
    /// A bias vector.
    Bias,
}

/// PyTorch's name for the kind: `weight` or `bias`.
impl core::fmt::Display for TensorKind {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(crate::layout::kind_name(*self))
    }
}
