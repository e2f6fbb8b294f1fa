//! The network's int8 type, `{Name}I8`, for networks whose every layer has an int8 form
//! (`LayerKind::quant_form`: Dense with Relu, Identity, Sigmoid, Tanh or Softmax (last);
//! Conv2D with Relu, Identity, Sigmoid or Tanh; the pools; Flatten; Dropout, left out) and
//! whose sizes the macro knows. Relu and Identity are clamps fused into their layer; Sigmoid, Tanh and Softmax
//! are a field of their own after it (`{field}_sigmoid`...), as TFLite keeps them an operator
//! of their own:
//!
//! - `{Name}I8`: the input's quantisation and one `dl_core::quant` layer a field;
//!   `forward_i8` (int8 in, int8 out), `predict` (f32 in and out), `from_tflite` (an int8
//!   `.tflite` model checked against the declaration, errors naming the layer);
//! - `{Name}::<f32>::quantize(&calibration)`: post-training quantisation, activation ranges
//!   from the calibration samples (NaN or infinity refused).

mod calibrate;
mod image;
mod tflite;

use crate::model::{lit, Activation, Layer, Model, QuantForm};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// One layer of the int8 type: its field, type, and the pieces of each generated method.
pub(crate) struct Part<'a> {
    layer: &'a Layer,
    form: QuantForm,
    /// The int8 layer's type (none for a skipped layer).
    ty: Option<TokenStream>,
    /// The activation after it that is not a clamp (Sigmoid, Tanh, Softmax).
    act: Option<Act>,
}

/// An activation layer of the int8 type: `QSigmoid<N>`, `QTanh<N>` or `QSoftmax<N>`.
pub(crate) struct Act {
    field: syn::Ident,
    ty: TokenStream,
    kind: Activation,
    /// After a convolution: it maps the `C x H x W` image (`forward_image`).
    image: bool,
}

impl Part<'_> {
    /// The int8 type's fields for this layer, with their types and docs.
    fn slots(&self) -> Vec<(&syn::Ident, &TokenStream, String)> {
        let mut out = Vec::new();
        if let Some(ty) = &self.ty {
            let doc = format!(
                "Layer {}: `{}` in int8.",
                self.layer.number, self.layer.text
            );
            out.push((&self.layer.field, ty, doc));
        }
        if let Some(a) = &self.act {
            let doc = format!("Layer {}'s activation in int8.", self.layer.number);
            out.push((&a.field, &a.ty, doc));
        }
        out
    }
}

/// Every field of the int8 type, in order.
pub(crate) fn slots<'p>(parts: &'p [Part]) -> Vec<(&'p syn::Ident, &'p TokenStream, String)> {
    parts.iter().flat_map(Part::slots).collect()
}

pub fn expand(model: &Model) -> TokenStream {
    let Some(parts) = parts(model) else {
        return tflite::no_int8_type(model);
    };
    let vis = &model.vis;
    let ident = &model.ident;
    let name = format_ident!("{}I8", ident);
    let n_in = lit(model.input.flat.value.unwrap_or(1));
    let last = parts.last().map(|p| p.layer).expect("a network has layers");
    let n_out = lit(last.output.flat.value.unwrap_or(1));
    let slots = slots(&parts);
    let fields: Vec<_> = slots.iter().map(|s| s.0).collect();
    let tys: Vec<_> = slots.iter().map(|s| s.1).collect();
    let docs: Vec<_> = slots.iter().map(|s| &s.2).collect();
    let doc = format!(
        "[`{ident}`] in int8 (TFLite's quantisation scheme, `dl_core::quant`): from \
         [`{ident}::quantize`] or [`{name}::from_tflite`]."
    );
    let forward = forward(model, &parts);
    let from_tflite = tflite::from_tflite(&parts, &name, &fields);
    let compile_time = tflite::compile_time(model, &name);
    let quantize = calibrate::quantize(&parts, &name, &n_in);
    let output = output_params(&parts);
    let image = image::byte_image(&parts, ident, &name);
    quote! {
        #[doc = #doc]
        #[derive(Clone, Debug, PartialEq)]
        #vis struct #name {
            /// The input's scale and zero point.
            pub input: ::dl_core::quant::QuantParams,
            #( #[doc = #docs] pub #fields: #tys, )*
        }

        #[automatically_derived]
        impl #name {
            /// One sample, int8 in (`C, H, W` order for an image) and int8 out.
            pub fn forward_i8(&self, x: &[i8; #n_in]) -> [i8; #n_out] {
                #forward
            }

            /// The output's scale and zero point.
            pub fn output_params(&self) -> ::dl_core::quant::QuantParams {
                #output
            }

            /// One sample in f32: quantised, run in int8, dequantised.
            pub fn predict(
                &self,
                x: &::dl_core::nalgebra::SVector<f32, #n_in>,
            ) -> ::dl_core::nalgebra::SVector<f32, #n_out> {
                let q: [i8; #n_in] = ::core::array::from_fn(|i| self.input.quantize(x[i]));
                let (y, out) = (self.forward_i8(&q), self.output_params());
                ::dl_core::nalgebra::SVector::from_fn(|i, _| out.dequantize(y[i]))
            }

            #from_tflite
        }

        #image

        #compile_time

        #[automatically_derived]
        impl #ident<f32> {
            #quantize
        }
    }
}

