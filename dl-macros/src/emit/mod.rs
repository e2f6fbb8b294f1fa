//! Emits the checked model as plain Rust, one function per item: the structs (`structs`),
//! the shape checks rustc evaluates (`checks`), one `Params` impl for the network and one for
//! its gradient (`params`), the `Network` impl (`network`, `batch`), the Dropout mask
//! generators (`masks`) and the inherent impl (`inherent`). The output is meant to read like code written by hand (`cargo expand`).

mod batch;
mod checks;
mod inherent;
mod masks;
mod network;
mod params;
pub mod quantized;
mod stack;
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
    pub masks: Ident,
    pub fields: Vec<&'a Ident>,
    /// Each layer's type alias, `DigitsCnnConv1`, which names its full type once.
    pub aliases: Vec<Ident>,
    /// Each layer's type as the generated code writes it: its alias, `DigitsCnnConv1<T>`.
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
    let aliases = aliases(model);
    let e = Emit {
        model,
        ident: &model.ident,
        grad: format_ident!("{}Gradient", model.ident),
        cache: format_ident!("{}Cache", model.ident),
        batch: format_ident!("{}Batch", model.ident),
        masks: format_ident!("{}Masks", model.ident),
        fields: layers.iter().map(|l| &l.field).collect(),
        layer_tys: aliases.iter().map(|a| quote!(#a<T>)).collect(),
        aliases,
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
    let stack_items = stack::stack(&e).items;
    let masks = masks::masks_items(&e);
    quote! {
        #structs
        #masks
        #stack_items
        #checks

        const _: () = {
            use ::dl_core::float::Float;
            use ::dl_core::layer::{Layer, LayerCache};
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

/// A type alias name for each layer: the network's name and the field's in camel case
/// (`DigitsCnn` + `conv1` = `DigitsCnnConv1`). A name the other generated types or an
/// earlier alias already use gets the suffix `Layer` and the layer's number.
fn aliases(model: &Model) -> Vec<Ident> {
    let ident = &model.ident;
    let mut taken: Vec<String> = ["Gradient", "Cache", "Batch", "Masks"]
        .iter()
        .map(|s| format!("{ident}{s}"))
        .collect();
    model
        .layers
        .iter()
        .map(|l| {
            let mut name = format!("{ident}{}", camel(&l.field.to_string()));
            if taken.contains(&name) {
                name = format!("{name}Layer{}", l.number);
            }
            taken.push(name.clone());
            Ident::new(&name, l.field.span())
        })
        .collect()
}

/// `conv_1` -> `Conv1`, `out` -> `Out` (a raw identifier loses its `r#`).
fn camel(field: &str) -> String {
    field
        .trim_start_matches("r#")
        .split('_')
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map_or_else(String::new, |c| {
                c.to_uppercase().chain(chars).collect::<String>()
            })
        })
        .collect()
}

impl Emit<'_> {
    /// The last layer's activation type, for the fused losses.
    pub fn last_activation(&self) -> TokenStream {
        self.last.activation().ty()
    }
}
