//! Collects the macro's errors, each spanned, into one `syn::Error`, so every mistake is
//! reported once and together.

use proc_macro2::Span;
use quote::ToTokens;

#[derive(Default)]
pub struct Errors(Option<syn::Error>);

impl Errors {
    /// An error spanned on `tokens`.
    pub fn push(&mut self, tokens: impl ToTokens, msg: impl std::fmt::Display) {
        self.add(syn::Error::new_spanned(tokens, msg));
    }
    /// An error at `span`.
    pub fn at(&mut self, span: Span, msg: impl std::fmt::Display) {
        self.add(syn::Error::new(span, msg));
    }
    /// How many errors so far.
    pub fn count(&self) -> usize {
        self.0.as_ref().map_or(0, |e| e.into_iter().count())
    }
    /// All of them, or none.
    pub fn into_error(self) -> Option<syn::Error> {
        self.0
    }
    fn add(&mut self, e: syn::Error) {
        match &mut self.0 {
            Some(all) => all.combine(e),
            None => self.0 = Some(e),
        }
    }
}
