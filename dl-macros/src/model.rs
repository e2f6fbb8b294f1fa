//! The checked network, as the emitting code reads it: the model types that the checking side
//! (`check`, `shape`, `layers`) builds and the emitting side (`emit`) reads. Every module
//! imports this one and it imports none of them, so the macro's modules form no cycle.

use proc_macro2::{Literal, Span, TokenStream};
use quote::ToTokens;
use syn::{Attribute, Ident, Visibility};

pub struct Model {
    pub attrs: Vec<Attribute>,
    pub vis: Visibility,
    pub ident: Ident,
    /// The network's input shape: the declared `input: [C, H, W]`, else the first layer's.
    pub input: Shape,
    pub layers: Vec<Layer>,
    /// Boundaries whose sizes the macro could not evaluate; rustc checks them.
    pub links: Vec<Link>,
    /// Non-literal sizes that must be checked to be non-zero.
    pub nonzero: Vec<(Dim, String)>,
    /// The declared `stack_budget: <bytes>,`, if any.
    pub stack_budget: Option<syn::Expr>,
    /// The declared `#[tflite("...")]`: a model imported at compile time.
    pub tflite: Option<TfliteAttr>,
}

/// `#[tflite(...)]` on the network (read by `tflite`).
pub struct TfliteAttr {
    /// What `include_bytes!` gets.
    pub path: syn::Expr,
    /// The path as messages show it.
    pub shown: String,
    /// The whole attribute, for spans.
    pub tokens: TokenStream,
}

pub struct Layer {
    pub field: Ident,
    /// 1-based position in the declaration.
    pub number: usize,
    /// The shape the layer receives (the previous layer's output) and the one it produces.
    pub input: Shape,
    pub output: Shape,
    /// The input size the generated type uses: the previous layer's output size (the user's
    /// own for the first layer), so a mismatch is reported once and never cascades.
    pub chained_inputs: TokenStream,
    /// The declaration's tokens, for spans.
    pub tokens: TokenStream,
    /// As written: `Dense<2, 4, Sigmoid>`.
    pub text: String,
    pub kind: Box<dyn LayerKind>,
}

/// What each layer kind (`layers/*.rs`, one file a kind) tells the network: its shapes, its
/// types and its parameter count. The network-level rules (names, links, Softmax's position)
/// are not here; they live in `check`.
pub trait LayerKind {
    /// The activation on the layer's output, as written (none for layers without one).
    fn activation(&self) -> Option<&ActivationArg> {
        None
    }
    /// The input size the user declared, which the previous layer's output must match.
    fn declared_inputs(&self) -> Option<&Dim> {
        None
    }
    /// The sizes the user wrote that rustc must check to be at least 1.
    fn sizes(&self) -> Vec<&Dim> {
        Vec::new()
    }
    /// The shape the layer receives and the one it produces, from what it is given;
    /// shapes that cannot work are reported through `report`.
    fn shapes(&self, received: Received, report: &mut dyn FnMut(String)) -> (Shape, Shape);
    /// What a message about the layer's output size adds after the size: for Flatten, the
    /// image the vector came from, ` (16 x 2 x 2)`.
    fn output_note(&self, _layer: &Layer) -> String {
        String::new()
    }
    /// The layer's type in the network struct.
    fn layer_ty(&self, layer: &Layer) -> TokenStream;
    /// The type of its parameter gradients.
    fn grad_ty(&self, _layer: &Layer) -> TokenStream {
        quote::quote!(::dl_core::layer::NoGrad<T>)
    }
    /// The type of its training cache.
    fn cache_ty(&self, layer: &Layer) -> TokenStream;
    /// Its number of parameters, as a `usize` expression.
    fn param_count(&self, _layer: &Layer) -> TokenStream {
        quote::quote!(0)
    }
    /// Its number of parameter tensors (weight and bias: 2).
    fn tensors(&self) -> usize {
        0
    }
    /// Whether the layer has a batched kernel, so the network's batched pass runs many
    /// samples at once.
    fn batched(&self) -> bool {
        false
    }
    /// How many modules the layer is in PyTorch's `nn.Sequential`: itself, and its
    /// activation unless that is the identity (as `dl_core::layer::Layer::TORCH_MODULES`).
    fn torch_modules(&self) -> usize {
        match self.activation() {
            Some(a) if a.activation != Activation::Identity => 2,
            _ => 1,
        }
    }
    /// The seed of the masks a Dropout layer draws, for layers that draw random masks.
    fn mask_seed(&self, _layer: &Layer) -> Option<u64> {
        None
    }
    /// For the stack-size consts: a convolution's patch length (`C_in * K * K`) and output
    /// channels (`C_out`), which size its temporaries; `(0, 0)` for other layers.
    fn patch(&self) -> (usize, usize) {
        (0, 0)
    }
    /// Whether the layer's passes take working memory from the network's cache and batch
    /// buffers (`dl_core::layer::Layer::SCRATCH`), through its `*_in` methods.
    fn scratch(&self) -> bool {
        false
    }
    /// The layer's form in the network's int8 type (`emit::quantized`); `None` if it has
    /// none, and then the network gets no int8 type.
    fn quant_form(&self) -> Option<QuantForm> {
        None
    }
}

