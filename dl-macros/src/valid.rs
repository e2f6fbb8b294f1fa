//! Checks the parsed network and resolves it into a [`Model`] that `expand` can emit without
//! further questions. Every mistake becomes a spanned error in plain words; all of them are
//! combined so the user sees each once. Where the input is wrong the model still gets a
//! best-effort fallback (an unknown activation becomes `Identity`, a zero size becomes 1, a
//! layer's input size follows the previous layer's output), so one mistake gives one error.

use crate::ast::{Arg, Input, LayerDecl};
use crate::shapes;
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned, ToTokens};
use syn::{Attribute, Ident, Visibility};

pub struct Model {
    pub attrs: Vec<Attribute>,
    pub vis: Visibility,
    pub ident: Ident,
    /// The network's input shape: the declared `input: [C, H, W]`, else the first layer's.
    pub input: Shape,
    pub layers: Vec<Layer>,
    /// Boundaries whose sizes the macro could not evaluate; rustc checks them.
    pub links: Vec<Link>,
    /// Non-literal sizes that must be checked to be non-zero.
    pub nonzero: Vec<(Dim, String)>,
}

pub struct Layer {
    pub field: Ident,
    /// 1-based position in the declaration.
    pub number: usize,
    /// The shape the layer receives (the previous layer's output) and the one it produces.
    pub input: Shape,
    pub output: Shape,
    /// The input size the generated type uses: the previous layer's output size (the user's
    /// own for the first layer), so a mismatch is reported once and never cascades.
    pub chained_inputs: TokenStream,
    /// As written: `Dense<2, 4, Sigmoid>`.
    pub text: String,
    pub kind: Kind,
}

pub enum Kind {
    Dense {
        inputs: Dim,
        outputs: Dim,
        activation: Activation,
    },
    Conv2D {
        in_channels: usize,
        out_channels: usize,
        kernel: usize,
        stride: usize,
        padding: usize,
        activation: Activation,
        /// False if an argument was wrong and replaced by a fallback.
        exact: bool,
    },
    MaxPool2D(Pool),
    AvgPool2D(Pool),
    Flatten,
    Dropout(f64),
}

#[derive(Clone, Copy)]
pub struct Pool {
    pub kernel: usize,
    pub stride: usize,
    /// False if an argument was wrong and replaced by a fallback.
    pub exact: bool,
}

/// A shape between layers: a vector, or an image whose sizes the macro knows.
#[derive(Clone)]
pub struct Shape {
    /// `[channels, height, width]` for an image.
    pub image: Option<[usize; 3]>,
    /// The flat length (`C * H * W` for an image), as the generated vectors use it.
    pub flat: Dim,
    /// False after a shape error upstream: the sizes are a fallback and are not checked.
    pub exact: bool,
}

#[derive(Clone)]
pub struct Dim {
    /// Tokens for a const-generic position (`4`, `N_IN`, `{ HIDDEN / 2 }`).
    pub tokens: TokenStream,
    /// The value, if the macro can read it.
    pub value: Option<usize>,
    pub text: String,
    pub span: Span,
    /// The size was wrong and already reported; links through it are not checked again.
    pub poisoned: bool,
}

#[derive(Clone, Copy, PartialEq)]
pub enum Activation {
    Identity,
    Sigmoid,
    Tanh,
    Relu,
    LeakyRelu(f64),
    Softmax,
}

pub struct Link {
    /// 1-based numbers of the layer and the one before it.
    pub layer: usize,
    pub previous: usize,
    pub produces: Dim,
    pub expects: Dim,
}

const ACTIVATIONS: &str = "Identity, Sigmoid, Tanh, Relu, LeakyRelu<slope> or Softmax";
const ACTIVATION_NAMES: [&str; 6] = [
    "Identity",
    "Sigmoid",
    "Tanh",
    "Relu",
    "LeakyRelu",
    "Softmax",
];
const LAYERS: &str = "Dense<inputs, outputs, activation>, \
    Conv2D<in_channels, out_channels, kernel, activation>, MaxPool2D<kernel>, AvgPool2D<kernel>, \
    Flatten and Dropout<rate>";

/// Collects errors, each spanned, into one `syn::Error`.
#[derive(Default)]
pub struct Errors(Option<syn::Error>);

