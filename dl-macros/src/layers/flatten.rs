//! `Flatten`: an image `(C, H, W)` as the vector of its `C * H * W` values, in PyTorch's
//! order.

use crate::args::Args;
use crate::model::{Layer, LayerKind, Received, Shape};
use crate::shape::any_input;
use proc_macro2::TokenStream;
use quote::quote;

pub const USAGE: &str = "Flatten";

pub struct Flatten;

pub fn parse(args: &mut Args) -> Option<Box<dyn LayerKind>> {
    let decl = args.decl;
    for arg in &decl.args {
        args.error(arg, "Flatten takes no arguments; write `Flatten`");
    }
    Some(Box::new(Flatten))
}

impl LayerKind for Flatten {
    fn shapes(&self, received: Received, report: &mut dyn FnMut(String)) -> (Shape, Shape) {
        let input = any_input(received, report);
        let output = Shape {
            image: None,
            ..input.clone()
        };
        (input, output)
    }

    /// ` (16 x 2 x 2)`: the image the vector came from.
    fn output_note(&self, layer: &Layer) -> String {
        match layer.input.image {
            Some([c, h, w]) => format!(" ({c} x {h} x {w})"),
            None => String::new(),
        }
    }

    fn layer_ty(&self, layer: &Layer) -> TokenStream {
        let o = &layer.output.flat.tokens;
        quote!(::dl_core::layer::Flatten<T, #o>)
    }

    fn quant_form(&self) -> Option<crate::model::QuantForm> {
        Some(crate::model::QuantForm::Flatten)
    }

    fn cache_ty(&self, layer: &Layer) -> TokenStream {
        let o = &layer.output.flat.tokens;
        quote!(::dl_core::layer::OutputCache<T, #o>)
    }

    fn batched(&self) -> bool {
        true
    }
}
