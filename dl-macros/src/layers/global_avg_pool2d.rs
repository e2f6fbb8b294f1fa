//! `GlobalAvgPool2D`: each channel of an image becomes its mean, output `C` features
//! (PyTorch's `AdaptiveAvgPool2d(1)` and `Flatten()`, two modules).

use crate::args::Args;
use crate::model::{Dim, Layer, LayerKind, Received, Shape};
use crate::shape::image_input;
use proc_macro2::TokenStream;
use quote::quote;

pub const USAGE: &str = "GlobalAvgPool2D";

pub struct GlobalAvgPool2D;

pub fn parse(args: &mut Args) -> Option<Box<dyn LayerKind>> {
    let decl = args.decl;
    for arg in &decl.args {
        args.error(
            arg,
            "GlobalAvgPool2D takes no arguments (it averages each whole channel); write \
             `GlobalAvgPool2D`",
        );
    }
    Some(Box::new(GlobalAvgPool2D))
}

impl LayerKind for GlobalAvgPool2D {
    fn shapes(&self, received: Received, report: &mut dyn FnMut(String)) -> (Shape, Shape) {
        let input = image_input(received, [1, 1, 1], report);
        let [c, ..] = input.image.expect("image_input gives an image");
        let output = Shape {
            exact: input.exact,
            ..Shape::flat(Dim::literal(c))
        };
        (input, output)
    }

    /// ` (the mean of each of the 8 channels of (8, 6, 6))`.
    fn output_note(&self, layer: &Layer) -> String {
        match layer.input.image {
            Some([c, h, w]) => {
                format!(" (the mean of each of the {c} channels of ({c}, {h}, {w}))")
            }
            None => String::new(),
        }
    }

    fn layer_ty(&self, layer: &Layer) -> TokenStream {
        let [c, h, w] = layer.input.image_lits();
        let n_in = &layer.chained_inputs;
        quote!(::dl_core::layer::GlobalAvgPool2D<T, #c, #h, #w, #n_in>)
    }

    fn cache_ty(&self, layer: &Layer) -> TokenStream {
        let o = &layer.output.flat.tokens;
        quote!(::dl_core::layer::OutputCache<T, #o>)
    }

    fn torch_modules(&self) -> usize {
        2
    }

    fn batched(&self) -> bool {
        true
    }
}