impl Errors {
    pub fn push(&mut self, tokens: impl ToTokens, msg: impl std::fmt::Display) {
        self.add(syn::Error::new_spanned(tokens, msg));
    }
    pub fn at(&mut self, span: Span, msg: impl std::fmt::Display) {
        self.add(syn::Error::new(span, msg));
    }
    /// How many errors so far.
    pub fn count(&self) -> usize {
        self.0.as_ref().map_or(0, |e| e.into_iter().count())
    }
    fn add(&mut self, e: syn::Error) {
        match &mut self.0 {
            Some(all) => all.combine(e),
            None => self.0 = Some(e),
        }
    }
}

pub fn check(input: &Input) -> (Model, Option<syn::Error>) {
    let mut errors = Errors::default();
    if input.layers.is_empty() {
        errors.push(
            &input.ident,
            format!(
                "network `{}` has no layers; declare at least one, e.g. `Dense<2, 1, Sigmoid>`",
                input.ident
            ),
        );
    }

    let count = input.layers.len();
    let mut layers: Vec<Layer> = Vec::new();
    let mut nonzero = Vec::new();
    for (i, decl) in input.layers.iter().enumerate() {
        let number = i + 1;
        let field = field_name(input, i, &mut errors);
        if let Some(kind) = check_layer(decl, number, number == count, &mut errors) {
            let text = decl.text();
            let dims = match &kind {
                Kind::Dense {
                    inputs, outputs, ..
                } => vec![inputs, outputs],
                _ => vec![],
            };
            for dim in dims {
                let seen = nonzero
                    .iter()
                    .any(|(d, _): &(Dim, String)| d.text == dim.text);
                if dim.value.is_none() && !seen {
                    nonzero.push((
                        dim.clone(),
                        format!(
                            "layer {number} ({text}): the size `{}` must be at least 1",
                            dim.text
                        ),
                    ));
                }
            }
            // Shapes and `chained_inputs` are filled in by `shapes::propagate`.
            layers.push(Layer {
                field,
                number,
                input: Shape::unknown(),
                output: Shape::unknown(),
                chained_inputs: TokenStream::new(),
                text,
                kind,
            });
        }
    }
    let (model_input, layers) = shapes::propagate(input, layers, &mut errors);

    let mut links = Vec::new();
    for k in 1..layers.len() {
        let (prev, this) = (&layers[k - 1], &layers[k]);
        let dense = matches!(this.kind, Kind::Dense { .. });
        if !dense || prev.output.image.is_some() || !prev.output.exact {
            continue; // image shapes and the layers without a declared size: `shapes`
        }
        let produces = prev.outputs();
        let expects = this.inputs();
        let (layer, previous) = (number_of(input, this), number_of(input, prev));
        if produces.poisoned || expects.poisoned {
            continue;
        }
        match (produces.value, expects.value) {
            (Some(p), Some(e)) if p != e => errors.push(
                input.layers[layer - 1].tokens.clone(),
                format!(
                    "layer {layer} ({}) expects {e} inputs but layer {previous} ({}) produces {p}{}",
                    this.text,
                    prev.text,
                    shapes::flattened_from(&prev.input)
                ),
            ),
            (Some(_), Some(_)) => {}
            _ => links.push(Link {
                layer,
                previous,
                produces: produces.clone(),
                expects: expects.clone(),
            }),
        }
    }

    let model = Model {
        attrs: input.attrs.clone(),
        vis: input.vis.clone(),
        ident: input.ident.clone(),
        input: model_input,
        layers,
        links,
        nonzero,
    };
    (model, errors.0)
}

/// The field name of layer `i` (0-based): its own name, or `layer{i + 1}`. A name used twice
/// is reported, and the second use falls back to the positional name.
fn field_name(input: &Input, i: usize, errors: &mut Errors) -> Ident {
    let positional = format_ident!("layer{}", i + 1);
    let Some(name) = &input.layers[i].name else {
        return positional;
    };
    match input.layers[..i]
        .iter()
        .position(|d| d.name.as_ref() == Some(name))
    {
        Some(j) => {
            errors.push(
                name,
                format!(
                    "layer {} is named `{name}`, like layer {}; layer names must differ",
                    i + 1,
                    j + 1
                ),
            );
            positional
        }
        None => name.clone(),
    }
}

