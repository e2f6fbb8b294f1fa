//! Activations: reading `Relu`, `LeakyRelu<0.01>` and the rest from a layer's arguments, and
//! the type each becomes in the generated code. Where Softmax may go is a network-level rule
//! (`check`).

use crate::args::Args;
use crate::ast::Arg;
use crate::model::{Activation, ActivationArg};
use proc_macro2::TokenStream;
use quote::{quote, ToTokens};

/// Reads the activation written as `path` (the caller reports arguments that are no path).
pub fn parse(args: &mut Args, arg: &Arg, path: &syn::Path) -> ActivationArg {
    let seg = path.segments.last().expect("a parsed path has a segment");
    let name = seg.ident.to_string();
    let generics: Vec<&syn::GenericArgument> = match &seg.arguments {
        syn::PathArguments::AngleBracketed(a) => a.args.iter().collect(),
        _ => Vec::new(),
    };
    let mut plain = |activation: Activation| {
        if let Some(g) = generics.first() {
            args.error(g, format!("{name} takes no arguments"));
        }
        activation
    };
    let activation = match name.as_str() {
        "Identity" => plain(Activation::Identity),
        "Sigmoid" => plain(Activation::Sigmoid),
        "Tanh" => plain(Activation::Tanh),
        "Relu" => plain(Activation::Relu),
        "Softmax" => plain(Activation::Softmax),
        "LeakyRelu" => Activation::LeakyRelu(slope(args, arg, &generics)),
        _ => {
            args.error(
                arg,
                format!(
                    "unknown activation `{}`; the activations are {}",
                    arg.text(),
                    Activation::LIST
                ),
            );
            Activation::Identity
        }
    };
    ActivationArg {
        activation,
        tokens: arg.to_token_stream(),
    }
}

/// LeakyRelu's slope, a finite float literal; 0.01 after an error.
fn slope(args: &mut Args, arg: &Arg, generics: &[&syn::GenericArgument]) -> f64 {
    match generics {
        [syn::GenericArgument::Const(syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Float(f),
            ..
        }))] => match f.base10_parse::<f64>() {
            Ok(s) if s.is_finite() => return s,
            _ => args.error(f, format!("the slope `{f}` is not a finite float")),
        },
        [one] => args.error(
            one,
            format!(
                "the LeakyRelu slope must be a float literal such as `0.01`, found `{}`",
                one.to_token_stream()
            ),
        ),
        _ => args.error(arg, "LeakyRelu needs its slope, e.g. `LeakyRelu<0.01>`"),
    }
    0.01
}

impl Activation {
    /// The activation's type in `dl_core`.
    pub fn ty(self) -> TokenStream {
        match self {
            Activation::Identity => quote!(::dl_core::activation::Identity),
            Activation::Sigmoid => quote!(::dl_core::activation::Sigmoid),
            Activation::Tanh => quote!(::dl_core::activation::Tanh),
            Activation::Relu => quote!(::dl_core::activation::Relu),
            Activation::Softmax => quote!(::dl_core::activation::Softmax),
            Activation::LeakyRelu(s) => {
                quote!(::dl_core::activation::LeakyRelu<{ ::dl_core::activation::slope(#s) }>)
            }
        }
    }
}

/// The fallback after an argument that is no activation at all.
pub fn identity(arg: &Arg) -> ActivationArg {
    ActivationArg {
        activation: Activation::Identity,
        tokens: arg.to_token_stream(),
    }
}
