//! `impl Network for Net`: sizes, the forward passes, backward through the layers, the
//! fused losses, the summary table and the batched pass (`batch`).

use super::Emit;
use crate::model::{lit, Shape};
use proc_macro2::TokenStream;
use quote::quote;

pub fn network_impl(e: &Emit) -> TokenStream {
    let (ident, grad, cache, fields) = (e.ident, &e.grad, &e.cache, &e.fields);
    let input_dim = &e.model.input.flat.tokens;
    let output_dim = &e.last.outputs().tokens;
    let n_layers = lit(e.model.layers.len());
    let (layer_tys, masks) = (&e.layer_tys, e.masks_ty());
    let forward = forward_items(e);
    let losses = loss_items(e);
    let summary = summary(e);
    let batch = super::batch::batch_items(e);
    let stack = super::stack::stack(e).network_items;
    let scratch_zero = e.scratch_zero();
    quote! {
        #[automatically_derived]
        impl<T: Float> Network for #ident<T> {
            type Scalar = T;
            type Input = SVector<T, #input_dim>;
            type Output = SVector<T, #output_dim>;
            type Cache = #cache<T>;
            type Gradient = #grad<T>;
            type Masks = #masks;

            const INPUTS: usize = #input_dim;
            const OUTPUTS: usize = #output_dim;
            const LAYERS: usize = #n_layers;
            const CACHE_ZERO: #cache<T> = #cache {
                #( #fields: <#layer_tys as Layer<T>>::CACHE_ZERO, )*
                #scratch_zero
            };

            fn init(&mut self, seed: u64) {
                let mut rng = Rng::new(seed);
                #( self.#fields.init(&mut rng); )*
            }

            #forward
            #losses
            #summary
            #batch
            #stack
        }
    }
}

/// `forward`, `forward_train`, `forward_eval` (networks with Dropout) and `output`.
fn forward_items(e: &Emit) -> TokenStream {
    let (cache, fields, last) = (&e.cache, &e.fields, &e.last.field);
    let srcs = (0..fields.len()).map(|k| if k == 0 { quote!(x) } else { quote!(&x) });
    let forward_train = cache_pass(e, "forward_train");
    let (masks, masks_param) = (e.masks_ty(), e.masks_param());
    let forward_eval = if !e.masked().is_empty() {
        let steps = cache_pass(e, "forward_eval");
        quote! {
            #[inline]
            fn forward_eval(&self, x: &Self::Input, cache: &mut #cache<T>) {
                #(#steps)*
            }
        }
    } else {
        quote!()
    };
    quote! {
        #[inline]
        fn forward_on_stack(&self, x: &Self::Input) -> Self::Output {
            #( let x = self.#fields.forward(#srcs); )*
            x
        }

        #[inline]
        fn forward_train(&self, x: &Self::Input, cache: &mut #cache<T>, #masks_param: &mut #masks) {
            #(#forward_train)*
        }

        #forward_eval

        #[inline]
        fn output(cache: &#cache<T>) -> &Self::Output {
            cache.#last.output()
        }
    }
}

/// The passes that fill the cache, layer by layer: `forward_train`, where each Dropout layer
/// first draws its mask, or `forward_eval`.
fn cache_pass(e: &Emit, method: &str) -> Vec<TokenStream> {
    let fields = &e.fields;
    let train = method == "forward_train";
    let layers = &e.model.layers;
    (0..fields.len())
        .map(|k| {
            let f = fields[k];
            let (method, scratch) = e.pass(k, method, quote!(cache));
            let draw = (train && layers[k].kind.mask_seed(&layers[k]).is_some())
                .then(|| quote! { self.#f.draw_mask(&mut masks.#f, &mut cache.#f); });
            let input = if k == 0 {
                quote!(x)
            } else {
                let pf = fields[k - 1];
                quote!(cache.#pf.output())
            };
            quote! {
                #draw
                self.#f.#method(#input, &mut cache.#f #scratch);
            }
        })
        .collect()
}

/// `backward`, `loss` and `loss_backward`: the last layer's activation, then every layer
/// through `backward_layers`.
fn loss_items(e: &Emit) -> TokenStream {
    let (grad, cache, last) = (&e.grad, &e.cache, &e.last.field);
    let last_act = e.last_activation();
    // The loss and its gradient `dz` at the last layer's pre-activations.
    let loss_gradient = quote! {
        let last = &cache.#last;
        let mut dz = <Self::Output as Vector<T>>::ZERO;
        let loss = L::value_and_gradient::<T, #last_act>(
            last.preactivation().as_slice(),
            last.output().as_slice(),
            target.as_slice(),
            dz.as_mut_slice(),
        );
    };
    quote! {
        fn backward_on_stack(
            &self,
            x: &Self::Input,
            cache: &#cache<T>,
            d_output: &Self::Output,
            grads: &mut #grad<T>,
            d_input: Option<&mut Self::Input>,
        ) {
            let mut dz = *d_output;
            self.#last.activation_backward(&cache.#last, &mut dz);
            self.backward_layers(x, cache, &dz, grads, d_input);
        }

        #[inline]
        fn loss<L: Loss>(cache: &#cache<T>, target: &Self::Output) -> T {
            let last = &cache.#last;
            L::value::<T, #last_act>(
                last.preactivation().as_slice(),
                last.output().as_slice(),
                target.as_slice(),
            )
        }

        #[inline]
        fn loss_backward_on_stack<L: Loss>(
            &self,
            x: &Self::Input,
            cache: &#cache<T>,
            target: &Self::Output,
            grads: &mut #grad<T>,
            d_input: Option<&mut Self::Input>,
        ) -> T {
            #loss_gradient
            self.backward_layers(x, cache, &dz, grads, d_input);
            loss
        }

        #[inline]
        fn loss_backward_set_on_stack<L: Loss>(
            &self,
            x: &Self::Input,
            cache: &#cache<T>,
            target: &Self::Output,
            grads: &mut #grad<T>,
            d_input: Option<&mut Self::Input>,
        ) -> T {
            #loss_gradient
            self.backward_layers_set(x, cache, &dz, grads, d_input);
            loss
        }
    }
}

/// `SUMMARY`: one row a layer, with its output shape and parameter count.
fn summary(e: &Emit) -> TokenStream {
    let name = e.ident.to_string();
    let input_shape = shape_dims(&e.model.input);
    let rows = e.model.layers.iter().map(|l| {
        let field = l.field.to_string();
        let text = &l.text;
        let out = shape_dims(&l.output);
        let params = l.kind.param_count(l);
        quote! {
            LayerInfo { name: #field, layer: #text, output: &[#out], params: #params },
        }
    });
    quote! {
        const SUMMARY: Summary = Summary {
            name: #name,
            input: &[#input_shape],
            layers: &[ #(#rows)* ],
            scalar_bytes: ::core::mem::size_of::<T>(),
        };
    }
}

/// A shape's sizes for `summary()`: `8, 4, 4` for an image, the length for a vector.
fn shape_dims(shape: &Shape) -> TokenStream {
    match shape.image {
        Some(dims) => {
            let dims = dims.map(lit);
            quote!(#(#dims),*)
        }
        None => shape.flat.tokens.clone(),
    }
}
