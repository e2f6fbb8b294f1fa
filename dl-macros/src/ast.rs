//! The macro's input, parsed into its own types:
//!
//! ```text
//! #[attrs] vis struct Name {
//!     [input: [C, H, W],]
//!     [name:] Kind<arg, arg, ..., [key = arg, ...]>,
//!     ...
//! }
//! ```
//! An argument is an integer literal, a float literal, a const name or path (`N_IN`,
//! `consts::N`), a const block (`{ HIDDEN / 2 }`), or an activation with optional generic
//! arguments (`LeakyRelu<0.01>`). Which is which is decided by position in `valid`. Named
//! arguments (`stride = 2`, `padding = 1`) follow the positional ones. The optional first
//! entry `input: [C, H, W]` declares an image input, from which `shapes` computes every
//! layer's output shape.

use proc_macro2::{Span, TokenStream};
use quote::ToTokens;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::token::Bracket;
use syn::{braced, bracketed, Attribute, Ident, LitFloat, LitInt, Token, Visibility};

pub struct Input {
    pub attrs: Vec<Attribute>,
    pub vis: Visibility,
    pub ident: Ident,
    pub shape: Option<InputShape>,
    /// `stack_budget: <bytes>,`: the network's own stack budget (`dl_core::stack`).
    pub stack_budget: Option<syn::Expr>,
    pub layers: Vec<LayerDecl>,
}

/// `input: [1, 8, 8]`: the network's input shape, channels, height and width.
pub struct InputShape {
    pub dims: Vec<Arg>,
    /// The whole entry, for spans.
    pub tokens: TokenStream,
}

pub struct LayerDecl {
    pub name: Option<Ident>,
    pub kind: Ident,
    pub args: Vec<Arg>,
    /// The whole declaration `Kind<...>`, for spans and messages.
    pub tokens: TokenStream,
    /// The span of the closing `>` (or of the kind if there are no arguments).
    pub end: Span,
}

pub enum Arg {
    Int(LitInt),
    Float(LitFloat),
    /// `N_IN`, `consts::N`, `Sigmoid`, `LeakyRelu<0.01>`.
    Path(syn::Path),
    /// `{ HIDDEN / 2 }`.
    Block(syn::ExprBlock),
    /// A negative literal, `-1` or `-0.5`.
    Neg(Token![-], Box<Arg>),
    /// `stride = 2`.
    Named(Ident, Token![=], Box<Arg>),
}

impl Parse for Input {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let vis = input.parse()?;
        input.parse::<Token![struct]>()?;
        let ident = input.parse()?;
        let content;
        braced!(content in input);
        let (mut shape, mut stack_budget) = (None, None);
        loop {
            let setting = content.peek(Ident) && content.peek2(Token![:]);
            let key = if setting {
                content.fork().parse::<Ident>()?.to_string()
            } else {
                String::new()
            };
            if key == "input" && content.peek3(Bracket) && shape.is_none() {
                shape = Some(content.parse()?);
            } else if key == "stack_budget" && stack_budget.is_none() {
                content.parse::<Ident>()?;
                content.parse::<Token![:]>()?;
                stack_budget = Some(content.parse()?);
                content.parse::<Token![,]>()?;
            } else {
                break;
            }
        }
        let layers = Punctuated::<LayerDecl, Token![,]>::parse_terminated(&content)?;
        if !input.is_empty() {
            return Err(input.error("unexpected tokens after the network's closing brace"));
        }
        Ok(Input {
            attrs,
            vis,
            ident,
            shape,
            stack_budget,
            layers: layers.into_iter().collect(),
        })
    }
}

impl Parse for InputShape {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let start = input.fork();
        input.parse::<Ident>()?;
        input.parse::<Token![:]>()?;
        let content;
        bracketed!(content in input);
        let dims = Punctuated::<Arg, Token![,]>::parse_terminated(&content)?;
        let tokens = tokens_between(&start, input);
        if !input.is_empty() {
            input.parse::<Token![,]>()?;
        }
        Ok(InputShape {
            dims: dims.into_iter().collect(),
            tokens,
        })
    }
}

