//! The `network!` macro of `dl`: parse ([`ast`]), check ([`check`], each layer kind in its
//! own file under [`layers`]), emit ([`emit`]). Users reach it through `dl_core::prelude::*`.

mod activation;
mod args;
mod ast;
mod check;
mod derives;
mod emit;
mod errors;
mod layers;
mod model;
mod shape;

use proc_macro::TokenStream;

/// Declares a network whose layer sizes are checked at compile time. See `dl_core`.
#[proc_macro]
pub fn network(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as ast::Input);
    let (model, errors) = check::check(&input);
    let mut out = emit::expand(&model);
    if let Some(errors) = errors {
        out.extend(errors.to_compile_error());
    }
    out.into()
}
