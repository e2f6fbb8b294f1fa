//! The int8 type's `.tflite` import: `from_tflite` (a `const fn`: even the Sigmoid and Tanh
//! tables are filled by `const` ports of libm's functions), and, for `#[tflite("m.tflite")]`, the
//! compile-time import `{Name}I8::TFLITE`: `from_tflite` on `include_bytes!`, run by rustc,
//! stopping the build with the error's words at the layer it names.

use super::{fused, Part};
use crate::model::{Activation, Model, QuantForm, TfliteAttr};
use proc_macro2::{Delimiter, Group, Span, TokenStream, TokenTree};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

/// `from_tflite`: the importer asked for each declared layer in order.
pub(super) fn from_tflite(
    parts: &[Part],
    name: &syn::Ident,
    fields: &[&syn::Ident],
) -> TokenStream {
    let doc = "\n\n`const`: `#[tflite(\"m.tflite\")]` on the declaration runs it in the \
               compiler (`Self::TFLITE`).";
    let imports = imports(parts);
    let (new, input, finish) = (
        tri(quote!(::dl_core::tflite::Importer::new(bytes))),
        tri(quote!(model.input_params())),
        tri(quote!(model.finish())),
    );
    quote! {
        /// An int8 `.tflite` model imported into this declaration: every operator, shape,
        /// tensor type and quantisation parameter checked; an error names the layer.
        #[doc = #doc]
        pub const fn from_tflite(bytes: &[u8]) -> ::core::result::Result<Self, ::dl_core::tflite::TfliteError> {
            let mut model = #new;
            let input = #input;
            #imports
            #finish;
            Ok(#name { input, #( #fields, )* })
        }
    }
}

/// `?` as a `const fn` can write it.
fn tri(call: TokenStream) -> TokenStream {
    quote! {
        match #call {
            Ok(v) => v,
            Err(e) => return Err(e),
        }
    }
}

/// `from_tflite`'s calls, one per layer (skipped layers call nothing).
fn imports(parts: &[Part]) -> TokenStream {
    let mut out = TokenStream::new();
    for p in parts {
        let f = &p.layer.field;
        let call = match &p.form {
            QuantForm::Dense(a) => {
                let a = fused(*a);
                quote!(model.dense(#a))
            }
            QuantForm::Conv2D { activation, .. } => {
                let a = fused(*activation);
                quote!(model.conv2d(#a))
            }
            QuantForm::Pool { .. } => quote!(model.pool2d()),
            QuantForm::Flatten => quote!(model.flatten()),
            QuantForm::Skip => {
                out.extend(quote!(model.skip();));
                continue;
            }
        };
        let call = tri(call);
        out.extend(quote!(let #f = #call;));
        if let Some(a) = &p.act {
            let (field, ty) = (&a.field, &a.ty);
            let read = match a.kind {
                Activation::Sigmoid => quote!(sigmoid),
                Activation::Tanh => quote!(tanh),
                _ => quote!(softmax),
            };
            let read = tri(quote!(model.#read()));
            out.extend(quote!(let #field: #ty = #read;));
        }
    }
    out
}

/// `{Name}I8::TFLITE` for `#[tflite(path)]`, and a `const _` that makes rustc evaluate it
/// even when nothing uses it (so `cargo check` shows a mismatch). A failed import panics in
/// the compiler with the error's words, spanned at the layer it names (else at the
/// attribute): `sine.tflite: layer 2 (Dense<16, 8, Relu>): weight rows (outputs) is 16 in
/// the model but 8 in the declaration`.
pub(super) fn compile_time(model: &Model, name: &syn::Ident) -> TokenStream {
    let Some(attr) = &model.tflite else {
        return TokenStream::new();
    };
    let (path, shown) = (&attr.path, &attr.shown);
    let arms = model.layers.iter().map(|l| {
        let (n, text) = (l.number, &l.text);
        let panic = spanned_panic(&l.tokens, quote!(e.message_naming(m, #text)));
        quote!(Some(#n) => #panic,)
    });
    let other = spanned_panic(&attr.tokens, quote!(e.message(m)));
    // A missing file is include_bytes!'s error, at the attribute.
    let bytes = spanned_call(&attr.tokens, quote!(::core::include_bytes!), quote!(#path));
    let at = attr.path.span();
    let named_at = syn::Ident::new(&name.to_string(), at);
    let check = quote_spanned!(at => const _: &#named_at = &#named_at::TFLITE;);
    let doc = format!(
        "`{shown}`, imported at compile time: `from_tflite` run by rustc on the file's bytes, \
         so a model that does not fit the declaration does not build. Only the imported \
         layers reach the binary; `static NET: {name} = {name}::TFLITE;` puts them in flash."
    );
    quote! {
        #[automatically_derived]
        impl #name {
            #[doc = #doc]
            // The import always ends (every loop is bounded by the file's length or the
            // declared sizes), but a large model passes the evaluator's step mark, where
            // this lint would stop the build; rustc still warns ("taking a long time", at
            // 1.6M weights; about 9 us of CPU a weight, tests/fixtures/tflite/compile_time).
            #[allow(long_running_const_eval)]
            pub const TFLITE: #name = match #name::from_tflite(#bytes) {
                Ok(net) => net,
                Err(e) => {
                    let m = ::dl_core::tflite::Message::new().str(#shown).str(": ");
                    match e.layer() {
                        #( #arms )*
                        _ => #other,
                    }
                }
            };
        }

        #check
    }
}

/// `::core::panic!("{}", msg.as_str())` spanned from the first to the last of `tokens`.
fn spanned_panic(tokens: &TokenStream, msg: TokenStream) -> TokenStream {
    spanned_call(tokens, quote!(::core::panic!), quote!("{}", #msg.as_str()))
}

/// `macro_path(args)` spanned from the first to the last of `tokens` (the path and `!`
/// carry the first's span, the parentheses the last's), so that rustc underlines all of
/// them: the layer's declaration, or the attribute.
fn spanned_call(tokens: &TokenStream, macro_path: TokenStream, args: TokenStream) -> TokenStream {
    let spans: Vec<Span> = tokens.clone().into_iter().map(|t| t.span()).collect();
    let (start, end) = match (spans.first(), spans.last()) {
        (Some(&s), Some(&e)) => (s, e),
        _ => (Span::call_site(), Span::call_site()),
    };
    let mut args = Group::new(Delimiter::Parenthesis, args);
    args.set_span(end);
    let mut out: TokenStream = macro_path
        .into_iter()
        .map(|mut t| {
            t.set_span(start);
            t
        })
        .collect();
    out.extend([TokenTree::Group(args)]);
    out
}

/// A compile error at the attribute.
fn error(attr: &TfliteAttr, msg: &str) -> TokenStream {
    syn::Error::new_spanned(&attr.tokens, msg).to_compile_error()
}

/// The compile error for `#[tflite]` on a network without an int8 type.
pub(crate) fn no_int8_type(model: &Model) -> TokenStream {
    match &model.tflite {
        Some(attr) => error(
            attr,
            "#[tflite] needs the network's int8 type, which this network has none of: every \
             layer must have an int8 form (Dense with Relu, Identity, Sigmoid, Tanh or a last \
             Softmax; Conv2D with Relu, Identity, Sigmoid or Tanh; the pools; Flatten; Dropout) and every \
             size must be a literal",
        ),
        None => TokenStream::new(),
    }
}
