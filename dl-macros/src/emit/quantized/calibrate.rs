//! `{Name}::<f32>::quantize`: post-training quantisation from calibration samples.

use super::{fused, Part};
use crate::model::QuantForm;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// `{Name}::<f32>::quantize`: ranges observed layer by layer over the calibration samples,
/// then each layer quantised with its input's and output's parameters.
pub(super) fn quantize(
    parts: &[Part],
    name: &syn::Ident,
    n_in: &proc_macro2::Literal,
) -> TokenStream {
    let n = parts.len();
    let mut observe = TokenStream::new();
    let mut build = quote!(let p0 = ranges[0].params(););
    let mut fields = Vec::new();
    for (k, p) in parts.iter().enumerate() {
        let f = &p.layer.field;
        let (pin, pout) = (format_ident!("p{}", k), format_ident!("p{}", k + 1));
        let next = k + 1;
        observe.extend(observe_layer(p, k, n));
        let Some((params, layer)) = quantized_layer(p, &pin, &pout, next) else {
            build.extend(quote!(let #pout = #pin;));
            continue;
        };
        build.extend(params);
        build.extend(quote!(let #f = #layer;));
        fields.push(f);
        if let Some(a) = &p.act {
            let (field, ty) = (&a.field, &a.ty);
            build.extend(if matches!(a.kind, crate::model::Activation::Softmax) {
                quote!(let #field = <#ty>::new(#pout)?;)
            } else {
                quote!(let #field = <#ty>::new(#pout, <#ty>::OUTPUT);)
            });
            build.extend(quote!(let #pout = #field.output;));
            fields.push(field);
        }
    }
    let size = n + 1;
    quote! {
        /// Post-training quantisation to int8 (TFLite's scheme): each activation's range is
        /// observed over `calibration` (NaN or infinity is refused, naming the sample), the
        /// weights are quantised per output channel, symmetric, the biases to int32. A
        /// layer's Sigmoid, Tanh or Softmax takes its input's range from the layer's output
        /// before it, and gives TFLite's fixed output quantisation.
        pub fn quantize(
            &self,
            calibration: &[::dl_core::nalgebra::SVector<f32, #n_in>],
        ) -> ::core::result::Result<#name, ::dl_core::quant::QuantError> {
            let mut ranges = [::dl_core::quant::Range::default(); #size];
            for (n, x) in calibration.iter().enumerate() {
                ranges[0].observe(x.as_slice(), "calibration sample", n)?;
                let x = *x;
                #observe
            }
            #build
            Ok(#name { input: p0, #( #fields, )* })
        }
    }
}

/// The calibration pass through part `k` of `n`: the range of a layer's output before its
/// activation (`PreActivation`), then the activation's output if a layer follows; else the
/// layer's output.
fn observe_layer(p: &Part, k: usize, n: usize) -> TokenStream {
    let f = &p.layer.field;
    let what = format!("layer {} output", p.layer.number);
    let next = k + 1;
    let forward = quote!(let x = ::dl_core::layer::Layer::forward(&self.#f, &x););
    match &p.act {
        Some(_) => {
            let then = (k + 1 < n).then_some(forward);
            quote! {
                let z = ::dl_core::quant::PreActivation::pre_activation(&self.#f, &x);
                ranges[#next].observe(z.as_slice(), #what, n)?;
                #then
            }
        }
        None => quote! {
            #forward
            ranges[#next].observe(x.as_slice(), #what, n)?;
        },
    }
}

/// Part `p` quantised with its input's parameters `pin`: the statement that gives its output
/// parameters `pout`, and the quantised layer; `None` for a layer with no int8 form of its
/// own (its output keeps its input's parameters).
fn quantized_layer(
    p: &Part,
    pin: &syn::Ident,
    pout: &syn::Ident,
    next: usize,
) -> Option<(TokenStream, TokenStream)> {
    let f = &p.layer.field;
    let observed = quote!(let #pout = ranges[#next].params(););
    let same = quote!(let #pout = #pin;);
    Some(match &p.form {
        QuantForm::Dense(a) => {
            let a = fused(*a);
            let layer = quote!(::dl_core::quant::QDense::from_float(&self.#f, #pin, #pout, #a)?);
            (observed, layer)
        }
        QuantForm::Conv2D { activation, .. } => {
            let a = fused(*activation);
            let layer = quote!(::dl_core::quant::QConv2D::from_float(&self.#f, #pin, #pout, #a)?);
            (observed, layer)
        }
        QuantForm::Pool { max: true, .. } => (same, quote!(::dl_core::quant::QMaxPool2D::new())),
        QuantForm::Pool { max: false, .. } => (same, quote!(::dl_core::quant::QAvgPool2D::new())),
        QuantForm::Flatten => (same, quote!(::dl_core::quant::QFlatten)),
        QuantForm::Skip => return None,
    })
}
