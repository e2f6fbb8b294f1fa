//! The network's int8 type, `{Name}I8`, for networks whose every layer has an int8 form
//! (`LayerKind::quant_form`: Dense and Conv2D with Relu or Identity, Softmax last, read as
//! its logits; the pools; Flatten; Dropout, left out) and whose sizes the macro knows:
//!
//! - `{Name}I8`: the input's quantisation and one `dl_core::quant` layer a field;
//!   `forward_i8` (int8 in, int8 out), `predict` (f32 in and out), `from_tflite` (an int8
//!   `.tflite` model checked against the declaration, errors naming the layer);
//! - `{Name}::<f32>::quantize(&calibration)`: post-training quantisation, activation ranges
//!   from the calibration samples (NaN or infinity refused).

use crate::model::{lit, Activation, Layer, Model, QuantForm};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// One layer of the int8 type: its field, type, and the pieces of each generated method.
struct Part<'a> {
    layer: &'a Layer,
    form: QuantForm,
    /// The int8 layer's type (none for a skipped layer).
    ty: Option<TokenStream>,
}

pub fn expand(model: &Model) -> TokenStream {
    let Some(parts) = parts(model) else {
        return TokenStream::new();
    };
    let vis = &model.vis;
    let ident = &model.ident;
    let name = format_ident!("{}I8", ident);
    let n_in = lit(model.input.flat.value.unwrap_or(1));
    let last = parts.last().map(|p| p.layer).expect("a network has layers");
    let n_out = lit(last.output.flat.value.unwrap_or(1));
    let fields: Vec<_> = parts
        .iter()
        .filter(|p| p.ty.is_some())
        .map(|p| &p.layer.field)
        .collect();
    let tys: Vec<_> = parts.iter().filter_map(|p| p.ty.as_ref()).collect();
    let docs: Vec<_> = parts
        .iter()
        .filter(|p| p.ty.is_some())
        .map(|p| format!("Layer {}: `{}` in int8.", p.layer.number, p.layer.text))
        .collect();
    let doc = format!(
        "[`{ident}`] in int8 (TFLite's quantisation scheme, `dl_core::quant`): from \
         [`{ident}::quantize`] or [`{name}::from_tflite`]."
    );
    let forward = forward(model, &parts);
    let imports = imports(&parts);
    let quantize = quantize(&parts, &name, &n_in);
    let output = output_params(&parts);
    let image = byte_image(&parts, ident, &name);
    quote! {
        #[doc = #doc]
        #[derive(Clone, Debug, PartialEq)]
        #vis struct #name {
            /// The input's scale and zero point.
            pub input: ::dl_core::quant::QuantParams,
            #( #[doc = #docs] pub #fields: #tys, )*
        }

        impl #name {
            /// One sample, int8 in (`C, H, W` order for an image) and int8 out (a Softmax
            /// layer's logits).
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

            /// An int8 `.tflite` model imported into this declaration: every operator, shape,
            /// tensor type and quantisation parameter checked; an error names the layer.
            pub fn from_tflite(bytes: &[u8]) -> ::core::result::Result<Self, ::dl_core::tflite::TfliteError> {
                let mut model = ::dl_core::tflite::Importer::new(bytes)?;
                let input = model.input_params()?;
                #imports
                model.finish()?;
                Ok(#name { input, #( #fields, )* })
            }
        }

        #image

        impl #ident<f32> {
            #quantize
        }
    }
}

