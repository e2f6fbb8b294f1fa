//! The shape checks the macro leaves to rustc: sizes written as consts or const blocks,
//! which only the compiler can evaluate.

use crate::model::Model;
use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};

/// A `fits` check for each link between layers whose sizes the macro could not read, and a
/// `nonzero` check for each such size.
pub fn checks(model: &Model) -> TokenStream {
    let links = model.links.iter().map(|link| {
        let (layer, previous) = (link.layer, link.previous);
        let produces = &link.produces.tokens;
        let expects = &link.expects.tokens;
        let span = link.expects.span;
        quote_spanned! {span=>
            const _: () = ::dl_core::shape::fits::<
                ::dl_core::shape::Link, #layer, #previous, #produces, #expects
            >();
        }
    });
    let nonzero = model.nonzero.iter().map(|(dim, msg)| {
        let tokens = &dim.tokens;
        let span = dim.span;
        quote_spanned! {span=>
            #[allow(unused_braces)]
            const _: usize = ::dl_core::shape::nonzero(#tokens, #msg);
        }
    });
    quote! {
        #(#links)*
        #(#nonzero)*
    }
}
