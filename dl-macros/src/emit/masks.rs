//! The Dropout layers' mask generators: the `{Name}Masks` struct (one `Rng` a Dropout layer)
//! and its `DropoutMasks` impl, for networks with Dropout; networks without use `()`. They are
//! the state a training run carries from pass to pass, so they live in the workspace beside
//! the caches, never in them.

use super::Emit;
use crate::model::Layer;
use proc_macro2::TokenStream;
use quote::quote;
use syn::LitInt;

impl Emit<'_> {
    /// The Dropout layers, each with its seed constant.
    pub fn masked(&self) -> Vec<(&Layer, u64)> {
        let layers = &self.model.layers;
        layers
            .iter()
            .filter_map(|l| Some((l, l.kind.mask_seed(l)?)))
            .collect()
    }

    /// `Network::Masks`: `{Name}Masks`, or `()` without Dropout layers.
    pub fn masks_ty(&self) -> TokenStream {
        if self.masked().is_empty() {
            quote!(())
        } else {
            let masks = &self.masks;
            quote!(#masks)
        }
    }

    /// The name of `forward_train`'s masks parameter: `_masks` where no layer reads it.
    pub fn masks_param(&self) -> TokenStream {
        if self.masked().is_empty() {
            quote!(_masks)
        } else {
            quote!(masks)
        }
    }
}

/// `struct {Name}Masks` and `impl DropoutMasks for {Name}Masks`; nothing without Dropout.
pub fn masks_items(e: &Emit) -> TokenStream {
    let masked = e.masked();
    if masked.is_empty() {
        return quote!();
    }
    let (ident, masks, vis) = (e.ident, &e.masks, &e.model.vis);
    let fields: Vec<_> = masked.iter().map(|(l, _)| &l.field).collect();
    let seeds: Vec<_> = masked
        .iter()
        .map(|(l, seed)| LitInt::new(&hex(*seed), l.field.span()))
        .collect();
    let docs = masked
        .iter()
        .map(|(l, _)| format!(" The mask generator of layer {}, `{}`.", l.number, l.text));
    let doc = format!(
        " The state of [`{ident}`]'s Dropout layers between training passes: one mask \
         generator a layer, each seeded with its own constant. A `Workspace` holds it."
    );
    quote! {
        #[doc = #doc]
        #[derive(Clone, Debug, PartialEq)]
        #vis struct #masks {
            #( #[doc = #docs] #vis #fields: ::dl_core::rng::Rng, )*
        }

        ::dl_core::zeroable!([] #masks);

        #[automatically_derived]
        impl ::dl_core::layer::DropoutMasks for #masks {
            const START: Self = #masks {
                #( #fields: ::dl_core::rng::Rng::new(#seeds), )*
            };

            fn seed_dropout(&mut self, seed: u64) {
                #( self.#fields = ::dl_core::rng::Rng::new(seed ^ #seeds); )*
            }
        }
    }
}

/// `0xD50F_0000_0000_0005`: a seed as the source would write it.
fn hex(seed: u64) -> String {
    let digits = format!("{seed:016X}");
    let groups: Vec<&str> = (0..4).map(|i| &digits[4 * i..4 * i + 4]).collect();
    format!("0x{}", groups.join("_"))
}
