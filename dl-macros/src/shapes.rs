//! Image layers: their arguments, and the shape of every layer's output.
//!
//! Each layer kind maps an input shape to an output shape while the macro expands:
//! `Conv2D` gives `(C_out, (H + 2P - K) / S + 1, (W + 2P - K) / S + 1)`, pooling
//! `(C, (H - K) / S + 1, (W - K) / S + 1)`, `Flatten` `C * H * W`, `Dropout` its input. The
//! sizes must be integer literals for that, and the results are written into the generated
//! types as literals: plain arithmetic at expansion time, so the network needs no nightly
//! const-generic expressions. A shape that cannot work (a kernel larger than its padded
//! input, a pooling window that does not fit, a channel count that differs from the layer
//! before, a Dense layer fed an image) is an error spanned on the layer. After such an error
//! the shapes that follow are marked inexact and not checked again, so one mistake gives one
//! error.

use crate::ast::{Arg, Input, InputShape, LayerDecl};
use crate::valid::{check_activation, Activation, Dim, Errors, Kind, Layer, Pool, Shape};
use proc_macro2::Span;
use quote::ToTokens;

impl Shape {
    /// A vector of `dim` features.
    pub fn flat(dim: Dim) -> Shape {
        Shape {
            image: None,
            flat: dim,
            exact: true,
        }
    }

    /// A `c x h x w` image.
    pub fn image(c: usize, h: usize, w: usize, exact: bool) -> Shape {
        Shape {
            image: Some([c, h, w]),
            flat: literal_dim(c * h * w),
            exact,
        }
    }

    /// A placeholder, for a layer whose shape is not known yet or could not be found.
    pub fn unknown() -> Shape {
        Shape {
            image: None,
            flat: literal_dim(1),
            exact: false,
        }
    }
}

fn literal_dim(n: usize) -> Dim {
    Dim {
        tokens: syn::LitInt::new(&n.to_string(), Span::call_site()).into_token_stream(),
        value: Some(n),
        text: n.to_string(),
        span: Span::call_site(),
        poisoned: false,
    }
}

/// For a Dense size error after Flatten: ` (16 x 2 x 2)`, the image the vector came from.
pub fn flattened_from(input: &Shape) -> String {
    match input.image {
        Some([c, h, w]) => format!(" ({c} x {h} x {w})"),
        None => String::new(),
    }
}

const CONV: &str = "Conv2D takes <in_channels, out_channels, kernel, activation> and optionally \
                    `stride = s` and `padding = p` (both integers; stride 1 and padding 0 if left out)";
const POOL: &str = "takes <kernel> and optionally `stride = s` (the stride is the kernel size if \
                    left out)";

/// Checks the arguments of an image layer, a Flatten or a Dropout.
pub fn check_args(
    decl: &LayerDecl,
    number: usize,
    last: bool,
    errors: &mut Errors,
) -> Option<Kind> {
    let text = decl.text();
    let name = decl.kind.to_string();
    let (positional, named): (Vec<&Arg>, Vec<&Arg>) =
        decl.args.iter().partition(|a| !matches!(a, Arg::Named(..)));
    let ctx = Ctx {
        number,
        text: &text,
        errors,
    };
    match name.as_str() {
        "Conv2D" => conv_args(decl, &positional, &named, last, ctx),
        "MaxPool2D" | "AvgPool2D" => {
            let pool = pool_args(decl, &name, &positional, &named, ctx)?;
            Some(if name == "MaxPool2D" {
                Kind::MaxPool2D(pool)
            } else {
                Kind::AvgPool2D(pool)
            })
        }
        "Flatten" => {
            for arg in &decl.args {
                ctx.errors.push(
                    arg,
                    format!("layer {number} ({text}): Flatten takes no arguments; write `Flatten`"),
                );
            }
            Some(Kind::Flatten)
        }
        _ => Some(Kind::Dropout(dropout_rate(decl, &positional, &named, ctx))),
    }
}