fn parts(model: &Model) -> Option<Vec<Part<'_>>> {
    let count = model.layers.len();
    let mut parts = Vec::new();
    for (k, layer) in model.layers.iter().enumerate() {
        let form = layer.kind.quant_form()?;
        if !(layer.input.exact && layer.output.exact)
            || layer.input.flat.value.is_none()
            || layer.output.flat.value.is_none()
        {
            return None;
        }
        let mut act = None;
        let ty = match &form {
            QuantForm::Dense(a) => {
                let (i, o) = (flat(layer, true), flat(layer, false));
                act = match a {
                    Activation::Relu | Activation::Identity => None,
                    Activation::Softmax if k + 1 != count => return None,
                    Activation::LeakyRelu(_) => return None,
                    Activation::Sigmoid | Activation::Tanh | Activation::Softmax => {
                        Some(activation_part(layer, *a, &o, false))
                    }
                };
                Some(quote!(::dl_core::quant::QDense<#i, #o>))
            }
            QuantForm::Conv2D {
                kernel,
                stride,
                padding,
                activation,
            } => {
                act = match activation {
                    Activation::Relu | Activation::Identity => None,
                    Activation::Sigmoid | Activation::Tanh => Some(activation_part(
                        layer,
                        *activation,
                        &flat(layer, false),
                        true,
                    )),
                    Activation::Softmax | Activation::LeakyRelu(_) => return None,
                };
                let ([c, h, w], [co, oh, ow]) = (image(layer, true)?, image(layer, false)?);
                let (k, s, p) = (lit(*kernel), lit(*stride), lit(*padding));
                Some(quote!(::dl_core::quant::QConv2D<#c, #co, #k, #s, #p, #h, #w, #oh, #ow>))
            }
            QuantForm::Pool {
                max,
                kernel,
                stride,
            } => {
                let ([c, h, w], [_, oh, ow]) = (image(layer, true)?, image(layer, false)?);
                let (k, s) = (lit(*kernel), lit(*stride));
                let pool = if *max {
                    quote!(QMaxPool2D)
                } else {
                    quote!(QAvgPool2D)
                };
                Some(quote!(::dl_core::quant::#pool<#c, #k, #s, #h, #w, #oh, #ow>))
            }
            QuantForm::Flatten => {
                let [c, h, w] = image(layer, true)?;
                let n = flat(layer, false);
                Some(quote!(::dl_core::quant::QFlatten<#c, #h, #w, #n>))
            }
            QuantForm::Skip => None,
        };
        parts.push(Part {
            layer,
            form,
            ty,
            act,
        });
    }
    Some(parts)
}

/// The int8 layer of a dense layer's Sigmoid, Tanh or Softmax on `n` values (or a
/// convolution's Sigmoid or Tanh on its `n`-value image).
fn activation_part(layer: &Layer, a: Activation, n: &proc_macro2::Literal, image: bool) -> Act {
    let (name, ty) = match a {
        Activation::Sigmoid => ("sigmoid", quote!(::dl_core::quant::QSigmoid<#n>)),
        Activation::Tanh => ("tanh", quote!(::dl_core::quant::QTanh<#n>)),
        _ => ("softmax", quote!(::dl_core::quant::QSoftmax<#n>)),
    };
    Act {
        field: format_ident!("{}_{}", layer.field, name),
        ty,
        kind: a,
        image,
    }
}

fn flat(layer: &Layer, input: bool) -> proc_macro2::Literal {
    let shape = if input { &layer.input } else { &layer.output };
    lit(shape.flat.value.unwrap_or(1))
}

fn image(layer: &Layer, input: bool) -> Option<[proc_macro2::Literal; 3]> {
    let shape = if input { &layer.input } else { &layer.output };
    shape.image.map(|d| d.map(lit))
}

pub(crate) fn fused(a: Activation) -> TokenStream {
    match a {
        Activation::Relu => quote!(::dl_core::quant::FusedActivation::Relu),
        _ => quote!(::dl_core::quant::FusedActivation::Identity),
    }
}

/// `forward_i8`'s body: the value flows through each layer, as an image between image layers.
fn forward(model: &Model, parts: &[Part]) -> TokenStream {
    let mut body = match model.input.image {
        Some([c, h, w]) => {
            let (c, h, w, n) = (lit(c), lit(h), lit(w), lit(c * h * w));
            quote!(let x = ::dl_core::quant::QFlatten::<#c, #h, #w, #n>::unflatten(x);)
        }
        None => quote!(let x = *x;),
    };
    for p in parts {
        if p.ty.is_some() {
            let f = &p.layer.field;
            body.extend(quote!(let x = self.#f.forward(&x);));
        }
        if let Some(a) = &p.act {
            let (f, image) = (&a.field, a.image);
            body.extend(if image {
                quote!(let x = self.#f.forward_image(&x);)
            } else {
                quote!(let x = self.#f.forward(&x);)
            });
        }
    }
    body.extend(quote!(x));
    body
}

/// The output's quantisation: the last layer with weights or its activation (pools and
/// Flatten keep their input's), or the input's.
fn output_params(parts: &[Part]) -> TokenStream {
    match parts
        .iter()
        .rev()
        .find(|p| matches!(p.form, QuantForm::Dense(_) | QuantForm::Conv2D { .. }))
    {
        Some(p) => {
            let f = p.act.as_ref().map_or(&p.layer.field, |a| &a.field);
            quote!(self.#f.output)
        }
        None => quote!(self.input),
    }
}
