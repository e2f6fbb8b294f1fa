//! The generated types: a type alias a layer, which names the layer's full type (with the
//! sizes the macro derived) once; the network, its gradient and its training cache, each a
//! field a layer; and the batched pass's buffers (`batch`).

use super::Emit;
use crate::model::{Layer, Shape};
use proc_macro2::TokenStream;
use quote::quote;

pub fn structs(e: &Emit) -> TokenStream {
    let (model, ident, grad, cache) = (e.model, e.ident, &e.grad, &e.cache);
    let (attrs, vis) = (&model.attrs, &model.vis);
    let (fields, layer_tys, grad_tys, cache_tys) =
        (&e.fields, &e.layer_tys, &e.grad_tys, &e.cache_tys);
    let docs: Vec<String> = model.layers.iter().map(field_doc).collect();
    let grad_doc = format!(" Gradients of every parameter of [`{ident}`], shaped like it.");
    let cache_doc = format!(
        " What [`{ident}`]'s training forward pass keeps for backward: each layer's \
         pre-activations and outputs."
    );
    let aliases = aliases(e);
    let scratch = scratch_field(e);
    let batch = super::batch::batch_struct(e);
    quote! {
        #aliases

        #(#attrs)*
        #[derive(Clone, Debug, PartialEq)]
        #vis struct #ident<T: ::dl_core::float::Float = f32> {
            #( #[doc = #docs] #vis #fields: #layer_tys, )*
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
            #scratch
        }

        #batch
    }
}

/// The working memory of the layers that take it (`Emit::scratch`), as the last field of
/// the cache and of the batch buffers, with its doc comment.
pub fn scratch_field(e: &Emit) -> TokenStream {
    let Some(super::Scratch { field, ty }) = &e.scratch else {
        return quote!();
    };
    let vis = &e.model.vis;
    quote! {
        /// Working memory of the convolutions' passes (transposed kernels, im2col blocks),
        /// shared by the layers, which run one at a time.
        #vis #field: #ty,
    }
}

/// `type DigitsCnnConv1<T = f32> = Conv2D<T, 1, 8, 8, 8, 3, 1, 1, 9, 64, 512, Relu>;`, one a
/// layer, each documented with the layer as written.
fn aliases(e: &Emit) -> TokenStream {
    let (ident, vis) = (e.ident, &e.model.vis);
    let items = e.model.layers.iter().zip(&e.aliases).map(|(l, alias)| {
        let ty = l.kind.layer_ty(l);
        let doc = format!(
            " Layer {} of [`{ident}`], `{}`, with the sizes `network!` derived.",
            l.number, l.text
        );
        quote! {
            #[doc = #doc]
            #vis type #alias<T = f32> = #ty;
        }
    });
    quote!(#(#items)*)
}

/// A field's doc comment: the layer as written and its output shape.
fn field_doc(layer: &Layer) -> String {
    format!(" `{}`: output {}.", layer.text, shape_text(&layer.output))
}

/// `(8, 4, 4)` for an image, `64` for a vector.
fn shape_text(shape: &Shape) -> String {
    match shape.image {
        Some([c, h, w]) => format!("({c}, {h}, {w})"),
        None => shape.flat.text.clone(),
    }
}
