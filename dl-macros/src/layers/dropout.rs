//! `Dropout<rate>`: inverted dropout while training, the identity at inference. The rate is
//! a float in `[0, 1)`.

use crate::args::Args;
use crate::ast::Arg;
use crate::model::{Layer, LayerKind, Received, Shape};
use crate::shape::any_input;
use proc_macro2::TokenStream;
use quote::quote;

pub const USAGE: &str = "Dropout<rate>";

const RATE: &str = "Dropout takes one argument, the probability of dropping each input, a float \
                    in [0, 1) such as `Dropout<0.5>`";

pub struct Dropout {
    rate: f64,
}

pub fn parse(args: &mut Args) -> Option<Box<dyn LayerKind>> {
    let (positional, named) = args.split();
    for arg in named.iter().chain(positional.iter().skip(1)) {
        args.error(arg, format!("{RATE}; `{}` is one too many", arg.text()));
    }
    let Some(arg) = positional.first() else {
        args.error_at_end(RATE);
        return Some(Box::new(Dropout { rate: 0.5 }));
    };
    let rate = match number(arg) {
        Some(p) if (0.0..1.0).contains(&p) => p,
        Some(p) => {
            args.error(
                arg,
                format!(
                    "the dropout rate {p} is outside [0, 1); it is the probability of dropping \
                     each input while training"
                ),
            );
            0.5
        }
        None => {
            args.error(arg, format!("{RATE}; found `{}`", arg.text()));
            0.5
        }
    };
    Some(Box::new(Dropout { rate }))
}

/// A number literal, possibly negative.
fn number(arg: &Arg) -> Option<f64> {
    let positive = |arg: &Arg| match arg {
        Arg::Float(f) => f.base10_parse::<f64>().ok(),
        Arg::Int(i) => i.base10_parse::<f64>().ok(),
        _ => None,
    };
    match arg {
        Arg::Neg(_, inner) => positive(inner).map(|v| -v),
        _ => positive(arg),
    }
}

impl LayerKind for Dropout {
    fn shapes(&self, received: Received, report: &mut dyn FnMut(String)) -> (Shape, Shape) {
        let input = any_input(received, report);
        (input.clone(), input)
    }

    fn layer_ty(&self, layer: &Layer) -> TokenStream {
        let (o, rate) = (&layer.output.flat.tokens, self.rate);
        quote!(::dl_core::layer::Dropout<T, #o, { ::dl_core::layer::rate(#rate) }>)
    }

    fn quant_form(&self) -> Option<crate::model::QuantForm> {
        Some(crate::model::QuantForm::Skip)
    }

    fn cache_ty(&self, layer: &Layer) -> TokenStream {
        let o = &layer.output.flat.tokens;
        quote!(::dl_core::layer::DropoutCache<T, #o>)
    }

    /// A constant mixed with the layer's position, so two Dropout layers never share a mask.
    fn mask_seed(&self, layer: &Layer) -> Option<u64> {
        Some(0xD50F_0000_0000_0000 ^ layer.number as u64)
    }
}
