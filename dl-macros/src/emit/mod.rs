//! Emits the checked model as plain Rust, one function per item: the structs (`structs`),
//! the shape checks rustc evaluates (`checks`), one `Params` impl for the network and one for
//! its gradient (`params`), the `Network` impl (`network`, `batch`) and the inherent impl
//! (`inherent`). The output is meant to read like code written by hand (`cargo expand`).

mod batch;
mod checks;
mod inherent;
mod network;
mod params;
mod structs;

use crate::model::{Layer, Model};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::Ident;

/// What every item needs: the model, the names of the generated types and each layer's types.
pub struct Emit<'a> {
    pub model: &'a Model,
    pub ident: &'a Ident,
    pub grad: Ident,
    pub cache: Ident,
    pub batch: Ident,
    pub fields: Vec<&'a Ident>,
    pub layer_tys: Vec<TokenStream>,
    pub grad_tys: Vec<TokenStream>,
    pub cache_tys: Vec<TokenStream>,
    pub last: &'a Layer,
}

pub fn expand(model: &Model) -> TokenStream {
    let Some(last) = model.layers.last() else {
        return empty(model);
    };
    let layers = &model.layers;
    let e = Emit {
        model,
        ident: &model.ident,
        grad: format_ident!("{}Gradient", model.ident),
        cache: format_ident!("{}Cache", model.ident),
        batch: format_ident!("{}Batch", model.ident),
        fields: layers.iter().map(|l| &l.field).collect(),
        layer_tys: layers.iter().map(|l| l.kind.layer_ty(l)).collect(),
        grad_tys: layers.iter().map(|l| l.kind.grad_ty(l)).collect(),
        cache_tys: layers.iter().map(|l| l.kind.cache_ty(l)).collect(),
        last,
    };
    let structs = structs::structs(&e);
    let checks = checks::checks(model);
    let network_params = params::network_params(&e);
    let gradient_params = params::gradient_params(&e);
    let network = network::network_impl(&e);
    let inherent = inherent::inherent_impl(&e);
    quote! {
        #structs
        #checks

        const _: () = {
            use ::dl_core::float::Float;
            use ::dl_core::layer::{Dense, DenseCache, DenseGrad, Layer, LayerCache};
            use ::dl_core::layout::TensorLayout;
            use ::dl_core::loss::Loss;
            use ::dl_core::nalgebra::SVector;
            use ::dl_core::network::{Network, Params, TensorKind, Vector};
            use ::dl_core::rng::Rng;
            use ::dl_core::summary::{LayerInfo, Summary};

            #network_params
            #gradient_params
            #network
            #inherent
        };
    }
}

/// The fallback for a network without layers: the struct alone, so the one error stands.
fn empty(model: &Model) -> TokenStream {
    let Model {
        attrs, vis, ident, ..
    } = model;
    quote! {
        #(#attrs)*
        #vis struct #ident<T = f32>(::core::marker::PhantomData<T>);
    }
}

impl Emit<'_> {
    /// The last layer's activation type, for the fused losses.
    pub fn last_activation(&self) -> TokenStream {
        self.last.activation().ty()
    }
}
