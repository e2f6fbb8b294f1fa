//! What the pooling layers share: their arguments `<kernel, stride = s>` and their output
//! shape `(C, (H - K) / S + 1, (W - K) / S + 1)`.

use crate::args::Args;
use crate::model::{lit, Layer, Received, Shape};
use crate::shape::{image_input, out_size};
use proc_macro2::TokenStream;
use quote::quote;

const POOL: &str = "takes <kernel> and optionally `stride = s` (the stride is the kernel size if \
                    left out)";

/// A pooling window: its size and stride.
#[derive(Clone, Copy)]
pub struct Window {
    pub kernel: usize,
    pub stride: usize,
    /// False if an argument was wrong and replaced by a fallback.
    pub exact: bool,
}

/// Reads `<kernel>` and `stride = s` for the pooling layer `name`.
pub fn parse(args: &mut Args, name: &str) -> Option<Window> {
    let (positional, named) = args.split();
    let usage = format!("{name} {POOL}");
    let Some(first) = positional.first() else {
        args.error_at_end(format!("{usage}; missing: kernel"));
        return None;
    };
    for extra in &positional[1..] {
        args.error(
            extra,
            format!(
                "{usage}; `{}` is one too many (write the stride as `stride = {}`)",
                extra.text(),
                extra.text()
            ),
        );
    }
    let errors_before = args.errors.count();
    let kernel = args.positive(first, "pooling window size");
    let mut stride = kernel;
    for (_, value) in args.named(&named, &["stride"], &usage) {
        stride = args.positive(value, "stride");
    }
    Some(Window {
        kernel,
        stride,
        exact: args.errors.count() == errors_before,
    })
}

impl Window {
    /// The image the window slides over and the pooled image, reporting a window that does
    /// not fit.
    pub fn shapes(&self, received: Received, report: &mut dyn FnMut(String)) -> (Shape, Shape) {
        let (k, s) = (self.kernel, self.stride);
        let src = received.src;
        let input = image_input(received, [1, k, k], report);
        let [c, h, w] = input.image.expect("image_input gives an image");
        let fits = k <= h && k <= w;
        if !fits && input.exact {
            report(format!(
                ": its {k}x{k} pooling window does not fit in its {h}x{w} input ({} {} ({c}, \
                 {h}, {w}))",
                src.name, src.is
            ));
        }
        let exact = input.exact && fits && self.exact;
        let (oh, ow) = (out_size(h, k, s, 0).max(1), out_size(w, k, s, 0).max(1));
        (input, Shape::image(c, oh, ow, exact))
    }

    /// The sizes of the pooling layer type `name` (`MaxPool2D`, `AvgPool2D`).
    pub fn layer_ty(&self, name: TokenStream, layer: &Layer) -> TokenStream {
        let (n_in, n_out) = (&layer.chained_inputs, &layer.output.flat.tokens);
        let [c, h, w] = layer.input.image_lits();
        let (k, s) = (lit(self.kernel), lit(self.stride));
        quote!(::dl_core::layer::#name<T, #c, #h, #w, #k, #s, #n_in, #n_out>)
    }
}