/// The 1-based position of a resolved layer in the declaration.
fn number_of(input: &Input, layer: &Layer) -> usize {
    (0..input.layers.len())
        .position(|i| field_name(input, i, &mut Errors::default()) == layer.field)
        .map_or(0, |i| i + 1)
}

impl Layer {
    /// The input size as declared (Dense), else as received.
    pub fn inputs(&self) -> &Dim {
        match &self.kind {
            Kind::Dense { inputs, .. } => inputs,
            _ => &self.input.flat,
        }
    }
    /// The flat output size.
    pub fn outputs(&self) -> &Dim {
        &self.output.flat
    }
    /// The seed a Dropout layer's masks start from: a constant mixed with its position.
    pub fn dropout_seed(&self) -> u64 {
        0xD50F_0000_0000_0000 ^ self.number as u64
    }

    /// The activation applied to the layer's output (Identity for layers without one).
    pub fn activation(&self) -> Activation {
        match &self.kind {
            Kind::Dense { activation, .. } | Kind::Conv2D { activation, .. } => *activation,
            _ => Activation::Identity,
        }
    }
}

fn check_layer(decl: &LayerDecl, number: usize, last: bool, errors: &mut Errors) -> Option<Kind> {
    let text = decl.text();
    match decl.kind.to_string().as_str() {
        "Dense" => {}
        "Conv2D" | "MaxPool2D" | "AvgPool2D" | "Flatten" | "Dropout" => {
            return shapes::check_args(decl, number, last, errors)
        }
        other => {
            errors.push(
                &decl.kind,
                format!("layer {number}: unknown layer `{other}`; the layers are {LAYERS}"),
            );
            return None;
        }
    }
    let n = decl.args.len();
    if n < 3 {
        let missing = ["inputs", "outputs", "activation"][n..].join(", ");
        errors.at(
            decl.end,
            format!(
                "layer {number} ({text}): Dense takes 3 arguments, <inputs, outputs, activation>, \
                 but {n} {} given; missing: {missing}",
                if n == 1 { "is" } else { "are" }
            ),
        );
        return None;
    }
    for extra in &decl.args[3..] {
        errors.push(
            extra,
            format!(
                "layer {number} ({text}): Dense takes 3 arguments, <inputs, outputs, activation>; \
                 `{}` is one too many",
                extra.text()
            ),
        );
    }
    let inputs = check_dim(&decl.args[0], number, &text, "input size", errors);
    let outputs = check_dim(&decl.args[1], number, &text, "output size", errors);
    let activation = check_activation(&decl.args[2], number, &text, last, errors);
    Some(Kind::Dense {
        inputs,
        outputs,
        activation,
    })
}

