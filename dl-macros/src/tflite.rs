//! `#[tflite("model.tflite")]` on a network: the int8 model its `{Name}I8::TFLITE` imports
//! at compile time. The attribute is taken out of the struct's attributes here; its argument
//! is any expression `include_bytes!` accepts (a literal path, relative to the source file,
//! or `concat!(env!("CARGO_MANIFEST_DIR"), "/m.tflite")`).

use crate::errors::Errors;
use crate::model::TfliteAttr;
use quote::ToTokens;
use syn::Attribute;

/// The attributes without `#[tflite(...)]`, and the one `#[tflite]` if present (a second one
/// is an error).
pub fn take(attrs: &[Attribute], errors: &mut Errors) -> (Vec<Attribute>, Option<TfliteAttr>) {
    let (mut kept, mut found) = (Vec::new(), None);
    for attr in attrs {
        if !attr.path().is_ident("tflite") {
            kept.push(attr.clone());
            continue;
        }
        let path = match attr.parse_args::<syn::Expr>() {
            Ok(path) => path,
            Err(_) => {
                errors.push(
                    attr,
                    "#[tflite] takes the model's path: #[tflite(\"sine.tflite\")]",
                );
                continue;
            }
        };
        if found.is_some() {
            errors.push(
                attr,
                "a network imports one .tflite model; this is a second",
            );
            continue;
        }
        let shown = match &path {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) => s.value(),
            other => crate::ast::tidy(&other.to_token_stream().to_string()),
        };
        found = Some(TfliteAttr {
            path,
            shown,
            tokens: attr.to_token_stream(),
        });
    }
    (kept, found)
}