struct Ctx<'a> {
    number: usize,
    text: &'a str,
    errors: &'a mut Errors,
}

impl Ctx<'_> {
    /// A size that must be an integer literal, since shapes are computed from it.
    fn literal(&mut self, arg: &Arg, what: &str) -> Option<usize> {
        let (number, text) = (self.number, self.text);
        match arg {
            Arg::Int(lit) if lit.suffix().is_empty() || lit.suffix() == "usize" => {
                match lit.base10_parse::<usize>() {
                    Ok(v) => return Some(v),
                    Err(_) => self.errors.push(
                        arg,
                        format!("layer {number} ({text}): the {what} `{lit}` does not fit in a usize"),
                    ),
                }
            }
            Arg::Neg(..) => self.errors.push(
                arg,
                format!("layer {number} ({text}): the {what} `{}` is negative", arg.text()),
            ),
            _ => self.errors.push(
                arg,
                format!(
                    "layer {number} ({text}): the {what} must be a plain integer such as `3`, found \
                     `{}`; the macro computes the layer's output shape from it",
                    arg.text()
                ),
            ),
        }
        None
    }

    /// A size of at least 1 (`stride`, `kernel`); 0 is reported and replaced by 1.
    fn positive(&mut self, arg: &Arg, what: &str) -> usize {
        match self.literal(arg, what) {
            Some(0) => {
                let (number, text) = (self.number, self.text);
                self.errors.push(
                    arg,
                    format!("layer {number} ({text}): the {what} is 0; it must be at least 1"),
                );
                1
            }
            Some(v) => v,
            None => 1,
        }
    }

    /// Reads `name = value` arguments; `allowed` lists the names this layer takes.
    fn named<'a>(
        &mut self,
        named: &[&'a Arg],
        allowed: &[&str],
        usage: &str,
    ) -> Vec<(String, &'a Arg)> {
        let (number, text) = (self.number, self.text);
        let mut out: Vec<(String, &Arg)> = Vec::new();
        for arg in named {
            let Arg::Named(key, _, value) = arg else {
                continue;
            };
            let key = key.to_string();
            if !allowed.contains(&key.as_str()) {
                self.errors.push(
                    arg,
                    format!("layer {number} ({text}): unknown argument `{key}`; {usage}"),
                );
            } else if out.iter().any(|(k, _)| *k == key) {
                self.errors.push(
                    arg,
                    format!("layer {number} ({text}): `{key}` is given twice"),
                );
            } else {
                out.push((key, value));
            }
        }
        out
    }
}

fn conv_args(
    decl: &LayerDecl,
    positional: &[&Arg],
    named: &[&Arg],
    last: bool,
    mut ctx: Ctx,
) -> Option<Kind> {
    let (number, text) = (ctx.number, ctx.text);
    let n = positional.len();
    if n < 4 {
        let missing = ["in_channels", "out_channels", "kernel", "activation"][n..].join(", ");
        ctx.errors.at(
            decl.end,
            format!("layer {number} ({text}): {CONV}; missing: {missing}"),
        );
        return None;
    }
    for extra in &positional[4..] {
        ctx.errors.push(
            extra,
            format!(
                "layer {number} ({text}): {CONV}; `{}` is one too many",
                extra.text()
            ),
        );
    }
    let errors_before = ctx.errors.count();
    let in_channels = ctx
        .literal(positional[0], "number of input channels")
        .unwrap_or(1);
    let out_channels = ctx
        .literal(positional[1], "number of output channels")
        .unwrap_or(1);
    let kernel = ctx.positive(positional[2], "kernel size");
    let activation = match positional[3] {
        arg @ Arg::Path(_) => check_activation(arg, number, text, last, ctx.errors),
        arg => {
            ctx.errors.push(
                arg,
                format!(
                    "layer {number} ({text}): the fourth argument of Conv2D is its activation \
                     (Identity, Sigmoid, Tanh, Relu or LeakyRelu<slope>), found `{}`",
                    arg.text()
                ),
            );
            Activation::Identity
        }
    };
    let (mut stride, mut padding) = (1, 0);
    for (key, value) in ctx.named(named, &["stride", "padding"], CONV) {
        if key == "stride" {
            stride = ctx.positive(value, "stride");
        } else {
            padding = ctx.literal(value, "padding").unwrap_or(0);
        }
    }
    Some(Kind::Conv2D {
        in_channels,
        out_channels,
        kernel,
        stride,
        padding,
        activation,
        exact: ctx.errors.count() == errors_before,
    })
}

