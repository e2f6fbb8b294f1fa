//! `Dense<inputs, outputs, activation>`: a fully connected layer, `a = A(W x + b)`. Its sizes
//! may be consts or const blocks; sizes the macro cannot read are checked by rustc.

use crate::activation;
use crate::args::Args;
use crate::ast::Arg;
use crate::model::{lit, ActivationArg, Dim, Layer, LayerKind, QuantForm, Received, Shape};
use proc_macro2::TokenStream;
use quote::quote;

pub const USAGE: &str = "Dense<inputs, outputs, activation>";

pub struct Dense {
    inputs: Dim,
    outputs: Dim,
    activation: ActivationArg,
}

pub fn parse(args: &mut Args) -> Option<Box<dyn LayerKind>> {
    let decl = args.decl;
    let all = &decl.args;
    let n = all.len();
    if n < 3 {
        let missing = ["inputs", "outputs", "activation"][n..].join(", ");
        args.error_at_end(format!(
            "Dense takes 3 arguments, <inputs, outputs, activation>, but {n} {} given; \
             missing: {missing}",
            if n == 1 { "is" } else { "are" }
        ));
        return None;
    }
    for extra in &all[3..] {
        args.error(
            extra,
            format!(
                "Dense takes 3 arguments, <inputs, outputs, activation>; `{}` is one too many",
                extra.text()
            ),
        );
    }
    let inputs = args.dim(&all[0], "input size");
    let outputs = args.dim(&all[1], "output size");
    let activation = match &all[2] {
        arg @ Arg::Path(path) => activation::parse(args, arg, path),
        arg => {
            args.error(
                arg,
                format!(
                    "the third argument of Dense is its activation ({}), found `{}`",
                    crate::model::Activation::LIST,
                    arg.text()
                ),
            );
            activation::identity(arg)
        }
    };
    Some(Box::new(Dense {
        inputs,
        outputs,
        activation,
    }))
}

impl LayerKind for Dense {
    fn activation(&self) -> Option<&ActivationArg> {
        Some(&self.activation)
    }

    fn declared_inputs(&self) -> Option<&Dim> {
        Some(&self.inputs)
    }

    fn sizes(&self) -> Vec<&Dim> {
        vec![&self.inputs, &self.outputs]
    }

    fn shapes(&self, received: Received, report: &mut dyn FnMut(String)) -> (Shape, Shape) {
        let src = received.src;
        let input = match received.shape {
            None => Shape::flat(self.inputs.clone()),
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
        (input, Shape::flat(self.outputs.clone()))
    }

    fn layer_ty(&self, layer: &Layer) -> TokenStream {
        let (i, o) = (&layer.chained_inputs, &self.outputs.tokens);
        let act = self.activation.activation.ty();
        quote!(::dl_core::layer::Dense<T, #i, #o, #act>)
    }

    fn grad_ty(&self, layer: &Layer) -> TokenStream {
        let (i, o) = (&layer.chained_inputs, &self.outputs.tokens);
        quote!(::dl_core::layer::DenseGrad<T, #i, #o>)
    }

    fn cache_ty(&self, layer: &Layer) -> TokenStream {
        let o = &layer.output.flat.tokens;
        quote!(::dl_core::layer::DenseCache<T, #o>)
    }

    fn quant_form(&self) -> Option<QuantForm> {
        Some(QuantForm::Dense(self.activation.activation))
    }

    /// `I * O + O`: a literal where the macro knows both sizes.
    fn param_count(&self, layer: &Layer) -> TokenStream {
        if let (Some(i), Some(o)) = (layer.input.flat.value, self.outputs.value) {
            let n = lit(i * o + o);
            return quote!(#n);
        }
        let (i, o) = (&layer.chained_inputs, &self.outputs.tokens);
        quote!((#i * #o + #o))
    }

    fn tensors(&self) -> usize {
        2
    }

    fn batched(&self) -> bool {
        true
    }
}
