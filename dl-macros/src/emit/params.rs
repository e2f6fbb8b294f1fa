//! The `Params` impls of the network and of its gradient: the same tensors, numbered alike
//! (each layer with parameters owns two, weight and bias), so one function emits both.

use super::Emit;
use crate::model::lit;
use proc_macro2::TokenStream;
use quote::quote;
use syn::Ident;

/// `impl Params for Net`: the tensors of the layers, and their count and kinds.
pub fn network_params(e: &Emit) -> TokenStream {
    let ident = e.ident;
    let counts: Vec<TokenStream> = e
        .model
        .layers
        .iter()
        .map(|l| l.kind.param_count(l))
        .collect();
    let count = super::sum(&counts);
    let arms = tensor_arms(e);
    let kinds = arms.iter().map(|arm| {
        let (range, local, k) = (&arm.range, &arm.local, arm.layer);
        let ty = &e.layer_tys[k];
        quote! { #range => <#ty as Params<T>>::tensor_kind(#local), }
    });
    let kind = quote! {
        match i {
            #(#kinds)*
            _ => TensorKind::Weight,
        }
    };
    params_impl(e, ident, &e.layer_tys, count, kind)
}

/// `impl Params for NetGradient`: shaped like the network, whose counts and kinds it shares.
pub fn gradient_params(e: &Emit) -> TokenStream {
    let ident = e.ident;
    let count = quote!(<#ident<T> as Params<T>>::COUNT);
    let kind = quote!(<#ident<T> as Params<T>>::tensor_kind(i));
    params_impl(e, &e.grad, &e.grad_tys, count, kind)
}

/// Tensor `i`'s place: the range of tensor numbers of the layer that owns it, and the
/// layer's own number for it.
struct TensorArm {
    range: TokenStream,
    local: TokenStream,
    /// The layer's index.
    layer: usize,
    /// The PyTorch module index of the layer: the sum of the modules before it.
    module: usize,
}

/// One arm per layer that has tensors.
fn tensor_arms(e: &Emit) -> Vec<TensorArm> {
    let mut arms = Vec::new();
    let (mut module, mut first) = (0, 0);
    for (k, l) in e.model.layers.iter().enumerate() {
        let modules = module;
        module += l.kind.torch_modules();
        let n = l.kind.tensors();
        if n == 0 {
            continue;
        }
        let (lo, hi) = (lit(first), lit(first + n - 1));
        let local = if first == 0 {
            quote!(i)
        } else {
            quote!(i - #lo)
        };
        arms.push(TensorArm {
            range: quote!(#lo..=#hi),
            local,
            layer: k,
            module: modules,
        });
        first += n;
    }
    arms
}

/// The impl itself, for the network or its gradient: `ty` with fields of `field_tys`.
fn params_impl(
    e: &Emit,
    ty: &Ident,
    field_tys: &[TokenStream],
    count: TokenStream,
    tensor_kind: TokenStream,
) -> TokenStream {
    let fields = &e.fields;
    let tensors = lit(e.model.layers.iter().map(|l| l.kind.tensors()).sum());
    let arms = tensor_arms(e);
    let (ranges, locals): (Vec<_>, Vec<_>) = arms.iter().map(|a| (&a.range, &a.local)).unzip();
    let owners: Vec<_> = arms.iter().map(|a| fields[a.layer]).collect();
    let modules = arms.iter().map(|a| lit(a.module));
    quote! {
        #[automatically_derived]
        impl<T: Float> Params<T> for #ty<T> {
            const TENSORS: usize = #tensors;
            const COUNT: usize = #count;
            const ZERO: Self = #ty {
                #( #fields: <#field_tys as Params<T>>::ZERO, )*
            };

            fn tensor(&self, i: usize) -> &[T] {
                match i {
                    #( #ranges => self.#owners.tensor(#locals), )*
                    _ => &[],
                }
            }

            fn tensor_mut(&mut self, i: usize) -> &mut [T] {
                match i {
                    #( #ranges => self.#owners.tensor_mut(#locals), )*
                    _ => &mut [],
                }
            }

            fn tensor_kind(i: usize) -> TensorKind {
                #tensor_kind
            }

            fn tensor_layout(&self, i: usize) -> TensorLayout {
                match i {
                    #( #ranges => self.#owners.tensor_layout(#locals).in_module(#modules), )*
                    _ => TensorLayout::vector("none", 0),
                }
            }
        }
    }
}
