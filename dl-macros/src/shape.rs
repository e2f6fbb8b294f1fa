//! The shape of every layer's output, computed while the macro expands.
//!
//! Each layer kind maps an input shape to an output shape (`LayerKind::shapes`, in its own
//! file); this module walks the network from its declared input and holds what the image
//! kinds share. The sizes must be integer literals for that, and the results are written into
//! the generated types as literals: plain arithmetic at expansion time, so the network needs
//! no nightly const-generic expressions. A shape that cannot work is an error spanned on the
//! layer. After such an error the shapes that follow are marked inexact and not checked
//! again, so one mistake gives one error.

use crate::ast::{Arg, Input, InputShape};
use crate::errors::Errors;
use crate::model::{Layer, Received, Shape, Source};

/// Gives every layer its input and output shape, reporting the shapes that cannot work.
/// Returns the network's input shape.
pub fn propagate(input: &Input, layers: &mut [Layer], errors: &mut Errors) -> Shape {
    let declared = input.shape.as_ref().and_then(|s| declared_shape(s, errors));
    let mut current = declared.clone();
    let mut src = Source {
        name: "the network's input".into(),
        is: "is",
        has: "has",
    };
    for layer in layers.iter_mut() {
        let at = &input.layers[layer.number - 1].tokens;
        let (number, text) = (layer.number, layer.text.clone());
        let mut report =
            |msg: String| errors.push(at.clone(), format!("layer {number} ({text}){msg}"));
        let received = Received {
            shape: current.take(),
            src: &src,
        };
        let (layer_input, output) = layer.kind.shapes(received, &mut report);
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
    match (declared, layers.first()) {
        (Some(shape), _) => shape,
        (None, Some(first)) => first.input.clone(),
        (None, None) => Shape::unknown(),
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

/// The image a convolution or pooling layer receives. A missing or flat input is reported
/// and replaced by the image `fallback` (`[c, h, w]`), marked inexact; its flat size stays
/// what the previous layer produces, so the generated types still chain.
pub fn image_input(
    received: Received,
    fallback: [usize; 3],
    report: &mut dyn FnMut(String),
) -> Shape {
    let src = received.src;
    match received.shape {
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

/// The shape a layer without sizes of its own receives (Flatten, Dropout): any shape, but
/// there must be one.
pub fn any_input(received: Received, report: &mut dyn FnMut(String)) -> Shape {
    received.shape.unwrap_or_else(|| {
        report(
            " is the first layer, so it needs the network's input shape: declare it first, e.g. \
             `input: [1, 8, 8],`"
                .to_string(),
        );
        Shape::unknown()
    })
}

/// `(n + 2p - k) / s + 1`, or 0 if the kernel does not fit.
pub fn out_size(n: usize, k: usize, s: usize, p: usize) -> usize {
    if k > n + 2 * p || s == 0 {
        0
    } else {
        (n + 2 * p - k) / s + 1
    }
}

/// `floor((n + 2p - k) / s) + 1` in signed arithmetic, for messages.
pub fn signed_out(n: usize, k: usize, s: usize, p: usize) -> i64 {
    (n as i64 + 2 * p as i64 - k as i64).div_euclid(s.max(1) as i64) + 1
}