impl Parse for LayerDecl {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let name = if input.peek(Ident) && input.peek2(Token![:]) && !input.peek2(Token![::]) {
            let name: Ident = input.parse()?;
            input.parse::<Token![:]>()?;
            Some(name)
        } else {
            None
        };
        let start = input.fork();
        let kind: Ident = input.parse().map_err(|e| {
            syn::Error::new(e.span(), "expected a layer, e.g. `Dense<2, 4, Sigmoid>`")
        })?;
        let mut args = Vec::new();
        let mut end = kind.span();
        if input.peek(Token![<]) {
            input.parse::<Token![<]>()?;
            while !input.peek(Token![>]) {
                args.push(input.parse()?);
                if input.peek(Token![,]) {
                    input.parse::<Token![,]>()?;
                } else if !input.peek(Token![>]) {
                    return Err(input.error("expected `,` or `>` after a layer argument"));
                }
            }
            end = input.parse::<Token![>]>()?.span;
        }
        let tokens = tokens_between(&start, input);
        Ok(LayerDecl {
            name,
            kind,
            args,
            tokens,
            end,
        })
    }
}

impl Parse for Arg {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        if input.peek(LitInt) {
            Ok(Arg::Int(input.parse()?))
        } else if input.peek(LitFloat) {
            Ok(Arg::Float(input.parse()?))
        } else if input.peek(syn::token::Brace) {
            Ok(Arg::Block(input.parse()?))
        } else if input.peek(Ident) && input.peek2(Token![=]) && !input.peek2(Token![==]) {
            Ok(Arg::Named(
                input.parse()?,
                input.parse()?,
                Box::new(input.parse()?),
            ))
        } else if input.peek(Token![-]) {
            Ok(Arg::Neg(input.parse()?, Box::new(input.parse()?)))
        } else if input.peek(Ident) || input.peek(Token![::]) || input.peek(Token![crate]) {
            Ok(Arg::Path(input.call(syn::Path::parse_mod_style).and_then(
                |p| {
                    // re-parse with generics allowed: `LeakyRelu<0.01>`
                    if input.peek(Token![<]) {
                        let mut path = p;
                        let generics: syn::AngleBracketedGenericArguments = input.parse()?;
                        if let Some(last) = path.segments.last_mut() {
                            last.arguments = syn::PathArguments::AngleBracketed(generics);
                        }
                        Ok(path)
                    } else {
                        Ok(p)
                    }
                },
            )?))
        } else {
            Err(input.error(
                "expected a size (an integer, a const name or a `{ const block }`) or an activation",
            ))
        }
    }
}

impl ToTokens for Arg {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        match self {
            Arg::Int(l) => l.to_tokens(tokens),
            Arg::Float(l) => l.to_tokens(tokens),
            Arg::Path(p) => p.to_tokens(tokens),
            Arg::Block(b) => b.to_tokens(tokens),
            Arg::Neg(m, a) => {
                m.to_tokens(tokens);
                a.to_tokens(tokens);
            }
            Arg::Named(name, eq, a) => {
                name.to_tokens(tokens);
                eq.to_tokens(tokens);
                a.to_tokens(tokens);
            }
        }
    }
}

impl Arg {
    /// The argument as a person would write it: `2`, `N_IN`, `{ HIDDEN / 2 }`,
    /// `LeakyRelu<0.01>`.
    pub fn text(&self) -> String {
        tidy(&self.to_token_stream().to_string())
    }
}

impl LayerDecl {
    /// The layer as a person would write it: `Dense<2, 4, Sigmoid>`.
    pub fn text(&self) -> String {
        let args: Vec<String> = self.args.iter().map(Arg::text).collect();
        if args.is_empty() {
            self.kind.to_string()
        } else {
            format!("{}<{}>", self.kind, args.join(", "))
        }
    }
}

/// Removes the spaces `TokenStream::to_string` puts around `<`, `>`, `::` and before `,`.
pub fn tidy(s: &str) -> String {
    s.replace(" < ", "<")
        .replace("< ", "<")
        .replace(" >", ">")
        .replace(" :: ", "::")
        .replace(" ,", ",")
        .replace("- ", "-")
}

/// The tokens consumed between a fork taken at `start` and the current position of `end`.
fn tokens_between(start: ParseStream, end: ParseStream) -> TokenStream {
    let mut out = TokenStream::new();
    let end_cursor = end.cursor();
    let _ = start.step(|cursor| {
        let mut c = *cursor;
        while c != end_cursor {
            match c.token_tree() {
                Some((tt, next)) => {
                    out.extend(std::iter::once(tt));
                    c = next;
                }
                None => break,
            }
        }
        Ok(((), c))
    });
    out
}
