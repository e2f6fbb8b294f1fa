//! Emits what keeps a network's memory off the stack when it is large: the stack-size consts
//! and budget (`dl_core::stack`), the `StackCheck` impls that let the compiler refuse a
//! by-value use over budget, the `Zeroable` impls that let `dl_core::zeroed` build the
//! generated structs in place on the heap, and the workspace-backed backward pass
//! (`backward_in`, `loss_backward_in`) whose inter-layer gradients live in the batch buffers.

use super::Emit;
use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};

/// What `expand` splices in: items, and items of `impl Network`.
pub struct Stack {
    pub items: TokenStream,
    pub network_items: TokenStream,
    /// Inherent methods of the network (the shared backward body).
    pub inherent: TokenStream,
}

pub fn stack(e: &Emit) -> Stack {
    let consts = consts(e);
    let (backward_in, inherent) = backward_in(e);
    Stack {
        items: checks(e),
        network_items: quote! {
            #consts
            #backward_in
        },
        inherent,
    }
}

/// The stack budget and the stack-size consts of `impl Network`.
fn consts(e: &Emit) -> TokenStream {
    let (model, layer_tys) = (e.model, &e.layer_tys);
    let outs: Vec<_> = model.layers.iter().map(|l| &l.output.flat.tokens).collect();
    let outs_sum = super::sum(outs.iter().copied());
    // A layer's own temporaries beside its output in the by-value calls, in scalars. There a
    // convolution keeps on its stack its kernel transposed (`C_OUT x PATCH`) and im2col blocks
    // of 4, 16 and 64 pixels (`dl_core`'s Conv2D; a debug build gives each block size its own
    // slot): forward, `(C_OUT + 84) * PATCH`; backward, the blocks of patches and two of
    // output gradients, `84 * (PATCH + 2 * C_OUT)`. (The workspace-backed passes take all of
    // that from the cache's or batch buffers' `Scratch`: `LAYER_STACK_BYTES` is a frame and
    // a pixel-by-pixel convolution's few vectors, `Layer::STACK_SCALARS`.)
    let (forward_tmp, backward_tmp): (Vec<_>, Vec<_>) = model
        .layers
        .iter()
        .map(|l| {
            let (patch, channels) = l.kind.patch();
            ((channels + 84) * patch, 84 * (patch + 2 * channels))
        })
        .unzip();
    let lits = |v: Vec<usize>| v.into_iter().map(crate::model::lit).collect::<Vec<_>>();
    let (forward_tmp, backward_tmp) = (lits(forward_tmp), lits(backward_tmp));
    let budget = match &model.stack_budget {
        Some(expr) => quote!(#expr),
        None => quote!(::dl_core::stack::DEFAULT_BUDGET),
    };
    let scalar = quote!(::core::mem::size_of::<T>());
    let frames = quote!(::dl_core::stack::FRAME_BYTES);
    quote! {
        const STACK_BUDGET: usize = #budget;
        const FORWARD_STACK_BYTES: usize = #frames + #scalar * (
            #outs_sum
            + 2 * ::dl_core::stack::largest(&[#( #outs ),*])
            + ::dl_core::stack::largest(&[#( #forward_tmp ),*])
        );
        const LAYER_STACK_BYTES: usize = #frames + #scalar * ::dl_core::stack::largest(&[
            #( <#layer_tys as Layer<T>>::STACK_SCALARS ),*
        ]);
        const BACKWARD_STACK_BYTES: usize = #frames + #scalar * (
            #outs_sum
            + ::dl_core::stack::largest(&[#( #outs ),*])
            + ::dl_core::stack::largest(&[#( #backward_tmp ),*])
        );
    }
}

/// `backward_in`, `loss_backward_in` and `loss_backward_set_in` (items of `impl Network`),
/// and the inherent `backward_layers_in` and `backward_layers_set_in` they share.
fn backward_in(e: &Emit) -> (TokenStream, TokenStream) {
    let (grad, cache, batch) = (&e.grad, &e.cache, &e.batch);
    let last_act = e.last_activation();
    let last = e.fields[e.fields.len() - 1];
    let backward = backward_steps_in(e, "backward_preact");
    let backward_set = backward_steps_in(e, "backward_preact_set");
    let backward_sgd = backward_steps_in(e, "backward_preact_sgd");
    // The loss, with its gradient at the last layer's pre-activations in `batch`.
    let loss_gradient = quote! {
        let last = &cache.#last;
        let loss = L::value_and_gradient::<T, #last_act>(
            last.preactivation().as_slice(),
            last.output().as_slice(),
            target.as_slice(),
            batch.#last.d[0].as_mut_slice(),
        );
    };
    let network_items = quote! {
        fn backward_in(
            &self,
            x: &Self::Input,
            cache: &#cache<T>,
            d_output: &Self::Output,
            grads: &mut #grad<T>,
            d_input: Option<&mut Self::Input>,
            batch: &mut #batch<T>,
        ) {
            let dz = &mut batch.#last.d[0];
            dz.as_mut_slice().copy_from_slice(d_output.as_slice());
            self.#last.activation_backward(&cache.#last, dz);
            self.backward_layers_in(x, cache, grads, d_input, batch);
        }

        fn loss_backward_in<L: Loss>(
            &self,
            x: &Self::Input,
            cache: &#cache<T>,
            target: &Self::Output,
            grads: &mut #grad<T>,
            d_input: Option<&mut Self::Input>,
            batch: &mut #batch<T>,
        ) -> T {
            #loss_gradient
            self.backward_layers_in(x, cache, grads, d_input, batch);
            loss
        }

        fn loss_backward_set_in<L: Loss>(
            &self,
            x: &Self::Input,
            cache: &#cache<T>,
            target: &Self::Output,
            grads: &mut #grad<T>,
            d_input: Option<&mut Self::Input>,
            batch: &mut #batch<T>,
        ) -> T {
            #loss_gradient
            self.backward_layers_set_in(x, cache, grads, d_input, batch);
            loss
        }

        fn loss_backward_sgd_in<L: Loss>(
            &mut self,
            x: &Self::Input,
            cache: &#cache<T>,
            target: &Self::Output,
            grads: &mut #grad<T>,
            batch: &mut #batch<T>,
            lr: T,
        ) -> (T, bool) {
            #loss_gradient
            if !::dl_core::float::Float::finite(loss) {
                return (loss, false);
            }
            (loss, self.backward_layers_sgd_in(x, cache, grads, batch, lr))
        }
    };
    let inherent = quote! {
        /// Backpropagates the last layer's `dL/dz`, held in `batch`, through every layer, each
        /// layer's output gradient in its batch buffer.
        #[inline]
        fn backward_layers_in(
            &self,
            x: &<Self as Network>::Input,
            cache: &#cache<T>,
            grads: &mut #grad<T>,
            d_input: Option<&mut <Self as Network>::Input>,
            batch: &mut #batch<T>,
        ) {
            #(#backward)*
        }

        /// `backward_layers_in` writing the parameter gradients into `grads` instead of
        /// adding to them (a one-sample training step's backward pass).
        #[inline]
        fn backward_layers_set_in(
            &self,
            x: &<Self as Network>::Input,
            cache: &#cache<T>,
            grads: &mut #grad<T>,
            d_input: Option<&mut <Self as Network>::Input>,
            batch: &mut #batch<T>,
        ) {
            #(#backward_set)*
        }

        /// `backward_layers_set_in` with plain SGD's step on each layer as soon as its
        /// gradient is written (`Layer::backward_preact_sgd`); whether every gradient and new
        /// parameter was finite.
        #[inline]
        fn backward_layers_sgd_in(
            &mut self,
            x: &<Self as Network>::Input,
            cache: &#cache<T>,
            grads: &mut #grad<T>,
            batch: &mut #batch<T>,
            lr: T,
        ) -> bool {
            let d_input: Option<&mut <Self as Network>::Input> = None;
            let mut finite = true;
            #(#backward_sgd)*
            finite
        }
    };

    (network_items, inherent)
}

/// Backward from `batch.<last>.d[0]` (dL/dz of the last layer) to the first layer, each
/// layer's output gradient in its own batch buffer and its parameter gradient by `method`
/// (`backward_preact` or `backward_preact_set`, or their `_in` forms for a layer that works
/// in scratch).
fn backward_steps_in(e: &Emit, method: &str) -> Vec<TokenStream> {
    let fields = &e.fields;
    let mut backward = Vec::new();
    for k in (0..fields.len()).rev() {
        let f = fields[k];
        let (pass, scratch) = e.pass(k, method, quote!(batch));
        // The SGD form also takes the rate and tells whether its step was finite.
        let (sgd, lr) = if method == "backward_preact_sgd" {
            (quote!(finite &=), quote!(, lr))
        } else {
            (quote!(), quote!())
        };
        if k == 0 {
            backward.push(quote! {
                #sgd self.#f.#pass(
                    x, &cache.#f, &batch.#f.d[0], &mut grads.#f, d_input #scratch #lr
                );
            });
        } else {
            let pf = fields[k - 1];
            backward.push(quote! {
                #sgd self.#f.#pass(
                    cache.#pf.output(), &cache.#f, &batch.#f.d[0], &mut grads.#f,
                    Some(&mut batch.#pf.d[0]) #scratch #lr
                );
                self.#pf.activation_backward(&cache.#pf, &mut batch.#pf.d[0]);
            });
        }
    }
    backward
}

/// The `StackCheck` impls (one a scalar type) and the `Zeroable` impls of the generated
/// structs, with the compile-time check that every field is `Zeroable`.
fn checks(e: &Emit) -> TokenStream {
    let (ident, grad, cache, batch) = (e.ident, &e.grad, &e.cache, &e.batch);
    // One impl a scalar type: the const arguments must not depend on a generic `T`.
    let checks = [quote!(f32), quote!(f64)].map(|t| {
        let net = quote!(<#ident<#t> as ::dl_core::network::Network>);
        let verdict = |bytes: TokenStream| {
            quote! {
                ::dl_core::stack::StackUse<
                    { #net::#bytes },
                    { #net::STACK_BUDGET },
                    { #net::#bytes <= #net::STACK_BUDGET },
                >
            }
        };
        let (value, workspace, calls, layers) = (
            verdict(quote!(VALUE_STACK_BYTES)),
            verdict(quote!(WORKSPACE_STACK_BYTES)),
            verdict(quote!(CALL_STACK_BYTES)),
            verdict(quote!(LAYER_STACK_BYTES)),
        );
        quote! {
            impl ::dl_core::stack::StackCheck for #ident<#t> {
                type Value = #value;
                type Workspace = #workspace;
                type Calls = #calls;
                type Layers = #layers;
            }
        }
    });
    // The `Zeroable` impls below are sound because every field is `Zeroable`: checked here.
    let scratch_ty = e.scratch.as_ref().map(|s| &s.ty);
    let field_tys = e.layer_tys.iter().chain(&e.grad_tys).chain(&e.cache_tys);
    let field_tys = field_tys.chain(scratch_ty);
    // Every pass keeps a layer's `LAYER_STACK_BYTES` on the stack, whatever memory it is
    // given: a budget below it is refused where the network is declared (in `f32`; without a
    // heap, the by-value calls' check counts it in the scalar type used).
    let layers_fit = quote_spanned! {ident.span()=>
        const _: () = {
            fn layers_fit<N: ::dl_core::stack::LayersOnStack>() {}
            #[allow(dead_code)]
            fn check() {
                layers_fit::<#ident<f32>>();
            }
        };
    };
    quote! {
        #layers_fit
        const _: () = {
            #[allow(dead_code)]
            fn fields_are_zeroable<T: ::dl_core::float::Float>() {
                #( ::dl_core::zeroed::assert_zeroable::<#field_tys>(); )*
            }
        };
        ::dl_core::zeroable!(
            [T: ::dl_core::float::Float] #ident<T>,
            [T: ::dl_core::float::Float] #grad<T>,
            [T: ::dl_core::float::Float] #cache<T>,
            [T: ::dl_core::float::Float] #batch<T>,
        );
        #(#checks)*
    }
}