fn pool_args(
    decl: &LayerDecl,
    name: &str,
    positional: &[&Arg],
    named: &[&Arg],
    mut ctx: Ctx,
) -> Option<Pool> {
    let (number, text) = (ctx.number, ctx.text);
    let usage = format!("{name} {POOL}");
    let Some(first) = positional.first() else {
        ctx.errors.at(
            decl.end,
            format!("layer {number} ({text}): {usage}; missing: kernel"),
        );
        return None;
    };
    for extra in &positional[1..] {
        ctx.errors.push(
            extra,
            format!(
                "layer {number} ({text}): {usage}; `{}` is one too many (write the stride as \
                 `stride = {}`)",
                extra.text(),
                extra.text()
            ),
        );
    }
    let errors_before = ctx.errors.count();
    let kernel = ctx.positive(first, "pooling window size");
    let mut stride = kernel;
    for (_, value) in ctx.named(named, &["stride"], &usage) {
        stride = ctx.positive(value, "stride");
    }
    Some(Pool {
        kernel,
        stride,
        exact: ctx.errors.count() == errors_before,
    })
}

fn dropout_rate(decl: &LayerDecl, positional: &[&Arg], named: &[&Arg], ctx: Ctx) -> f64 {
    let (number, text) = (ctx.number, ctx.text);
    let usage = "Dropout takes one argument, the probability of dropping each input, a float in \
                 [0, 1) such as `Dropout<0.5>`";
    for arg in named.iter().chain(positional.iter().skip(1)) {
        ctx.errors.push(
            arg,
            format!(
                "layer {number} ({text}): {usage}; `{}` is one too many",
                arg.text()
            ),
        );
    }
    let Some(arg) = positional.first() else {
        ctx.errors
            .at(decl.end, format!("layer {number} ({text}): {usage}"));
        return 0.5;
    };
    let value = match arg {
        Arg::Float(f) => f.base10_parse::<f64>().ok(),
        Arg::Int(i) => i.base10_parse::<f64>().ok(),
        Arg::Neg(_, inner) => match &**inner {
            Arg::Float(f) => f.base10_parse::<f64>().ok().map(|v| -v),
            Arg::Int(i) => i.base10_parse::<f64>().ok().map(|v| -v),
            _ => None,
        },
        _ => None,
    };
    match value {
        Some(p) if (0.0..1.0).contains(&p) => p,
        Some(p) => {
            ctx.errors.push(
                arg,
                format!(
                    "layer {number} ({text}): the dropout rate {p} is outside [0, 1); it is the \
                     probability of dropping each input while training"
                ),
            );
            0.5
        }
        None => {
            ctx.errors.push(
                arg,
                format!("layer {number} ({text}): {usage}; found `{}`", arg.text()),
            );
            0.5
        }
    }
}

