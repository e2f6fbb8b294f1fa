//! Reading a layer's arguments: what every layer kind's parser shares. Each message starts
//! with the layer's number and text, `layer 2 (Dense<5, 3, Tahn>): ...`, and is spanned on
//! the argument at fault.

use crate::ast::{Arg, LayerDecl};
use crate::errors::Errors;
use crate::model::{Activation, Dim};
use proc_macro2::Span;
use quote::{quote, quote_spanned, ToTokens};

/// One layer's arguments while its kind reads them.
pub struct Args<'a> {
    pub decl: &'a LayerDecl,
    /// 1-based position in the declaration.
    pub number: usize,
    /// As written: `Dense<2, 4, Sigmoid>`.
    pub text: &'a str,
    pub errors: &'a mut Errors,
}

impl<'a> Args<'a> {
    /// The arguments without a name, then the `name = value` ones.
    pub fn split(&self) -> (Vec<&'a Arg>, Vec<&'a Arg>) {
        self.decl
            .args
            .iter()
            .partition(|a| !matches!(a, Arg::Named(..)))
    }

    /// Reports `msg` on `tokens`, after the layer's number and text.
    pub fn error(&mut self, tokens: impl ToTokens, msg: impl std::fmt::Display) {
        let (number, text) = (self.number, self.text);
        self.errors
            .push(tokens, format!("layer {number} ({text}): {msg}"));
    }

    /// Reports `msg` at the layer's closing `>`: for missing arguments.
    pub fn error_at_end(&mut self, msg: impl std::fmt::Display) {
        let (number, text) = (self.number, self.text);
        self.errors
            .at(self.decl.end, format!("layer {number} ({text}): {msg}"));
    }

    /// A size that must be an integer literal, since shapes are computed from it.
    pub fn literal(&mut self, arg: &Arg, what: &str) -> Option<usize> {
        match arg {
            Arg::Int(lit) if lit.suffix().is_empty() || lit.suffix() == "usize" => {
                match lit.base10_parse::<usize>() {
                    Ok(v) => return Some(v),
                    Err(_) => {
                        self.error(arg, format!("the {what} `{lit}` does not fit in a usize"))
                    }
                }
            }
            Arg::Neg(..) => self.error(arg, format!("the {what} `{}` is negative", arg.text())),
            _ => self.error(
                arg,
                format!(
                    "the {what} must be a plain integer such as `3`, found `{}`; the macro \
                     computes the layer's output shape from it",
                    arg.text()
                ),
            ),
        }
        None
    }

    /// A size of at least 1 (`stride`, `kernel`); 0 is reported and replaced by 1.
    pub fn positive(&mut self, arg: &Arg, what: &str) -> usize {
        match self.literal(arg, what) {
            Some(0) => {
                self.error(arg, format!("the {what} is 0; it must be at least 1"));
                1
            }
            Some(v) => v,
            None => 1,
        }
    }

    /// Reads `name = value` arguments; `allowed` lists the names this layer takes.
    pub fn named<'n>(
        &mut self,
        named: &[&'n Arg],
        allowed: &[&str],
        usage: &str,
    ) -> Vec<(String, &'n Arg)> {
        let mut out: Vec<(String, &Arg)> = Vec::new();
        for arg in named {
            let Arg::Named(key, _, value) = arg else {
                continue;
            };
            let key = key.to_string();
            if !allowed.contains(&key.as_str()) {
                self.error(arg, format!("unknown argument `{key}`; {usage}"));
            } else if out.iter().any(|(k, _)| *k == key) {
                self.error(arg, format!("`{key}` is given twice"));
            } else {
                out.push((key, value));
            }
        }
        out
    }

    /// A size that may be a literal, a const name or a const block (`N_IN`,
    /// `{ HIDDEN / 2 }`): rustc evaluates what the macro cannot. A wrong size is reported
    /// and replaced by 1, marked poisoned so nothing downstream reports it again.
    pub fn dim(&mut self, arg: &Arg, what: &str) -> Dim {
        let span = arg
            .to_token_stream()
            .into_iter()
            .next()
            .map_or_else(Span::call_site, |t| t.span());
        let unread = |tokens| Dim {
            tokens,
            value: None,
            text: arg.text(),
            span,
            poisoned: false,
        };
        let problem = match arg {
            Arg::Int(lit) => match int_dim(lit, what) {
                Ok(v) => return Dim::literal_at(v, lit.span(), span),
                Err(problem) => problem,
            },
            Arg::Path(path) if Activation::NAMES.iter().any(|a| path.is_ident(a)) => format!(
                "the {what} must be a number, found the activation `{}`; Dense's arguments are \
                 <inputs, outputs, activation>",
                arg.text()
            ),
            Arg::Path(path) if path_is_plain(path) => {
                return unread(
                    if path.segments.len() == 1 && path.leading_colon.is_none() {
                        path.to_token_stream()
                    } else {
                        quote!({ #path })
                    },
                )
            }
            Arg::Block(block) => return unread(block.to_token_stream()),
            Arg::Neg(..) => format!(
                "the {what} `{}` is negative; every size must be at least 1",
                arg.text()
            ),
            _ => format!(
                "the {what} must be a whole number, a const name or a `{{ const block }}`, \
                 found `{}`",
                arg.text()
            ),
        };
        self.error(arg, problem);
        Dim {
            tokens: quote_spanned!(span=> 1),
            value: Some(1),
            text: arg.text(),
            span,
            poisoned: true,
        }
    }
}

/// An integer literal as a size, or what is wrong with it.
fn int_dim(lit: &syn::LitInt, what: &str) -> Result<usize, String> {
    match lit.base10_parse::<usize>() {
        Ok(0) => Err(format!("the {what} is 0; every size must be at least 1")),
        Ok(v) if !lit.suffix().is_empty() && lit.suffix() != "usize" => Err(format!(
            "the {what} `{lit}` has the suffix `{}`; write {v} (sizes are usize)",
            lit.suffix()
        )),
        Ok(v) => Ok(v),
        Err(_) if lit.base10_digits().starts_with('-') => Err(format!(
            "the {what} `{lit}` is negative; every size must be at least 1"
        )),
        Err(_) => Err(format!("the {what} `{lit}` does not fit in a usize")),
    }
}

fn path_is_plain(path: &syn::Path) -> bool {
    path.segments
        .iter()
        .all(|s| matches!(s.arguments, syn::PathArguments::None))
}

impl Dim {
    /// A literal size the user wrote, keeping its span for rustc's messages.
    fn literal_at(v: usize, lit: Span, span: Span) -> Dim {
        Dim {
            tokens: syn::LitInt::new(&v.to_string(), lit).into_token_stream(),
            value: Some(v),
            text: v.to_string(),
            span,
            poisoned: false,
        }
    }
}