/// A layer in the network's int8 type (`dl_core::quant`).
pub enum QuantForm {
    /// `QDense<I, O>`, its activation fused as a clamp.
    Dense(Activation),
    /// `QConv2D<C_in, C_out, K, S, P, H, W, OH, OW>`.
    Conv2D {
        kernel: usize,
        stride: usize,
        padding: usize,
        activation: Activation,
    },
    /// `QMaxPool2D` (`max`) or `QAvgPool2D`, `<C, K, S, H, W, OH, OW>`.
    Pool {
        max: bool,
        kernel: usize,
        stride: usize,
    },
    /// `QFlatten<C, H, W, N>`.
    Flatten,
    /// Left out of the int8 network (Dropout: the identity at inference).
    Skip,
}

/// The shape a layer is given, and who gives it, for messages.
pub struct Received<'a> {
    pub shape: Option<Shape>,
    pub src: &'a Source,
}

/// Who produced the shape a layer receives, for messages: "layer 2 (MaxPool2D<2>) produces
/// (8, 4, 4)", "the network's input is (1, 8, 8)", "... has 8 channels".
pub struct Source {
    pub name: String,
    /// "produces" or "is", before a shape.
    pub is: &'static str,
    /// "produces" or "has", before a count.
    pub has: &'static str,
}

/// A shape between layers: a vector, or an image whose sizes the macro knows.
#[derive(Clone)]
pub struct Shape {
    /// `[channels, height, width]` for an image.
    pub image: Option<[usize; 3]>,
    /// The flat length (`C * H * W` for an image), as the generated vectors use it.
    pub flat: Dim,
    /// False after a shape error upstream: the sizes are a fallback and are not checked.
    pub exact: bool,
}

#[derive(Clone)]
pub struct Dim {
    /// Tokens for a const-generic position (`4`, `N_IN`, `{ HIDDEN / 2 }`).
    pub tokens: TokenStream,
    /// The value, if the macro can read it.
    pub value: Option<usize>,
    pub text: String,
    pub span: Span,
    /// The size was wrong and already reported; links through it are not checked again.
    pub poisoned: bool,
}

#[derive(Clone, Copy, PartialEq)]
pub enum Activation {
    Identity,
    Sigmoid,
    Tanh,
    Relu,
    LeakyRelu(f64),
    Softmax,
}

/// An activation and the argument it was read from, for messages about its position.
pub struct ActivationArg {
    pub activation: Activation,
    pub tokens: TokenStream,
}

pub struct Link {
    /// 1-based numbers of the layer and the one before it.
    pub layer: usize,
    pub previous: usize,
    pub produces: Dim,
    pub expects: Dim,
}

impl Activation {
    /// Every activation's name, to tell an activation written where a size belongs.
    pub const NAMES: [&'static str; 6] = [
        "Identity",
        "Sigmoid",
        "Tanh",
        "Relu",
        "LeakyRelu",
        "Softmax",
    ];
    /// The list the messages give.
    pub const LIST: &'static str = "Identity, Sigmoid, Tanh, Relu, LeakyRelu<slope> or Softmax";
}

impl Layer {
    /// The flat output size.
    pub fn outputs(&self) -> &Dim {
        &self.output.flat
    }
    /// The activation applied to the layer's output (Identity for layers without one).
    pub fn activation(&self) -> Activation {
        self.kind
            .activation()
            .map_or(Activation::Identity, |a| a.activation)
    }
}

impl Shape {
    /// A vector of `dim` features.
    pub fn flat(dim: Dim) -> Shape {
        Shape {
            image: None,
            flat: dim,
            exact: true,
        }
    }

    /// A `c x h x w` image.
    pub fn image(c: usize, h: usize, w: usize, exact: bool) -> Shape {
        Shape {
            image: Some([c, h, w]),
            flat: Dim::literal(c * h * w),
            exact,
        }
    }

    /// A placeholder, for a layer whose shape is not known yet or could not be found.
    pub fn unknown() -> Shape {
        Shape {
            image: None,
            flat: Dim::literal(1),
            exact: false,
        }
    }

    /// An image shape's `[c, h, w]` as literals (the macro always knows them for image
    /// layers; a fallback of ones otherwise).
    pub fn image_lits(&self) -> [Literal; 3] {
        self.image.unwrap_or([1, 1, 1]).map(lit)
    }
}

impl Dim {
    /// A size the macro computed: an unsuffixed literal.
    pub fn literal(n: usize) -> Dim {
        Dim {
            tokens: lit(n).into_token_stream(),
            value: Some(n),
            text: n.to_string(),
            span: Span::call_site(),
            poisoned: false,
        }
    }
}

/// An integer literal without a suffix, as a person would write it.
pub fn lit(n: usize) -> Literal {
    Literal::usize_unsuffixed(n)
}
