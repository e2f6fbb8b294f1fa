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
    /// The working memory of the layers whose passes take it from the caller (convolutions),
    /// a field of the cache and of the batch buffers; `None` without such layers.
    pub scratch: Option<Scratch>,
}

/// The cache's and batch buffers' `Scratch` field: its name (`scratch`, unless a layer has
/// that name) and type, sized for the largest `Layer::SCRATCH` of the layers that use it.
pub struct Scratch {
    pub field: Ident,
    pub ty: TokenStream,
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
        grad_tys: layers.iter().map(|l| l.kind.grad_ty(l)).collect(),
        cache_tys: layers.iter().map(|l| l.kind.cache_ty(l)).collect(),
        scratch: scratch(model, &aliases),
        aliases,
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

/// The `Scratch` field, if some layer takes working memory: `N` is the largest `SCRATCH`
/// of those layers, so the layers, which run one at a time, share it. It is the count in
/// `f32`, at least `f64`'s (buffers are rounded up to 64-byte lines: 16 `f32`s, 8 `f64`s).
fn scratch(model: &Model, aliases: &[Ident]) -> Option<Scratch> {
    let users: Vec<_> = model
        .layers
        .iter()
        .zip(aliases)
        .filter(|(l, _)| l.kind.scratch())
        .map(|(_, alias)| quote!(<#alias<f32> as ::dl_core::layer::Layer<f32>>::SCRATCH))
        .collect();
    if users.is_empty() {
        return None;
    }
    let mut name = String::from("scratch");
    while model.layers.iter().any(|l| l.field == name) {
        name.push('_');
    }
    Some(Scratch {
        field: Ident::new(&name, proc_macro2::Span::call_site()),
        ty: quote! {
            ::dl_core::layer::Scratch<T, { ::dl_core::stack::largest(&[#(#users),*]) }>
        },
    })
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

/// `a + b + ...` with the integer literals among the terms added by the macro, as a person
/// would write it: `80 + 0 + 1168` is `1248`, `80 + (N * 4 + 4)` keeps its named size; `0`
/// for no terms.
pub fn sum<'a>(terms: impl IntoIterator<Item = &'a TokenStream>) -> TokenStream {
    let mut known = 0usize;
    let mut rest = Vec::new();
    for term in terms {
        let value = syn::parse2::<syn::LitInt>(term.clone()).ok();
        match value.and_then(|v| known.checked_add(v.base10_parse::<usize>().ok()?)) {
            Some(total) => known = total,
            None => rest.push(term),
        }
    }
    let known = crate::model::lit(known);
    match rest.split_first() {
        None => quote!(#known),
        Some((first, others)) if known.to_string() == "0" => quote!(#first #( + #others )*),
        Some(_) => quote!(#known #( + #rest )*),
    }
}

impl Emit<'_> {
    /// How layer `k` calls its pass `method`: `(method, nothing)`, or for a layer that takes
    /// working memory, `(method_in, tokens)` with `tokens` the last argument,
    /// `, #owner.scratch.as_mut_slice()` (`owner` is the cache or the batch buffers).
    pub fn pass(&self, k: usize, method: &str, owner: TokenStream) -> (Ident, TokenStream) {
        match &self.scratch {
            Some(Scratch { field, .. }) if self.model.layers[k].kind.scratch() => (
                format_ident!("{method}_in"),
                quote!(, #owner.#field.as_mut_slice()),
            ),
            _ => (format_ident!("{method}"), quote!()),
        }
    }

    /// `scratch: Scratch::ZERO,` for the cache's and batch buffers' `const` zeros, if they
    /// have the field.
    pub fn scratch_zero(&self) -> TokenStream {
        match &self.scratch {
            Some(Scratch { field, .. }) => quote!(#field: ::dl_core::layer::Scratch::ZERO,),
            None => quote!(),
        }
    }

    /// The last layer's activation type, for the fused losses.
    pub fn last_activation(&self) -> TokenStream {
        self.last.activation().ty()
    }
}
