//! The `network!` macro of `dl`: parse ([`ast`]), check shapes ([`valid`]), emit code
//! ([`expand`]). Users reach it through `dl_core::prelude::*`.

mod ast;
mod batch;
mod expand;
mod shapes;
mod valid;

use proc_macro::TokenStream;

/// Declares a network whose layer sizes are checked at compile time. See `dl_core`.
#[proc_macro]
pub fn network(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as ast::Input);
    let (model, errors) = valid::check(&input);
    let mut out = expand::expand(&model);
    if let Some(errors) = errors {
        out.extend(errors.to_compile_error());
    }
    out.into()
}
