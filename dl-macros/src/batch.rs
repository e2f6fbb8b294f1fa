//! Emits the batched training pass: the `{Name}Batch` buffers struct and the `Network` items
//! `Batch`, `BATCH`, `BATCH_ZERO` and `loss_backward_batch`. Each layer runs its own batched
//! methods (`forward_train_batch`, `activation_backward_batch`, `backward_preact_batch`), so a
//! layer kind without a batched kernel still works through the trait's per-sample defaults.

use crate::valid::{Kind, Model};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// What `expand` splices in: the struct (item position) and the items of `impl Network`.
pub struct Batched {
    pub item: TokenStream,
    pub network_items: TokenStream,
}

/// `layer_tys[k]` is layer `k`'s type, `last_act` the last layer's activation type.
pub fn batched(model: &Model, layer_tys: &[TokenStream], last_act: &TokenStream) -> Batched {
    let Model { vis, ident, .. } = model;
    let batch = format_ident!("{}Batch", ident);
    let grad = format_ident!("{}Gradient", ident);
    let fields: Vec<_> = model.layers.iter().map(|l| &l.field).collect();
    let n_layers = fields.len();

    // Dense layers have batched kernels; anything else runs sample by sample, for which one
    // sample's buffers are enough.
    #[allow(unreachable_patterns)]
    let all_dense = model
        .layers
        .iter()
        .all(|l| matches!(l.kind, Kind::Dense { .. }));
    let chunk = if all_dense {
        quote!(::dl_core::batch::BATCH)
    } else {
        quote!(1)
    };

    let mut forward = Vec::new();
    for k in 0..n_layers {
        let f = fields[k];
        let input = if k == 0 {
            quote!(xs)
        } else {
            let pf = fields[k - 1];
            quote!(&Outputs(&batch.#pf.caches[..n]))
        };
        forward.push(quote! {
            self.#f.forward_train_batch(#input, &mut batch.#f.caches[..n]);
        });
    }

    let mut backward = Vec::new();
    for k in (0..n_layers).rev() {
        let f = fields[k];
        if k == 0 {
            backward.push(quote! {
                self.#f.backward_preact_batch(
                    xs, &batch.#f.caches[..n], &batch.#f.d[..n], &mut grads.#f, None,
                );
            });
        } else {
            let pf = fields[k - 1];
            backward.push(quote! {
                self.#f.backward_preact_batch(
                    &Outputs(&batch.#pf.caches[..n]),
                    &batch.#f.caches[..n],
                    &batch.#f.d[..n],
                    &mut grads.#f,
                    Some(&mut batch.#pf.d[..n]),
                );
                self.#pf.activation_backward_batch(&batch.#pf.caches[..n], &mut batch.#pf.d[..n]);
            });
        }
    }
    let last = fields[n_layers - 1];

    let doc = format!(
        "The buffers of [`{ident}`]'s batched training pass: each layer's caches and output \
         gradients for `Network::BATCH` samples."
    );
    let item = quote! {
        #[doc = #doc]
        #vis struct #batch<T: ::dl_core::float::Float = f32> {
            #( #vis #fields: ::dl_core::batch::LayerBatch<T, #layer_tys, { #chunk }>, )*
        }
    };
    // Dropout layers start their masks from their own seeds, as in the network's cache.
    let zeros = model
        .layers
        .iter()
        .zip(layer_tys)
        .map(|(l, ty)| match l.kind {
            Kind::Dropout(_) => {
                let seed = l.dropout_seed();
                quote! {
                    ::dl_core::batch::LayerBatch {
                        caches: [const { ::dl_core::layer::DropoutCache::seeded(#seed) }; #chunk],
                        d: [const { <<#ty as Layer<T>>::Output as Vector<T>>::ZERO }; #chunk],
                    }
                }
            }
            _ => quote!(::dl_core::batch::LayerBatch::ZERO),
        });
    let network_items = quote! {
        type Batch = #batch<T>;
        const BATCH: usize = #chunk;
        const BATCH_ZERO: #batch<T> = #batch {
            #( #fields: #zeros, )*
        };

        fn loss_backward_batch<L: Loss>(
            &self,
            xs: &[Self::Input],
            ys: &[Self::Output],
            batch: &mut #batch<T>,
            grads: &mut #grad<T>,
        ) -> T {
            use ::dl_core::batch::Outputs;
            let n = xs.len().min(ys.len()).min(#chunk);
            let (xs, ys) = (&xs[..n], &ys[..n]);
            #(#forward)*
            let mut loss = T::ZERO;
            let last = batch.#last.caches[..n].iter().zip(ys).zip(&mut batch.#last.d[..n]);
            for ((cache, y), dz) in last {
                loss += L::value_and_gradient::<T, #last_act>(
                    cache.preactivation().as_slice(),
                    cache.output().as_slice(),
                    y.as_slice(),
                    dz.as_mut_slice(),
                );
            }
            #(#backward)*
            loss
        }
    };
    Batched {
        item,
        network_items,
    }
}