pub fn check_dim(arg: &Arg, number: usize, text: &str, what: &str, errors: &mut Errors) -> Dim {
    let span = arg
        .to_token_stream()
        .into_iter()
        .next()
        .map_or_else(Span::call_site, |t| t.span());
    let fallback = |errors: &mut Errors, msg: String| {
        errors.push(arg, msg);
        Dim {
            tokens: quote_spanned!(span=> 1),
            value: Some(1),
            text: arg.text(),
            span,
            poisoned: true,
        }
    };
    match arg {
        Arg::Int(lit) => match lit.base10_parse::<usize>() {
            Ok(0) => fallback(
                errors,
                format!("layer {number} ({text}): the {what} is 0; every size must be at least 1"),
            ),
            Ok(v) if !lit.suffix().is_empty() && lit.suffix() != "usize" => fallback(
                errors,
                format!(
                    "layer {number} ({text}): the {what} `{lit}` has the suffix `{}`; write {v} \
                     (sizes are usize)",
                    lit.suffix()
                ),
            ),
            Ok(v) => Dim {
                tokens: syn::LitInt::new(&v.to_string(), lit.span()).into_token_stream(),
                value: Some(v),
                text: v.to_string(),
                span,
                poisoned: false,
            },
            Err(_) if lit.base10_digits().starts_with('-') => fallback(
                errors,
                format!(
                    "layer {number} ({text}): the {what} `{lit}` is negative; every size must be at least 1"
                ),
            ),
            Err(_) => fallback(
                errors,
                format!("layer {number} ({text}): the {what} `{lit}` does not fit in a usize"),
            ),
        },
        Arg::Path(path) if ACTIVATION_NAMES.iter().any(|a| path.is_ident(a)) => fallback(
            errors,
            format!(
                "layer {number} ({text}): the {what} must be a number, found the activation `{}`; \
                 Dense's arguments are <inputs, outputs, activation>",
                arg.text()
            ),
        ),
        Arg::Path(path) if path_is_plain(path) => {
            let tokens = if path.segments.len() == 1 && path.leading_colon.is_none() {
                path.to_token_stream()
            } else {
                quote!({ #path })
            };
            Dim {
                tokens,
                value: None,
                text: arg.text(),
                span,
                poisoned: false,
            }
        }
        Arg::Block(block) => Dim {
            tokens: block.to_token_stream(),
            value: None,
            text: arg.text(),
            span,
            poisoned: false,
        },
        Arg::Neg(..) => fallback(
            errors,
            format!(
                "layer {number} ({text}): the {what} `{}` is negative; every size must be at least 1",
                arg.text()
            ),
        ),
        _ => fallback(
            errors,
            format!(
                "layer {number} ({text}): the {what} must be a whole number, a const name or a \
                 `{{ const block }}`, found `{}`",
                arg.text()
            ),
        ),
    }
}

fn path_is_plain(path: &syn::Path) -> bool {
    path.segments
        .iter()
        .all(|s| matches!(s.arguments, syn::PathArguments::None))
}

pub fn check_activation(
    arg: &Arg,
    number: usize,
    text: &str,
    last: bool,
    errors: &mut Errors,
) -> Activation {
    let Arg::Path(path) = arg else {
        errors.push(
            arg,
            format!(
                "layer {number} ({text}): the third argument of Dense is its activation ({ACTIVATIONS}), found `{}`",
                arg.text()
            ),
        );
        return Activation::Identity;
    };
    let seg = path.segments.last().expect("a parsed path has a segment");
    let name = seg.ident.to_string();
    let generics: Vec<&syn::GenericArgument> = match &seg.arguments {
        syn::PathArguments::AngleBracketed(a) => a.args.iter().collect(),
        _ => Vec::new(),
    };
    let plain = |act: Activation, errors: &mut Errors| {
        if let Some(g) = generics.first() {
            errors.push(
                g,
                format!("layer {number} ({text}): {name} takes no arguments"),
            );
        }
        act
    };
    match name.as_str() {
        "Identity" => plain(Activation::Identity, errors),
        "Sigmoid" => plain(Activation::Sigmoid, errors),
        "Tanh" => plain(Activation::Tanh, errors),
        "Relu" => plain(Activation::Relu, errors),
        "Softmax" => {
            if !last {
                errors.push(
                    arg,
                    format!(
                        "layer {number} ({text}): Softmax is only allowed on the last layer, \
                         where it pairs with CrossEntropy; use Relu, Tanh or Sigmoid here"
                    ),
                );
            }
            plain(Activation::Softmax, errors)
        }
        "LeakyRelu" => match generics.as_slice() {
            [syn::GenericArgument::Const(syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Float(f),
                ..
            }))] => match f.base10_parse::<f64>() {
                Ok(s) if s.is_finite() => Activation::LeakyRelu(s),
                _ => {
                    errors.push(
                        f,
                        format!("layer {number} ({text}): the slope `{f}` is not a finite float"),
                    );
                    Activation::LeakyRelu(0.01)
                }
            },
            [one] => {
                errors.push(
                    one,
                    format!(
                        "layer {number} ({text}): the LeakyRelu slope must be a float literal such as \
                         `0.01`, found `{}`",
                        one.to_token_stream()
                    ),
                );
                Activation::LeakyRelu(0.01)
            }
            _ => {
                errors.push(
                    arg,
                    format!(
                        "layer {number} ({text}): LeakyRelu needs its slope, e.g. `LeakyRelu<0.01>`"
                    ),
                );
                Activation::LeakyRelu(0.01)
            }
        },
        _ => {
            errors.push(
                arg,
                format!(
                    "layer {number} ({text}): unknown activation `{}`; the activations are {ACTIVATIONS}",
                    arg.text()
                ),
            );
            Activation::Identity
        }
    }
}
