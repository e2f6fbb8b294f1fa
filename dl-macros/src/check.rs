//! Checks the parsed network and resolves it into a [`Model`] that `emit` can emit without
//! further questions. The network-level rules live here: an empty network, layer names,
//! Softmax's position, and the sizes between layers; each layer kind checks its own
//! arguments and shapes (`layers`). Every mistake becomes a spanned error in plain words; all
//! of them are combined so the user sees each once. Where the input is wrong the model still
//! gets a best-effort fallback (an unknown activation becomes `Identity`, a zero size becomes
//! 1, a layer's input size follows the previous layer's output), so one mistake gives one
//! error.

use crate::args::Args;
use crate::ast::Input;
use crate::derives;
use crate::errors::Errors;
use crate::layers;
use crate::model::{Activation, Dim, Layer, Link, Model, Shape};
use crate::shape;
use crate::tflite;
use proc_macro2::TokenStream;
use quote::format_ident;
use syn::Ident;

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
    let (attrs, tflite) = tflite::take(&input.attrs, &mut errors);
    let attrs = derives::check(&attrs, &mut errors);
    let mut layers = parse_layers(input, &mut errors);
    let nonzero = nonzero_sizes(&layers);
    let model_input = shape::propagate(input, &mut layers, &mut errors);
    let links = links(input, &layers, &mut errors);
    let model = Model {
        attrs,
        vis: input.vis.clone(),
        ident: input.ident.clone(),
        input: model_input,
        layers,
        links,
        nonzero,
        stack_budget: input.stack_budget.clone(),
        tflite,
    };
    (model, errors.into_error())
}

/// Each layer's name and kind; a layer whose arguments cannot be read is left out.
fn parse_layers(input: &Input, errors: &mut Errors) -> Vec<Layer> {
    let count = input.layers.len();
    let mut layers = Vec::new();
    for (i, decl) in input.layers.iter().enumerate() {
        let number = i + 1;
        let field = field_name(input, i, errors);
        let text = decl.text();
        let mut args = Args {
            decl,
            number,
            text: &text,
            errors,
        };
        let Some(kind) = layers::parse(&mut args) else {
            continue;
        };
        match kind.activation() {
            Some(a) if a.activation == Activation::Softmax && number != count => errors.push(
                &a.tokens,
                format!(
                    "layer {number} ({text}): Softmax is only allowed on the last layer, where it \
                     pairs with CrossEntropy; use Relu, Tanh or Sigmoid here"
                ),
            ),
            _ => {}
        }
        // Shapes and `chained_inputs` are filled in by `shape::propagate`.
        layers.push(Layer {
            field,
            number,
            input: Shape::unknown(),
            output: Shape::unknown(),
            chained_inputs: TokenStream::new(),
            tokens: decl.tokens.clone(),
            text,
            kind,
        });
    }
    layers
}

/// The sizes the macro cannot read, each once, for rustc to check they are at least 1.
fn nonzero_sizes(layers: &[Layer]) -> Vec<(Dim, String)> {
    let mut nonzero: Vec<(Dim, String)> = Vec::new();
    for layer in layers {
        for dim in layer.kind.sizes() {
            let seen = nonzero.iter().any(|(d, _)| d.text == dim.text);
            if dim.value.is_none() && !seen {
                let (number, text) = (layer.number, &layer.text);
                nonzero.push((
                    dim.clone(),
                    format!(
                        "layer {number} ({text}): the size `{}` must be at least 1",
                        dim.text
                    ),
                ));
            }
        }
    }
    nonzero
}

/// Checks that each layer with a declared input size gets what the previous layer produces:
/// at once where both sizes are literals, else by a `fits` check that rustc evaluates.
fn links(input: &Input, layers: &[Layer], errors: &mut Errors) -> Vec<Link> {
    let mut links = Vec::new();
    for pair in layers.windows(2) {
        let (prev, this) = (&pair[0], &pair[1]);
        let Some(expects) = this.kind.declared_inputs() else {
            continue;
        };
        if prev.output.image.is_some() || !prev.output.exact {
            continue; // image shapes and the layers without a declared size: `shape`
        }
        let produces = prev.outputs();
        let (layer, previous) = (this.number, prev.number);
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
                    prev.kind.output_note(prev)
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
    links
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
