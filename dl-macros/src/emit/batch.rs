//! The batched training pass: the `{Name}Batch` buffers struct and the `Network` items
//! `Batch`, `BATCH`, `BATCH_ZERO` and `loss_backward_batch`. Each layer runs its own batched
//! methods (`forward_train_batch`, `activation_backward_batch`, `backward_preact_batch`), so a
//! layer kind without a batched kernel still works through the trait's per-sample defaults.

use super::Emit;
use proc_macro2::TokenStream;
use quote::quote;

/// How many samples the batched pass takes at once: `batch::chunk` of the layers' output
/// sizes (`batch::BATCH`, or fewer where that many samples' buffers would be too large) when
/// every layer runs a batch; otherwise (Dropout, whose per-sample masks are drawn from one
/// seed) the layers run sample by sample, for which one sample's buffers are enough.
fn chunk(e: &Emit) -> TokenStream {
    if e.model.layers.iter().all(|l| l.kind.batched()) {
        let outputs = super::sum(e.model.layers.iter().map(|l| &l.output.flat.tokens));
        quote!(::dl_core::batch::chunk(#outputs))
    } else {
        quote!(1)
    }
}

/// The `{Name}Batch` struct: each layer's caches and output gradients.
pub fn batch_struct(e: &Emit) -> TokenStream {
    let (ident, batch, fields, layer_tys) = (e.ident, &e.batch, &e.fields, &e.layer_tys);
    let vis = &e.model.vis;
    // A const argument that is not a literal goes in braces.
    let chunk = match chunk(e) {
        one if one.to_string() == "1" => one,
        call => quote!({ #call }),
    };
    let scratch = super::structs::scratch_field(e);
    let doc = format!(
        " The buffers of [`{ident}`]'s batched training pass: each layer's caches and output \
         gradients for `Network::BATCH` samples."
    );
    quote! {
        #[doc = #doc]
        #vis struct #batch<T: ::dl_core::float::Float = f32> {
            #( #vis #fields: ::dl_core::batch::LayerBatch<T, #layer_tys, #chunk>, )*
            #scratch
        }
    }
}

/// The batch items of `impl Network`.
pub fn batch_items(e: &Emit) -> TokenStream {
    let (batch, grad, fields) = (&e.batch, &e.grad, &e.fields);
    let chunk = chunk(e);
    let last = &e.last.field;
    let last_act = e.last_activation();
    let (masks, masks_param) = (e.masks_ty(), e.masks_param());
    let (forward, backward) = (batch_forward(e), batch_backward(e));
    let scratch_zero = e.scratch_zero();
    quote! {
        type Batch = #batch<T>;
        const BATCH: usize = #chunk;
        const BATCH_ZERO: #batch<T> = #batch {
            #( #fields: ::dl_core::batch::LayerBatch::ZERO, )*
            #scratch_zero
        };

        fn loss_backward_batch<L: Loss>(
            &self,
            xs: &[Self::Input],
            ys: &[Self::Output],
            batch: &mut #batch<T>,
            #masks_param: &mut #masks,
            grads: &mut #grad<T>,
        ) -> T {
            use ::dl_core::batch::Outputs;
            let n = xs.len().min(ys.len()).min(Self::BATCH);
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
    }
}

/// Each layer's batched training forward, reading the previous layer's cached outputs; a
/// Dropout layer first draws each sample's mask, in sample order.
fn batch_forward(e: &Emit) -> Vec<TokenStream> {
    let (fields, layers) = (&e.fields, &e.model.layers);
    (0..fields.len())
        .map(|k| {
            let f = fields[k];
            let draw = layers[k].kind.mask_seed(&layers[k]).is_some().then(|| {
                quote! {
                    for cache in &mut batch.#f.caches[..n] {
                        self.#f.draw_mask(&mut masks.#f, cache);
                    }
                }
            });
            let input = if k == 0 {
                quote!(xs)
            } else {
                let pf = fields[k - 1];
                quote!(&Outputs(&batch.#pf.caches[..n]))
            };
            let (pass, scratch) = e.pass(k, "forward_train_batch", quote!(batch));
            quote! {
                #draw
                self.#f.#pass(#input, &mut batch.#f.caches[..n] #scratch);
            }
        })
        .collect()
}

/// Each layer's batched backward, last to first.
fn batch_backward(e: &Emit) -> Vec<TokenStream> {
    let fields = &e.fields;
    (0..fields.len())
        .rev()
        .map(|k| {
            let f = fields[k];
            let (pass, scratch) = e.pass(k, "backward_preact_batch", quote!(batch));
            if k == 0 {
                return quote! {
                    self.#f.#pass(
                        xs, &batch.#f.caches[..n], &batch.#f.d[..n], &mut grads.#f, None #scratch
                    );
                };
            }
            let pf = fields[k - 1];
            quote! {
                self.#f.#pass(
                    &Outputs(&batch.#pf.caches[..n]),
                    &batch.#f.caches[..n],
                    &batch.#f.d[..n],
                    &mut grads.#f,
                    Some(&mut batch.#pf.d[..n])
                    #scratch
                );
                self.#pf.activation_backward_batch(&batch.#pf.caches[..n], &mut batch.#pf.d[..n]);
            }
        })
        .collect()
}
