//! What a parameter tensor is: a weight or a bias.

/// What a parameter tensor is, for regularisation that applies to weights only.
///
/// ```
/// use dl_core::prelude::*;
/// network! { struct Small { Dense<2, 3, Tanh>, Dense<3, 1, Identity> } }
/// // Each Dense layer has a weight and a bias tensor, in that order.
/// let kinds: [TensorKind; 4] = core::array::from_fn(<Small<f32> as Params<f32>>::tensor_kind);
/// assert_eq!(kinds, [TensorKind::Weight, TensorKind::Bias, TensorKind::Weight, TensorKind::Bias]);
/// assert_eq!(TensorKind::Bias.to_string(), "bias");
/// ```
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
