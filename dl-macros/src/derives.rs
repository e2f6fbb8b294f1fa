//! The attributes a user puts on the network: derives are checked here, everything else
//! (doc comments, `#[repr]`, `#[allow]`, `#[cfg_attr]`) passes through to the struct.
//!
//! The macro derives `Clone`, `Debug` and `PartialEq` itself; a user's derive of those is
//! merged with them rather than emitted twice (which would be E0119, conflicting
//! implementations). Any other derive would need every layer type to implement the trait,
//! which they do not, so it is refused with a spanned message saying why and what to use.

use crate::errors::Errors;
use syn::punctuated::Punctuated;
use syn::{Attribute, Path, Token};

/// The traits the macro derives for the network struct.
pub const DERIVED: [&str; 3] = ["Clone", "Debug", "PartialEq"];

/// The attributes to emit on the struct: the user's own without their derives (the macro
/// emits one `#[derive(Clone, Debug, PartialEq)]` that includes those it accepts).
pub fn check(attrs: &[Attribute], errors: &mut Errors) -> Vec<Attribute> {
    let mut kept = Vec::new();
    for attr in attrs {
        if !attr.path().is_ident("derive") {
            kept.push(attr.clone());
            continue;
        }
        match attr.parse_args_with(Punctuated::<Path, Token![,]>::parse_terminated) {
            Ok(paths) => paths.iter().for_each(|path| check_derive(path, errors)),
            Err(e) => errors.push(attr, format!("cannot read this derive: {e}")),
        }
    }
    kept
}

/// Accepts a derive the macro makes anyway; refuses the others, saying why.
fn check_derive(path: &Path, errors: &mut Errors) {
    let Some(last) = path.segments.last() else {
        return;
    };
    let name = last.ident.to_string();
    if DERIVED.contains(&name.as_str()) {
        return;
    }
    let why = match name.as_str() {
        "Serialize" | "Deserialize" => {
            "serde cannot see inside the layer types; save and load the weights with \
             `ParamBytes` (`export_bytes`, `from_bytes`) or `dl_core::safetensors`, which check \
             the architecture and every value"
        }
        "Copy" => {
            "a network holds weight matrices, which are copied only by an explicit `.clone()` \
             (the macro derives `Clone`)"
        }
        "Default" => {
            "a network has no default weights; use `Net::new(seed)` for drawn weights or \
             `<Net as Params<T>>::ZERO` for zeros"
        }
        "Eq" | "Hash" | "PartialOrd" | "Ord" => {
            "the weights are floats, which have no total equality, order or hash"
        }
        _ => "it would need every layer type to implement it",
    };
    errors.push(
        path,
        format!(
            "`#[derive({name})]` cannot apply to a network: {why}; the macro derives Clone, \
             Debug and PartialEq itself"
        ),
    );
}
