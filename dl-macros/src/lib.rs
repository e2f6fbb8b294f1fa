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
mod tflite;

use proc_macro::TokenStream;

/// Implemented in the `dl-macros` crate and re-exported by `dl_core` (`use dl_core::prelude::*;`),
/// whose `network!` page gives the grammar, the generated items and examples.
#[proc_macro]
pub fn network(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as ast::Input);
    let (model, errors) = check::check(&input);
    let mut out = emit::expand(&model);
    match errors {
        Some(errors) => out.extend(errors.to_compile_error()),
        None => out.extend(emit::quantized::expand(&model)),
    }
    out.into()
}
