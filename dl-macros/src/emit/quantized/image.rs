//! The int8 type's byte image: `BYTES`, `export_bytes` and the `const` `from_bytes`.

use super::{slots, Part};
use proc_macro2::TokenStream;
use quote::quote;

/// The int8 byte image (`dl_core::quant::image`): `BYTES`, `export_bytes`, and the `const`
/// `from_bytes` that `include_network!(NameI8, "file")` runs in the compiler.
pub(super) fn byte_image(parts: &[Part], ident: &syn::Ident, name: &syn::Ident) -> TokenStream {
    let slots = slots(parts);
    let fields: Vec<_> = slots.iter().map(|s| s.0).collect();
    let tys: Vec<_> = slots.iter().map(|s| s.1).collect();
    quote! {
        #[automatically_derived]
        impl #name {
            /// What the image's header says: 1-byte scalars, the float declaration's
            /// fingerprint, the payload's length.
            const LAYOUT: ::dl_core::bytes::Layout = ::dl_core::bytes::Layout {
                scalar_bytes: 1,
                architecture: ::dl_core::bytes::fingerprint(
                    &<#ident<f32> as ::dl_core::network::Network>::SUMMARY,
                ),
                params: 8 #( + <#tys>::IMAGE_BYTES )*,
            };

            /// Bytes of the int8 parameter image (header included).
            pub const BYTES: usize = Self::LAYOUT.bytes();

            /// Writes the int8 image into `out` (exactly [`Self::BYTES`] long).
            pub fn export_bytes(&self, out: &mut [u8]) -> ::core::result::Result<(), ::dl_core::bytes::BytesError> {
                if out.len() != Self::BYTES {
                    return Err(::dl_core::bytes::BytesError::Length { expected: Self::BYTES, found: out.len() });
                }
                let mut w = ::dl_core::quant::image::Writer::new(out, ::dl_core::bytes::HEADER_BYTES);
                w.params(self.input);
                #( self.#fields.write_image(&mut w); )*
                Self::LAYOUT.write_header(out);
                Ok(())
            }

            /// Reads an int8 image: header (magic, version, scalar size, architecture,
            /// length, checksum) then every quantisation parameter checked. `const`, for
            /// `include_network!`.
            pub const fn from_bytes(image: &[u8]) -> ::core::result::Result<Self, ::dl_core::bytes::BytesError> {
                if let Err(e) = Self::LAYOUT.check(image) {
                    return Err(e);
                }
                let mut r = ::dl_core::quant::image::Reader::new(image, ::dl_core::bytes::HEADER_BYTES);
                let input = match r.params() {
                    Ok(p) => p,
                    Err(e) => return Err(e),
                };
                #(
                    let #fields = match <#tys>::read_image(&mut r) {
                        Ok(l) => l,
                        Err(e) => return Err(e),
                    };
                )*
                Ok(#name { input, #( #fields, )* })
            }
        }
    }
}