/// Reads `input: [C, H, W]`.
fn declared_shape(shape: &InputShape, errors: &mut Errors) -> Option<Shape> {
    let text = || {
        let dims: Vec<String> = shape.dims.iter().map(Arg::text).collect();
        format!("[{}]", dims.join(", "))
    };
    if shape.dims.len() != 3 {
        errors.push(
            &shape.tokens,
            format!(
                "the input shape {} has {} sizes; declare an image as `input: [channels, height, \
                 width]`, e.g. `input: [1, 8, 8]` (a network that starts with Dense takes its \
                 input size from that layer and needs no `input`)",
                text(),
                shape.dims.len()
            ),
        );
        return None;
    }
    let mut dims = [1; 3];
    for (d, arg) in dims.iter_mut().zip(&shape.dims) {
        match arg {
            Arg::Int(lit) if lit.suffix().is_empty() || lit.suffix() == "usize" => {
                match lit.base10_parse::<usize>() {
                    Ok(0) => errors.push(
                        arg,
                        format!(
                            "the input shape {} has a size of 0; every size must be at least 1",
                            text()
                        ),
                    ),
                    Ok(v) => *d = v,
                    Err(_) => errors.push(
                        arg,
                        format!("the input size `{lit}` does not fit in a usize"),
                    ),
                }
            }
            _ => errors.push(
                arg,
                format!(
                    "the input shape {} must hold plain integers such as `8`, found `{}`; the \
                     macro computes every layer's shape from it",
                    text(),
                    arg.text()
                ),
            ),
        }
    }
    Some(Shape::image(dims[0], dims[1], dims[2], true))
}

/// Who produced the shape a layer receives, for messages: "layer 2 (MaxPool2D<2>) produces
/// (8, 4, 4)", "the network's input is (1, 8, 8)", "... has 8 channels".
struct Source {
    name: String,
    /// "produces" or "is", before a shape.
    is: &'static str,
    /// "produces" or "has", before a count.
    has: &'static str,
}

/// Gives every layer its input and output shape, reporting the shapes that cannot work.
/// Returns the network's input shape and the layers.
pub fn propagate(
    input: &Input,
    mut layers: Vec<Layer>,
    errors: &mut Errors,
) -> (Shape, Vec<Layer>) {
    let declared = input.shape.as_ref().and_then(|s| declared_shape(s, errors));
    let mut current = declared.clone();
    let mut src = Source {
        name: "the network's input".into(),
        is: "is",
        has: "has",
    };
    for layer in &mut layers {
        let at = &input.layers[layer.number - 1].tokens;
        let (number, text) = (layer.number, layer.text.clone());
        let mut report =
            |msg: String| errors.push(at.clone(), format!("layer {number} ({text}){msg}"));
        let received = current.take();
        let (layer_input, output) = match &layer.kind {
            Kind::Dense {
                inputs, outputs, ..
            } => {
                let layer_input = match received {
                    None => Shape::flat(inputs.clone()),
                    Some(Shape {
                        image: Some([c, h, w]),
                        flat,
                        exact,
                    }) => {
                        report(format!(
                            " needs a flat input but {} {} the 3-D shape ({c}, {h}, {w}); put \
                             `Flatten,` before it, which gives {} inputs",
                            src.name,
                            src.is,
                            c * h * w
                        ));
                        Shape {
                            image: None,
                            flat,
                            exact,
                        }
                    }
                    Some(flat) => flat,
                };
                (layer_input, Shape::flat(outputs.clone()))
            }
            Kind::Conv2D {
                in_channels,
                out_channels,
                kernel,
                stride,
                padding,
                exact: args_exact,
                ..
            } => {
                let (k, s, p) = (*kernel, *stride, *padding);
                let layer_input = image_input(received, &src, [*in_channels, k, k], &mut report);
                let [c, h, w] = layer_input.image.expect("image_input gives an image");
                if c != *in_channels && layer_input.exact {
                    report(format!(
                        " expects {in_channels} input channels but {} {} {c} channels, shape \
                         ({c}, {h}, {w})",
                        src.name, src.has
                    ));
                }
                let out_c = if *out_channels == 0 {
                    report(format!(
                        ": its output would have size zero, (0, {}, {}); it needs at least 1 output \
                         channel",
                        out_size(h, k, s, p).max(1),
                        out_size(w, k, s, p).max(1)
                    ));
                    1
                } else {
                    *out_channels
                };
                let fits = k <= h + 2 * p && k <= w + 2 * p;
                if !fits && layer_input.exact {
                    report(format!(
                        ": its {k}x{k} kernel is larger than its input padded by {p} on each side, \
                         {}x{} ({} {} ({c}, {h}, {w})); the output size (H + 2P - K) / S + 1 \
                         would be {} x {}",
                        h + 2 * p,
                        w + 2 * p,
                        src.name,
                        src.is,
                        signed_out(h, k, s, p),
                        signed_out(w, k, s, p),
                    ));
                }
                let exact = layer_input.exact && fits && *args_exact && *out_channels > 0;
                let (oh, ow) = (out_size(h, k, s, p).max(1), out_size(w, k, s, p).max(1));
                (layer_input, Shape::image(out_c, oh, ow, exact))
            }
            Kind::MaxPool2D(pool) | Kind::AvgPool2D(pool) => {
                let (k, s) = (pool.kernel, pool.stride);
                let layer_input = image_input(received, &src, [1, k, k], &mut report);
                let [c, h, w] = layer_input.image.expect("image_input gives an image");
                let fits = k <= h && k <= w;
                if !fits && layer_input.exact {
                    report(format!(
                        ": its {k}x{k} pooling window does not fit in its {h}x{w} input ({} {} \
                         ({c}, {h}, {w}))",
                        src.name, src.is
                    ));
                }
                let exact = layer_input.exact && fits && pool.exact;
                let (oh, ow) = (out_size(h, k, s, 0).max(1), out_size(w, k, s, 0).max(1));
                (layer_input, Shape::image(c, oh, ow, exact))
            }
            Kind::Flatten | Kind::Dropout(_) => {
                let layer_input = received.unwrap_or_else(|| {
                    report(
                        " is the first layer, so it needs the network's input shape: declare it \
                         first, e.g. `input: [1, 8, 8],`"
                            .to_string(),
                    );
                    Shape::unknown()
                });
                let output = match (&layer.kind, layer_input.image) {
                    (Kind::Flatten, Some(_)) => Shape {
                        image: None,
                        ..layer_input.clone()
                    },
                    _ => layer_input.clone(),
                };
                (layer_input, output)
            }
        };
        layer.chained_inputs = layer_input.flat.tokens.clone();
        layer.input = layer_input;
        layer.output = output.clone();
        current = Some(output);
        src = Source {
            name: format!("layer {number} ({text})"),
            is: "produces",
            has: "produces",
        };
    }
    let model_input = match (declared, layers.first()) {
        (Some(shape), _) => shape,
        (None, Some(first)) => first.input.clone(),
        (None, None) => Shape::unknown(),
    };
    (model_input, layers)
}

