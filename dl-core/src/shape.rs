//! Shape checks for dimensions the macro cannot evaluate itself.
//!
//! Literal dimensions are checked by `network!` while it expands. A named const or a const
//! block is only known to rustc, so the macro routes each such layer boundary through
//! [`fits`]: the bound `Link: Fits<..>` holds only when the sizes agree, and when they do not,
//! rustc reports one error, in these words, spanned on the user's expression. It fires under
//! `cargo check`.

/// The marker type the layer-boundary bound is checked on.
pub struct Link;

/// Holds when layer `LAYER` expects as many inputs as layer `PREVIOUS` produces.
#[diagnostic::on_unimplemented(
    message = "layer {LAYER} expects {EXPECTS} inputs but layer {PREVIOUS} produces {PRODUCES}",
    label = "layer {LAYER} expects {EXPECTS} inputs here, but layer {PREVIOUS} produces {PRODUCES}",
    note = "the input size of each layer must equal the output size of the layer before it"
)]
pub trait Fits<
    const LAYER: usize,
    const PREVIOUS: usize,
    const PRODUCES: usize,
    const EXPECTS: usize,
>
{
}

impl<const LAYER: usize, const PREVIOUS: usize, const N: usize> Fits<LAYER, PREVIOUS, N, N>
    for Link
{
}

/// Compiles only if `Link: Fits<LAYER, PREVIOUS, PRODUCES, EXPECTS>`.
pub const fn fits<
    L: Fits<LAYER, PREVIOUS, PRODUCES, EXPECTS>,
    const LAYER: usize,
    const PREVIOUS: usize,
    const PRODUCES: usize,
    const EXPECTS: usize,
>() {
}

/// A dimension of zero is refused when the constant is evaluated.
pub const fn nonzero(n: usize, what: &'static str) -> usize {
    assert!(n > 0, "{}", what);
    n
}
