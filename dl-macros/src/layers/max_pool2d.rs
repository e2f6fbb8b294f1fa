//! `MaxPool2D<kernel, stride = s>`: the largest value of each window, channel by channel.

use super::pool_windows::{self, Window};
use crate::args::Args;
use crate::model::{Layer, LayerKind, QuantForm, Received, Shape};
use proc_macro2::TokenStream;
use quote::quote;

pub const USAGE: &str = "MaxPool2D<kernel>";

pub struct MaxPool2D(Window);

pub fn parse(args: &mut Args) -> Option<Box<dyn LayerKind>> {
    Some(Box::new(MaxPool2D(pool_windows::parse(args, "MaxPool2D")?)))
}

impl LayerKind for MaxPool2D {
    fn shapes(&self, received: Received, report: &mut dyn FnMut(String)) -> (Shape, Shape) {
        self.0.shapes(received, report)
    }

    fn layer_ty(&self, layer: &Layer) -> TokenStream {
        self.0.layer_ty(quote!(MaxPool2D), layer)
    }

    fn quant_form(&self) -> Option<QuantForm> {
        Some(QuantForm::Pool {
            max: true,
            kernel: self.0.kernel,
            stride: self.0.stride,
        })
    }

    fn cache_ty(&self, layer: &Layer) -> TokenStream {
        let o = &layer.output.flat.tokens;
        quote!(::dl_core::layer::MaxPool2DCache<T, #o>)
    }

    fn batched(&self) -> bool {
        true
    }
}