/// The image a convolution or pooling layer receives. A missing or flat input is reported
/// and replaced by the image `fallback` (`[c, h, w]`), marked inexact; its flat size stays
/// what the previous layer produces, so the generated types still chain.
fn image_input(
    received: Option<Shape>,
    src: &Source,
    fallback: [usize; 3],
    report: &mut impl FnMut(String),
) -> Shape {
    match received {
        Some(shape) if shape.image.is_some() => shape,
        Some(flat) => {
            if flat.exact {
                report(format!(
                    " needs a 3-D input (channels, height, width) but {} {} a flat vector of {}",
                    src.name, src.is, flat.flat.text
                ));
            }
            Shape {
                image: Some(fallback),
                flat: flat.flat,
                exact: false,
            }
        }
        None => {
            report(
                " needs to know its input's shape (channels, height, width): declare it first \
                 in the network, e.g. `input: [1, 8, 8],`"
                    .to_string(),
            );
            let [c, h, w] = fallback;
            Shape::image(c, h, w, false)
        }
    }
}

/// `(n + 2p - k) / s + 1`, or 0 if the kernel does not fit.
fn out_size(n: usize, k: usize, s: usize, p: usize) -> usize {
    if k > n + 2 * p || s == 0 {
        0
    } else {
        (n + 2 * p - k) / s + 1
    }
}

/// `floor((n + 2p - k) / s) + 1` in signed arithmetic, for messages.
fn signed_out(n: usize, k: usize, s: usize, p: usize) -> i64 {
    (n as i64 + 2 * p as i64 - k as i64).div_euclid(s.max(1) as i64) + 1
}
