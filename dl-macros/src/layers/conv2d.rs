//! `Conv2D<in_channels, out_channels, kernel, activation, stride = s, padding = p>`: a 2-D
//! convolution, output `(C_out, (H + 2P - K) / S + 1, (W + 2P - K) / S + 1)`.

use crate::activation;
use crate::args::Args;
use crate::ast::Arg;
use crate::model::{lit, ActivationArg, Layer, LayerKind, QuantForm, Received, Shape};
use crate::shape::{image_input, out_size, signed_out};
use proc_macro2::{Literal, TokenStream};
use quote::quote;

pub const USAGE: &str = "Conv2D<in_channels, out_channels, kernel, activation>";

const CONV: &str = "Conv2D takes <in_channels, out_channels, kernel, activation> and optionally \
                    `stride = s` and `padding = p` (both integers; stride 1 and padding 0 if left out)";

pub struct Conv2D {
    in_channels: usize,
    out_channels: usize,
    kernel: usize,
    stride: usize,
    padding: usize,
    activation: ActivationArg,
    /// False if an argument was wrong and replaced by a fallback.
    exact: bool,
}

pub fn parse(args: &mut Args) -> Option<Box<dyn LayerKind>> {
    let (positional, named) = args.split();
    let n = positional.len();
    if n < 4 {
        let missing = ["in_channels", "out_channels", "kernel", "activation"][n..].join(", ");
        args.error_at_end(format!("{CONV}; missing: {missing}"));
        return None;
    }
    for extra in &positional[4..] {
        args.error(extra, format!("{CONV}; `{}` is one too many", extra.text()));
    }
    let errors_before = args.errors.count();
    let in_channels = args
        .literal(positional[0], "number of input channels")
        .unwrap_or(1);
    let out_channels = args
        .literal(positional[1], "number of output channels")
        .unwrap_or(1);
    let kernel = args.positive(positional[2], "kernel size");
    let activation = match positional[3] {
        arg @ Arg::Path(path) => activation::parse(args, arg, path),
        arg => {
            args.error(
                arg,
                format!(
                    "the fourth argument of Conv2D is its activation (Identity, Sigmoid, Tanh, \
                     Relu or LeakyRelu<slope>), found `{}`",
                    arg.text()
                ),
            );
            activation::identity(arg)
        }
    };
    let (mut stride, mut padding) = (1, 0);
    for (key, value) in args.named(&named, &["stride", "padding"], CONV) {
        if key == "stride" {
            stride = args.positive(value, "stride");
        } else {
            padding = args.literal(value, "padding").unwrap_or(0);
        }
    }
    Some(Box::new(Conv2D {
        in_channels,
        out_channels,
        kernel,
        stride,
        padding,
        activation,
        exact: args.errors.count() == errors_before,
    }))
}

impl Conv2D {
    /// The output channels and the patch length `C_in * K * K`.
    fn sizes(&self, layer: &Layer) -> (Literal, Literal) {
        let [c, ..] = layer.input.image.unwrap_or([1, 1, 1]);
        let [co, ..] = layer.output.image.unwrap_or([1, 1, 1]);
        (lit(co), lit(c * self.kernel * self.kernel))
    }

    /// The output channel count, reporting 0 (and falling back to 1).
    fn out_channels(&self, h: usize, w: usize, report: &mut dyn FnMut(String)) -> usize {
        let (k, s, p) = (self.kernel, self.stride, self.padding);
        if self.out_channels == 0 {
            report(format!(
                ": its output would have size zero, (0, {}, {}); it needs at least 1 output \
                 channel",
                out_size(h, k, s, p).max(1),
                out_size(w, k, s, p).max(1)
            ));
            1
        } else {
            self.out_channels
        }
    }
}

impl LayerKind for Conv2D {
    fn activation(&self) -> Option<&ActivationArg> {
        Some(&self.activation)
    }

    fn patch(&self) -> (usize, usize) {
        (
            self.in_channels * self.kernel * self.kernel,
            self.out_channels,
        )
    }

    fn shapes(&self, received: Received, report: &mut dyn FnMut(String)) -> (Shape, Shape) {
        let (k, s, p) = (self.kernel, self.stride, self.padding);
        let src = received.src;
        let input = image_input(received, [self.in_channels, k, k], report);
        let [c, h, w] = input.image.expect("image_input gives an image");
        if c != self.in_channels && input.exact {
            report(format!(
                " expects {} input channels but {} {} {c} channels, shape ({c}, {h}, {w})",
                self.in_channels, src.name, src.has
            ));
        }
        let out_c = self.out_channels(h, w, report);
        let fits = k <= h + 2 * p && k <= w + 2 * p;
        if !fits && input.exact {
            report(format!(
                ": its {k}x{k} kernel is larger than its input padded by {p} on each side, \
                 {}x{} ({} {} ({c}, {h}, {w})); the output size (H + 2P - K) / S + 1 would be \
                 {} x {}",
                h + 2 * p,
                w + 2 * p,
                src.name,
                src.is,
                signed_out(h, k, s, p),
                signed_out(w, k, s, p),
            ));
        }
        let exact = input.exact && fits && self.exact && self.out_channels > 0;
        let (oh, ow) = (out_size(h, k, s, p).max(1), out_size(w, k, s, p).max(1));
        (input, Shape::image(out_c, oh, ow, exact))
    }

    fn layer_ty(&self, layer: &Layer) -> TokenStream {
        let act = self.activation.activation.ty();
        let (n_in, n_out) = (&layer.chained_inputs, &layer.output.flat.tokens);
        let [c, h, w] = layer.input.image_lits();
        let (co, patch) = self.sizes(layer);
        let (k, s, p) = (lit(self.kernel), lit(self.stride), lit(self.padding));
        quote!(::dl_core::layer::Conv2D<T, #c, #h, #w, #co, #k, #s, #p, #patch, #n_in, #n_out, #act>)
    }

    fn quant_form(&self) -> Option<QuantForm> {
        Some(QuantForm::Conv2D {
            kernel: self.kernel,
            stride: self.stride,
            padding: self.padding,
            activation: self.activation.activation,
        })
    }

    fn grad_ty(&self, layer: &Layer) -> TokenStream {
        let (co, patch) = self.sizes(layer);
        quote!(::dl_core::layer::Conv2DGrad<T, #co, #patch>)
    }

    fn cache_ty(&self, layer: &Layer) -> TokenStream {
        let o = &layer.output.flat.tokens;
        quote!(::dl_core::layer::Conv2DCache<T, #o>)
    }

    fn param_count(&self, layer: &Layer) -> TokenStream {
        let [c, ..] = layer.input.image.unwrap_or([1, 1, 1]);
        let [co, ..] = layer.output.image.unwrap_or([1, 1, 1]);
        let n = lit(co * c * self.kernel * self.kernel + co);
        quote!(#n)
    }

    fn tensors(&self) -> usize {
        2
    }

    /// Its transposed kernel and im2col blocks (or, pixel by pixel, one patch) live in the
    /// network's cache and batch buffers, never on the stack of the workspace-backed passes.
    fn scratch(&self) -> bool {
        true
    }

    /// Conv2D runs a batch sample by sample on its blocked products; the layers around it
    /// (Dense above all) then see the whole batch.
    fn batched(&self) -> bool {
        true
    }
}
