//! `impl Net`: the `const fn` constructor from scalars and backward through the layers.

use super::Emit;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

pub fn inherent_impl(e: &Emit) -> TokenStream {
    let (ident, grad, cache, fields) = (e.ident, &e.grad, &e.cache, &e.fields);
    let layer_tys = &e.layer_tys;
    let input_dim = &e.model.input.flat.tokens;
    let output_dim = &e.last.outputs().tokens;
    // Where each layer's parameters start in the flat `from_scalars` slice.
    let counts: Vec<_> = e
        .model
        .layers
        .iter()
        .map(|l| l.kind.param_count(l))
        .collect();
    let offsets = (0..counts.len()).map(|k| super::sum(&counts[..k]));
    let backward = backward_steps(e, "backward_preact");
    let backward_set = backward_steps(e, "backward_preact_set");
    let stack_inherent = super::stack::stack(e).inherent;
    quote! {
        #[automatically_derived]
        impl<T: Float> #ident<T> {
            /// The network with parameters `scalars`, laid out tensor by tensor in
            /// `Params::tensor` order; `None` unless there are exactly `PARAMS` of them.
            /// A `const fn`, so `dl_core::include_network!` builds networks in `static`s.
            pub const fn from_scalars(scalars: &[T]) -> Option<Self> {
                if scalars.len() != <Self as Params<T>>::COUNT {
                    return None;
                }
                Some(#ident {
                    #( #fields: <#layer_tys>::from_scalars(scalars, #offsets), )*
                })
            }

            /// Backpropagates `dz`, the loss gradient at the last layer's pre-activations,
            /// through every layer.
            #[inline]
            fn backward_layers(
                &self,
                x: &SVector<T, #input_dim>,
                cache: &#cache<T>,
                dz: &SVector<T, #output_dim>,
                grads: &mut #grad<T>,
                d_input: Option<&mut SVector<T, #input_dim>>,
            ) {
                #(#backward)*
            }

            /// `backward_layers` writing the parameter gradients into `grads` instead of
            /// adding to them (a one-sample training step's backward pass).
            #[inline]
            fn backward_layers_set(
                &self,
                x: &SVector<T, #input_dim>,
                cache: &#cache<T>,
                dz: &SVector<T, #output_dim>,
                grads: &mut #grad<T>,
                d_input: Option<&mut SVector<T, #input_dim>>,
            ) {
                #(#backward_set)*
            }
            #stack_inherent
        }
    }
}

/// Backward, from the last layer's `dL/dz` to the first layer, each layer's parameter
/// gradient by `method` (`backward_preact`, or `backward_preact_set`).
fn backward_steps(e: &Emit, method: &str) -> Vec<TokenStream> {
    let method = format_ident!("{method}");
    let layers = &e.model.layers;
    let n = layers.len();
    (0..n)
        .rev()
        .map(|k| {
            let f = &layers[k].field;
            let dz = if k + 1 == n {
                quote!(dz)
            } else {
                let d = format_ident!("d{}", k + 1);
                quote!(&#d)
            };
            if k == 0 {
                return quote! {
                    self.#f.#method(x, &cache.#f, #dz, &mut grads.#f, d_input);
                };
            }
            let prev = &layers[k - 1];
            let pf = &prev.field;
            let pdim = &prev.outputs().tokens;
            let d = format_ident!("d{}", k);
            quote! {
                let mut #d = SVector::<T, #pdim>::zeros();
                self.#f.#method(cache.#pf.output(), &cache.#f, #dz, &mut grads.#f, Some(&mut #d));
                self.#pf.activation_backward(&cache.#pf, &mut #d);
            }
        })
        .collect()
}