/// The int8 byte image (`dl_core::quant::image`): `BYTES`, `export_bytes`, and the `const`
/// `from_bytes` that `include_network!(NameI8, "file")` runs in the compiler.
fn byte_image(parts: &[Part], ident: &syn::Ident, name: &syn::Ident) -> TokenStream {
    let with: Vec<_> = parts.iter().filter(|p| p.ty.is_some()).collect();
    let fields: Vec<_> = with.iter().map(|p| &p.layer.field).collect();
    let tys: Vec<_> = with
        .iter()
        .map(|p| p.ty.as_ref().expect("filtered"))
        .collect();
    quote! {
        impl #name {
            /// What the image's header says: 1-byte scalars, the float declaration's
            /// fingerprint, the payload's length.
            const LAYOUT: ::dl_core::bytes::Layout = ::dl_core::bytes::Layout {
                scalar_bytes: 1,
                architecture: ::dl_core::bytes::fingerprint(
                    &<#ident<f32> as ::dl_core::network::Network>::SUMMARY,
                ),
                params: 8 #( + <#tys>::IMAGE_BYTES )*,
            };

            /// Bytes of the int8 parameter image (header included).
            pub const BYTES: usize = Self::LAYOUT.bytes();

            /// Writes the int8 image into `out` (exactly [`Self::BYTES`] long).
            pub fn export_bytes(&self, out: &mut [u8]) -> ::core::result::Result<(), ::dl_core::bytes::BytesError> {
                if out.len() != Self::BYTES {
                    return Err(::dl_core::bytes::BytesError::Length { expected: Self::BYTES, found: out.len() });
                }
                let mut w = ::dl_core::quant::image::Writer::new(out, ::dl_core::bytes::HEADER_BYTES);
                w.params(self.input);
                #( self.#fields.write_image(&mut w); )*
                Self::LAYOUT.write_header(out);
                Ok(())
            }

            /// Reads an int8 image: header (magic, version, scalar size, architecture,
            /// length, checksum) then every quantisation parameter checked. `const`, for
            /// `include_network!`.
            pub const fn from_bytes(image: &[u8]) -> ::core::result::Result<Self, ::dl_core::bytes::BytesError> {
                if let Err(e) = Self::LAYOUT.check(image) {
                    return Err(e);
                }
                let mut r = ::dl_core::quant::image::Reader::new(image, ::dl_core::bytes::HEADER_BYTES);
                let input = match r.params() {
                    Ok(p) => p,
                    Err(e) => return Err(e),
                };
                #(
                    let #fields = match <#tys>::read_image(&mut r) {
                        Ok(l) => l,
                        Err(e) => return Err(e),
                    };
                )*
                Ok(#name { input, #( #fields, )* })
            }
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
        let fused = |a: Activation| match a {
            Activation::Relu | Activation::Identity => Some(()),
            Activation::Softmax if k + 1 == count => Some(()),
            _ => None,
        };
        let ty = match &form {
            QuantForm::Dense(a) => {
                fused(*a)?;
                let (i, o) = (flat(layer, true), flat(layer, false));
                Some(quote!(::dl_core::quant::QDense<#i, #o>))
            }
            QuantForm::Conv2D {
                kernel,
                stride,
                padding,
                activation,
            } => {
                fused(*activation)?;
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
        parts.push(Part { layer, form, ty });
    }
    Some(parts)
}

fn flat(layer: &Layer, input: bool) -> proc_macro2::Literal {
    let shape = if input { &layer.input } else { &layer.output };
    lit(shape.flat.value.unwrap_or(1))
}

fn image(layer: &Layer, input: bool) -> Option<[proc_macro2::Literal; 3]> {
    let shape = if input { &layer.input } else { &layer.output };
    shape.image.map(|d| d.map(lit))
}

fn fused(a: Activation) -> TokenStream {
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
    for p in parts.iter().filter(|p| p.ty.is_some()) {
        let f = &p.layer.field;
        body.extend(quote!(let x = self.#f.forward(&x);));
    }
    body.extend(quote!(x));
    body
}

/// The output's quantisation: the last layer with weights (pools and Flatten keep their
/// input's), or the input's.
fn output_params(parts: &[Part]) -> TokenStream {
    match parts
        .iter()
        .rev()
        .find(|p| matches!(p.form, QuantForm::Dense(_) | QuantForm::Conv2D { .. }))
    {
        Some(p) => {
            let f = &p.layer.field;
            quote!(self.#f.output)
        }
        None => quote!(self.input),
    }
}

/// `from_tflite`'s calls, one per layer (skipped layers call nothing).
fn imports(parts: &[Part]) -> TokenStream {
    let mut out = TokenStream::new();
    for p in parts {
        let f = &p.layer.field;
        let call = match &p.form {
            QuantForm::Dense(a) => {
                let a = fused(*a);
                quote!(model.dense(#a)?)
            }
            QuantForm::Conv2D { activation, .. } => {
                let a = fused(*activation);
                quote!(model.conv2d(#a)?)
            }
            QuantForm::Pool { max: true, .. } => quote!(model.max_pool2d()?),
            QuantForm::Pool { max: false, .. } => quote!(model.avg_pool2d()?),
            QuantForm::Flatten => quote!(model.flatten()?),
            QuantForm::Skip => {
                out.extend(quote!(model.skip();));
                continue;
            }
        };
        out.extend(quote!(let #f = #call;));
    }
    out
}

/// `{Name}::<f32>::quantize`: ranges observed layer by layer over the calibration samples,
/// then each layer quantised with its input's and output's parameters.
fn quantize(parts: &[Part], name: &syn::Ident, n_in: &proc_macro2::Literal) -> TokenStream {
    let n = parts.len();
    let mut observe = TokenStream::new();
    let mut build = quote!(let p0 = ranges[0].params(););
    let mut fields = Vec::new();
    for (k, p) in parts.iter().enumerate() {
        let f = &p.layer.field;
        let (pin, pout) = (format_ident!("p{}", k), format_ident!("p{}", k + 1));
        let what = format!("layer {} output", p.layer.number);
        let next = k + 1;
        let run = match &p.form {
            QuantForm::Dense(Activation::Softmax) => {
                quote!(let x = self.#f.weight * x + self.#f.bias;)
            }
            _ => quote!(let x = ::dl_core::layer::Layer::forward(&self.#f, &x);),
        };
        observe.extend(quote! {
            #run
            ranges[#next].observe(x.as_slice(), #what, n)?;
        });
        let layer = match &p.form {
            QuantForm::Dense(a) => {
                let a = fused(*a);
                build.extend(quote!(let #pout = ranges[#next].params();));
                quote!(::dl_core::quant::QDense::from_float(&self.#f, #pin, #pout, #a)?)
            }
            QuantForm::Conv2D { activation, .. } => {
                let a = fused(*activation);
                build.extend(quote!(let #pout = ranges[#next].params();));
                quote!(::dl_core::quant::QConv2D::from_float(&self.#f, #pin, #pout, #a)?)
            }
            QuantForm::Pool { max: true, .. } => {
                build.extend(quote!(let #pout = #pin;));
                quote!(::dl_core::quant::QMaxPool2D::new())
            }
            QuantForm::Pool { max: false, .. } => {
                build.extend(quote!(let #pout = #pin;));
                quote!(::dl_core::quant::QAvgPool2D::new())
            }
            QuantForm::Flatten => {
                build.extend(quote!(let #pout = #pin;));
                quote!(::dl_core::quant::QFlatten)
            }
            QuantForm::Skip => {
                build.extend(quote!(let #pout = #pin;));
                continue;
            }
        };
        build.extend(quote!(let #f = #layer;));
        fields.push(f);
    }
    let size = n + 1;
    quote! {
        /// Post-training quantisation to int8 (TFLite's scheme): each activation's range is
        /// observed over `calibration` (NaN or infinity is refused, naming the sample), the
        /// weights are quantised per output channel, symmetric, the biases to int32.
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
