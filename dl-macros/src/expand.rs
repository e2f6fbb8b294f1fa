//! Emits the checked model as plain Rust: a struct of layers, its gradient and cache structs,
//! and impls of `Params` and `Network`. The output is meant to read like code written by hand
//! (`cargo expand` shows it).

use crate::valid::{Activation, Kind, Layer, Model, Shape};
use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::Ident;

pub fn expand(model: &Model) -> TokenStream {
    let Model {
        attrs, vis, ident, ..
    } = model;
    let grad = format_ident!("{}Gradient", ident);
    let cache = format_ident!("{}Cache", ident);
    let name = ident.to_string();

    if model.layers.is_empty() {
        return quote! {
            #(#attrs)*
            #vis struct #ident<T = f32>(::core::marker::PhantomData<T>);
        };
    }

    let fields: Vec<_> = model.layers.iter().map(|l| &l.field).collect();
    let layer_tys: Vec<_> = model.layers.iter().map(layer_ty).collect();
    let grad_tys: Vec<_> = model.layers.iter().map(grad_ty).collect();
    let cache_tys: Vec<_> = model.layers.iter().map(cache_ty).collect();
    let input_dim = &model.input.flat.tokens;
    let input_shape = shape_dims(&model.input);
    let last = model.layers.last().expect("checked non-empty");
    let output_dim = &last.outputs().tokens;
    let last_field = &last.field;
    let last_act = activation_ty(last);
    let n_layers = model.layers.len();
    let n_layers_lit = lit(n_layers);
    let batched = crate::batch::batched(model, &layer_tys, &last_act);
    let (batch_item, batch_network_items) = (&batched.item, &batched.network_items);

    // Tensor numbering: each Dense or Conv2D layer owns two (weight, bias), the others none.
    let mut tensor_arms = Vec::new();
    let mut tensor_mut_arms = Vec::new();
    let mut kind_arms = Vec::new();
    // PyTorch module index of each layer: the sum of the modules before it.
    let mut layout_arms = Vec::new();
    let mut module = quote!(0);
    let mut first = 0usize;
    for ((l, ty), layer_ty) in model.layers.iter().zip(&grad_tys).zip(&layer_tys) {
        let modules = module.clone();
        module = quote!(#module + <#layer_ty as Layer<T>>::TORCH_MODULES);
        if !matches!(l.kind, Kind::Dense { .. } | Kind::Conv2D { .. }) {
            continue;
        }
        let f = &l.field;
        let (lo, hi) = (lit(first), lit(first + 1));
        let local = if first == 0 {
            quote!(i)
        } else {
            quote!(i - #lo)
        };
        tensor_arms.push(quote! { #lo..=#hi => self.#f.tensor(#local), });
        tensor_mut_arms.push(quote! { #lo..=#hi => self.#f.tensor_mut(#local), });
        kind_arms.push(quote! { #lo..=#hi => <#ty as Params<T>>::tensor_kind(#local), });
        layout_arms
            .push(quote! { #lo..=#hi => self.#f.tensor_layout(#local).in_module(#modules), });
        first += 2;
    }
    let tensors = lit(first);

    // Backward, from the last layer's dL/dz to the first layer.
    let mut backward = Vec::new();
    for k in (0..n_layers).rev() {
        let l = &model.layers[k];
        let f = &l.field;
        let dz = if k + 1 == n_layers {
            quote!(dz)
        } else {
            let d = format_ident!("d{}", k + 1);
            quote!(&#d)
        };
        if k == 0 {
            backward.push(quote! {
                self.#f.backward_preact(x, &cache.#f, #dz, &mut grads.#f, d_input);
            });
        } else {
            let prev = &model.layers[k - 1];
            let pf = &prev.field;
            let pdim = &prev.outputs().tokens;
            let d = format_ident!("d{}", k);
            backward.push(quote! {
                let mut #d = SVector::<T, #pdim>::zeros();
                self.#f.backward_preact(cache.#pf.output(), &cache.#f, #dz, &mut grads.#f, Some(&mut #d));
                self.#pf.activation_backward(&cache.#pf, &mut #d);
            });
        }
    }

    // Forward passes.
    let mut forward = Vec::new();
    for (k, l) in model.layers.iter().enumerate() {
        let f = &l.field;
        let src = if k == 0 { quote!(x) } else { quote!(&x) };
        forward.push(quote! { let x = self.#f.forward(#src); });
    }
    // The passes that fill the cache, layer by layer: `forward_train`, or `forward_eval`.
    let cache_pass = |method: Ident| -> Vec<TokenStream> {
        let mut steps = Vec::new();
        for (k, l) in model.layers.iter().enumerate() {
            let f = &l.field;
            if k == 0 {
                steps.push(quote! { self.#f.#method(x, &mut cache.#f); });
            } else {
                let pf = &model.layers[k - 1].field;
                steps.push(quote! { self.#f.#method(cache.#pf.output(), &mut cache.#f); });
            }
        }
        steps
    };
    let forward_train = cache_pass(format_ident!("forward_train"));

    let summary_rows = model.layers.iter().map(|l| {
        let field = l.field.to_string();
        let text = &l.text;
        let out = shape_dims(&l.output);
        let params = param_count(l);
        quote! {
            LayerInfo { name: #field, layer: #text, output: &[#out], params: #params },
        }
    });
    let param_counts = model.layers.iter().map(param_count);
    // Where each layer's parameters start in the flat `from_scalars` slice.
    let scalar_offsets = model.layers.iter().scan(quote!(0), |offset, l| {
        let start = offset.clone();
        let count = param_count(l);
        *offset = quote!(#start + #count);
        Some(start)
    });

    let links = model.links.iter().map(|link| {
        let (layer, previous) = (link.layer, link.previous);
        let produces = &link.produces.tokens;
        let expects = &link.expects.tokens;
        let span = link.expects.span;
        quote_spanned! {span=>
            const _: () = ::dl_core::shape::fits::<
                ::dl_core::shape::Link, #layer, #previous, #produces, #expects
            >();
        }
    });
    let nonzero = model.nonzero.iter().map(|(dim, msg)| {
        let tokens = &dim.tokens;
        let span = dim.span;
        quote_spanned! {span=>
            #[allow(unused_braces)]
            const _: usize = ::dl_core::shape::nonzero(#tokens, #msg);
        }
    });

    let cache_zeros = model
        .layers
        .iter()
        .zip(&layer_tys)
        .map(|(l, ty)| match l.kind {
            Kind::Dropout(_) => {
                let seed = l.dropout_seed();
                quote!(::dl_core::layer::DropoutCache::seeded(#seed))
            }
            _ => quote!(<#ty as Layer<T>>::CACHE_ZERO),
        });
    let dropouts: Vec<_> = model
        .layers
        .iter()
        .filter(|l| matches!(l.kind, Kind::Dropout(_)))
        .collect();
    let forward_eval = if dropouts.is_empty() {
        quote!()
    } else {
        let steps = cache_pass(format_ident!("forward_eval"));
        quote! {
            #[inline]
            fn forward_eval(&self, x: &Self::Input, cache: &mut #cache<T>) {
                #(#steps)*
            }
        }
    };
    let seed_dropout = if dropouts.is_empty() {
        quote!()
    } else {
        let fields = dropouts.iter().map(|l| &l.field);
        let seeds = dropouts.iter().map(|l| l.dropout_seed());
        quote! {
            /// Restarts the masks of every Dropout layer from `seed`, in the workspace's cache
            /// (used by `train_sample`) and in its batch buffers (used by `train_batch`): the
            /// same seed gives the same masks in the same order. Each layer mixes in its own
            /// constant, so two Dropout layers never share a mask.
            pub fn seed_dropout(ws: &mut ::dl_core::train::Workspace<Self>, seed: u64) {
                #(
                    ws.cache.#fields.rng = Rng::new(seed ^ #seeds);
                    for cache in &mut ws.batch.#fields.caches {
                        cache.rng = Rng::new(seed ^ #seeds);
                    }
                )*
            }
        }
    };

    let grad_doc = format!("Gradients of every parameter of [`{name}`], shaped like it.");
    let cache_doc = format!(
        "What [`{name}`]'s training forward pass keeps for backward: each layer's \
         pre-activations and outputs."
    );

    quote! {
        #(#attrs)*
        #[derive(Clone, Debug, PartialEq)]
        #vis struct #ident<T: ::dl_core::float::Float = f32> {
            #( #vis #fields: #layer_tys, )*
        }

        #[doc = #grad_doc]
        #[derive(Clone, Debug, PartialEq)]
        #vis struct #grad<T: ::dl_core::float::Float = f32> {
            #( #vis #fields: #grad_tys, )*
        }

        #[doc = #cache_doc]
        #[derive(Clone, Debug, PartialEq)]
        #vis struct #cache<T: ::dl_core::float::Float = f32> {
            #( #vis #fields: #cache_tys, )*
        }

        #batch_item

        #(#links)*
        #(#nonzero)*

        const _: () = {
            use ::dl_core::float::Float;
            use ::dl_core::layer::{Dense, DenseCache, DenseGrad, Layer, LayerCache};
            use ::dl_core::layout::TensorLayout;
            use ::dl_core::loss::Loss;
            use ::dl_core::nalgebra::SVector;
            use ::dl_core::network::{Network, Params, TensorKind, Vector};
            use ::dl_core::rng::Rng;
            use ::dl_core::summary::{LayerInfo, Summary};

            impl<T: Float> Params<T> for #ident<T> {
                const TENSORS: usize = #tensors;
                const COUNT: usize = 0 #( + #param_counts )*;
                const ZERO: Self = #ident {
                    #( #fields: <#layer_tys as Params<T>>::ZERO, )*
                };

                fn tensor(&self, i: usize) -> &[T] {
                    match i {
                        #(#tensor_arms)*
                        _ => &[],
                    }
                }

                fn tensor_mut(&mut self, i: usize) -> &mut [T] {
                    match i {
                        #(#tensor_mut_arms)*
                        _ => &mut [],
                    }
                }

                fn tensor_kind(i: usize) -> TensorKind {
                    match i {
                        #(#kind_arms)*
                        _ => TensorKind::Weight,
                    }
                }

                fn tensor_layout(&self, i: usize) -> TensorLayout {
                    match i {
                        #(#layout_arms)*
                        _ => TensorLayout::vector("none", 0),
                    }
                }
            }

            impl<T: Float> Params<T> for #grad<T> {
                const TENSORS: usize = #tensors;
                const COUNT: usize = <#ident<T> as Params<T>>::COUNT;
                const ZERO: Self = #grad {
                    #( #fields: <#grad_tys as Params<T>>::ZERO, )*
                };

                fn tensor(&self, i: usize) -> &[T] {
                    match i {
                        #(#tensor_arms)*
                        _ => &[],
                    }
                }

                fn tensor_mut(&mut self, i: usize) -> &mut [T] {
                    match i {
                        #(#tensor_mut_arms)*
                        _ => &mut [],
                    }
                }

                fn tensor_kind(i: usize) -> TensorKind {
                    <#ident<T> as Params<T>>::tensor_kind(i)
                }

                fn tensor_layout(&self, i: usize) -> TensorLayout {
                    match i {
                        #(#layout_arms)*
                        _ => TensorLayout::vector("none", 0),
                    }
                }
            }

            impl<T: Float> Network for #ident<T> {
                type Scalar = T;
                type Input = SVector<T, #input_dim>;
                type Output = SVector<T, #output_dim>;
                type Cache = #cache<T>;
                type Gradient = #grad<T>;

                const INPUTS: usize = #input_dim;
                const OUTPUTS: usize = #output_dim;
                const LAYERS: usize = #n_layers_lit;
                const CACHE_ZERO: #cache<T> = #cache {
                    #( #fields: #cache_zeros, )*
                };

                fn init(&mut self, seed: u64) {
                    let mut rng = Rng::new(seed);
                    #( self.#fields.init(&mut rng); )*
                }

                #[inline]
                fn forward(&self, x: &Self::Input) -> Self::Output {
                    #(#forward)*
                    x
                }

                #[inline]
                fn forward_train(&self, x: &Self::Input, cache: &mut #cache<T>) {
                    #(#forward_train)*
                }

                #forward_eval

                #[inline]
                fn output(cache: &#cache<T>) -> &Self::Output {
                    cache.#last_field.output()
                }

                fn backward(
                    &self,
                    x: &Self::Input,
                    cache: &#cache<T>,
                    d_output: &Self::Output,
                    grads: &mut #grad<T>,
                    d_input: Option<&mut Self::Input>,
                ) {
                    let mut dz = *d_output;
                    self.#last_field.activation_backward(&cache.#last_field, &mut dz);
                    self.backward_layers(x, cache, &dz, grads, d_input);
                }

                #[inline]
                fn loss<L: Loss>(cache: &#cache<T>, target: &Self::Output) -> T {
                    let last = &cache.#last_field;
                    L::value::<T, #last_act>(
                        last.preactivation().as_slice(),
                        last.output().as_slice(),
                        target.as_slice(),
                    )
                }

                #[inline]
                fn loss_backward<L: Loss>(
                    &self,
                    x: &Self::Input,
                    cache: &#cache<T>,
                    target: &Self::Output,
                    grads: &mut #grad<T>,
                    d_input: Option<&mut Self::Input>,
                ) -> T {
                    let last = &cache.#last_field;
                    let mut dz = <Self::Output as Vector<T>>::ZERO;
                    let loss = L::value_and_gradient::<T, #last_act>(
                        last.preactivation().as_slice(),
                        last.output().as_slice(),
                        target.as_slice(),
                        dz.as_mut_slice(),
                    );
                    self.backward_layers(x, cache, &dz, grads, d_input);
                    loss
                }

                const SUMMARY: Summary = Summary {
                    name: #name,
                    input: &[#input_shape],
                    layers: &[ #(#summary_rows)* ],
                    scalar_bytes: ::core::mem::size_of::<T>(),
                };

                #batch_network_items
            }

            impl<T: Float> #ident<T> {
                /// The network with parameters `scalars`, laid out tensor by tensor in
                /// `Params::tensor` order; `None` unless there are exactly `PARAMS` of them.
                /// A `const fn`, so `dl_core::include_network!` builds networks in `static`s.
                pub const fn from_scalars(scalars: &[T]) -> Option<Self> {
                    if scalars.len() != <Self as Params<T>>::COUNT {
                        return None;
                    }
                    Some(#ident {
                        #( #fields: <#layer_tys>::from_scalars(scalars, #scalar_offsets), )*
                    })
                }

                /// Backpropagates `dz`, the loss gradient at the last layer's pre-activations,
                /// through every layer.
                #[inline]
                fn backward_layers(
                    &self,
                    x: &SVector<T, #input_dim>,
                    cache: &#cache<T>,
                    dz: &SVector<T, #output_dim>,
                    grads: &mut #grad<T>,
                    d_input: Option<&mut SVector<T, #input_dim>>,
                ) {
                    #(#backward)*
                }
                #seed_dropout
            }
        };
    }
}

/// An integer literal without a suffix, as a person would write it.
fn lit(n: usize) -> proc_macro2::Literal {
    proc_macro2::Literal::usize_unsuffixed(n)
}

fn activation_ty(layer: &Layer) -> TokenStream {
    match layer.activation() {
        Activation::Identity => quote!(::dl_core::activation::Identity),
        Activation::Sigmoid => quote!(::dl_core::activation::Sigmoid),
        Activation::Tanh => quote!(::dl_core::activation::Tanh),
        Activation::Relu => quote!(::dl_core::activation::Relu),
        Activation::Softmax => quote!(::dl_core::activation::Softmax),
        Activation::LeakyRelu(s) => {
            quote!(::dl_core::activation::LeakyRelu<{ ::dl_core::activation::slope(#s) }>)
        }
    }
}

/// A shape's sizes for `summary()`: `8, 4, 4` for an image, the length for a vector.
fn shape_dims(shape: &Shape) -> TokenStream {
    match shape.image {
        Some(dims) => {
            let dims = dims.map(lit);
            quote!(#(#dims),*)
        }
        None => shape.flat.tokens.clone(),
    }
}

/// An image shape's `[c, h, w]` as literals (the macro always knows them for image layers).
fn image(shape: &Shape) -> [Literal; 3] {
    shape.image.unwrap_or([1, 1, 1]).map(lit)
}

/// The layer's type in the struct. Its input size is the previous layer's output size, so the
/// generated code is consistent even when the user's sizes are not: the mismatch is reported
/// once, by the macro or by the `fits` check, and never again as a type error.
fn layer_ty(layer: &Layer) -> TokenStream {
    let act = activation_ty(layer);
    let (n_in, n_out) = (&layer.chained_inputs, &layer.output.flat.tokens);
    match &layer.kind {
        Kind::Dense { outputs, .. } => {
            let o = &outputs.tokens;
            quote!(::dl_core::layer::Dense<T, #n_in, #o, #act>)
        }
        Kind::Conv2D {
            kernel,
            stride,
            padding,
            ..
        } => {
            let [c, h, w] = image(&layer.input);
            let [co, ..] = image(&layer.output);
            let patch = lit(layer.input.image.map_or(1, |d| d[0]) * kernel * kernel);
            let (k, s, p) = (lit(*kernel), lit(*stride), lit(*padding));
            quote!(::dl_core::layer::Conv2D<T, #c, #h, #w, #co, #k, #s, #p, #patch, #n_in, #n_out, #act>)
        }
        Kind::MaxPool2D(pool) | Kind::AvgPool2D(pool) => {
            let [c, h, w] = image(&layer.input);
            let (k, s) = (lit(pool.kernel), lit(pool.stride));
            let name = if matches!(layer.kind, Kind::MaxPool2D(_)) {
                quote!(MaxPool2D)
            } else {
                quote!(AvgPool2D)
            };
            quote!(::dl_core::layer::#name<T, #c, #h, #w, #k, #s, #n_in, #n_out>)
        }
        Kind::Flatten => quote!(::dl_core::layer::Flatten<T, #n_out>),
        Kind::Dropout(rate) => {
            quote!(::dl_core::layer::Dropout<T, #n_out, { ::dl_core::layer::rate(#rate) }>)
        }
    }
}

fn grad_ty(layer: &Layer) -> TokenStream {
    match &layer.kind {
        Kind::Dense { outputs, .. } => {
            let (i, o) = (&layer.chained_inputs, &outputs.tokens);
            quote!(::dl_core::layer::DenseGrad<T, #i, #o>)
        }
        Kind::Conv2D { .. } => {
            let (co, patch) = conv_sizes(layer);
            quote!(::dl_core::layer::Conv2DGrad<T, #co, #patch>)
        }
        _ => quote!(::dl_core::layer::NoGrad<T>),
    }
}

fn cache_ty(layer: &Layer) -> TokenStream {
    let o = &layer.output.flat.tokens;
    match &layer.kind {
        Kind::Dense { .. } => quote!(::dl_core::layer::DenseCache<T, #o>),
        Kind::Conv2D { .. } => quote!(::dl_core::layer::Conv2DCache<T, #o>),
        Kind::MaxPool2D(_) => quote!(::dl_core::layer::MaxPool2DCache<T, #o>),
        Kind::AvgPool2D(_) | Kind::Flatten => quote!(::dl_core::layer::OutputCache<T, #o>),
        Kind::Dropout(_) => quote!(::dl_core::layer::DropoutCache<T, #o>),
    }
}

/// A convolution's output channels and patch length `C_in * K * K`.
fn conv_sizes(layer: &Layer) -> (Literal, Literal) {
    let Kind::Conv2D { kernel, .. } = &layer.kind else {
        unreachable!("conv_sizes on a Conv2D layer")
    };
    let [c, ..] = layer.input.image.unwrap_or([1, 1, 1]);
    let [co, ..] = layer.output.image.unwrap_or([1, 1, 1]);
    (lit(co), lit(c * kernel * kernel))
}

fn param_count(layer: &Layer) -> TokenStream {
    match &layer.kind {
        Kind::Dense { outputs, .. } => {
            let (i, o) = (&layer.chained_inputs, &outputs.tokens);
            quote!((#i * #o + #o))
        }
        Kind::Conv2D { kernel, .. } => {
            let [c, ..] = layer.input.image.unwrap_or([1, 1, 1]);
            let [co, ..] = layer.output.image.unwrap_or([1, 1, 1]);
            let n = lit(co * c * kernel * kernel + co);
            quote!(#n)
        }
        _ => quote!(0),
    }
}
