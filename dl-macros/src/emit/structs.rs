//! The generated structs: the network, its gradient and its training cache, each a field a
//! layer.

use super::Emit;
use proc_macro2::TokenStream;
use quote::quote;

pub fn structs(e: &Emit) -> TokenStream {
    let (model, ident, grad, cache) = (e.model, e.ident, &e.grad, &e.cache);
    let (attrs, vis) = (&model.attrs, &model.vis);
    let (fields, layer_tys, grad_tys, cache_tys) =
        (&e.fields, &e.layer_tys, &e.grad_tys, &e.cache_tys);
    let grad_doc = format!("Gradients of every parameter of [`{ident}`], shaped like it.");
    let cache_doc = format!(
        "What [`{ident}`]'s training forward pass keeps for backward: each layer's \
         pre-activations and outputs."
    );
    let batch = super::batch::batch_struct(e);
    quote! {
        #(#attrs)*
        #[derive(Clone, Debug, PartialEq)]
        #vis struct #ident<T: ::dl_core::float::Float = f32> {
            #( #vis #fields: #layer_tys, )*
        }

        #[doc = #grad_doc]
        #[derive(Clone, Debug, PartialEq)]
        #vis struct #grad<T: ::dl_core::float::Float = f32> {
            #( #vis #fields: #grad_tys, )*
        }

        #[doc = #cache_doc]
        #[derive(Clone, Debug, PartialEq)]
        #vis struct #cache<T: ::dl_core::float::Float = f32> {
            #( #vis #fields: #cache_tys, )*
        }

        #batch
    }
}
