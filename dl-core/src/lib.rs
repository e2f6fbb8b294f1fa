//! # dl-core: neural networks whose shapes are types
//!
//! A network is declared in Rust source with [`network!`]; the macro expands it into a plain
//! struct of nalgebra fixed-size matrices with a hand-derived forward and backward pass. There
//! is no runtime graph, no tape and no heap: this crate is `#![no_std]` and never allocates.
//!
//! ```
//! use dl_core::prelude::*;
//!
//! network! {
//!     /// Learns XOR.
//!     pub struct Xor {
//!         Dense<2, 4, Sigmoid>,
//!         out: Dense<4, 1, Sigmoid>,
//!     }
//! }
//!
//! let mut net = Xor::<f32>::new(7);
//! let mut ws = Workspace::<Xor<f32>>::new();
//! let mut sgd = Sgd::new(0.5);
//! let x = SVector::<f32, 2>::new(1.0, 0.0);
//! let y = SVector::<f32, 1>::new(1.0);
//! let loss = train_sample::<_, Mse, _>(&mut net, &mut sgd, &x, &y, &mut ws).unwrap();
//! assert!(loss.is_finite());
//! ```
//!
//! ## Image networks
//!
//! An image network declares its input shape first, `input: [channels, height, width],`, and
//! the macro computes every layer's output shape while it expands, writing the sizes into the
//! generated types (stable Rust; no const-generic arithmetic is needed). Images travel as flat
//! vectors in PyTorch's `C, H, W` order.
//!
//! - `Conv2D<in_channels, out_channels, kernel, activation>`, with optional named arguments
//!   `stride = s` (default 1) and `padding = p` (zeros, default 0): output
//!   `(out_channels, (H + 2p - kernel) / s + 1, (W + 2p - kernel) / s + 1)`;
//! - `MaxPool2D<kernel>` and `AvgPool2D<kernel>`, optional `stride = s` (default `kernel`);
//! - `GlobalAvgPool2D`: `(C, H, W)` to the `C` channel means (PyTorch's
//!   `AdaptiveAvgPool2d(1)` and `Flatten()`), a vector a `Dense` layer takes directly;
//! - `Flatten`: `(C, H, W)` to `C * H * W` features, required before a `Dense` layer;
//! - `Dropout<rate>`: inverted dropout while training, the identity at inference.
//!
//! Sizes of these layers are integer literals. A shape that cannot work (a kernel larger than
//! its padded input, a pooling window that does not fit, a channel count that differs from the
//! previous layer's, a `Dense` layer fed an image, a Flatten size that differs from the next
//! layer's input, a stride of 0, a dropout rate outside `[0, 1)`) is a compile error spanned on
//! the layer, under `cargo check`.
//!
//! ```
//! use dl_core::prelude::*;
//!
//! network! {
//!     /// 8x8 digits.
//!     pub struct DigitsCnn {
//!         input: [1, 8, 8],
//!         Conv2D<1, 8, 3, Relu, padding = 1>, // (8, 8, 8)
//!         MaxPool2D<2>,                       // (8, 4, 4)
//!         Conv2D<8, 16, 3, Relu>,             // (16, 2, 2)
//!         Flatten,                            // 64
//!         Dropout<0.25>,
//!         Dense<64, 10, Softmax>,
//!     }
//! }
//!
//! assert_eq!(DigitsCnn::<f32>::summary().layers[2].output, &[16, 2, 2]);
//! let net = DigitsCnn::<f32>::new(1);
//! let p = net.forward(&SVector::zeros());
//! assert!((p.sum() - 1.0).abs() < 1e-6);
//! ```
#![no_std]
// docs.rs (nightly, `--cfg docsrs`) marks each feature-gated item with the features it needs.
#![cfg_attr(docsrs, feature(doc_cfg))]
// No `unsafe` at all without `alloc`. With it, the zeroed heap allocation of `zeroed` (one
// module, its invariant written there); with `std`, on x86-64 only, the run-time
// instruction-set dispatch of `kernel::x86` (calls into `#[target_feature]` functions after
// detecting the features) and the loads and stores of the AVX-512 kernels in `kernel::avx512`.
#![cfg_attr(not(feature = "alloc"), forbid(unsafe_code))]
#![cfg_attr(feature = "alloc", deny(unsafe_code))]
#![warn(missing_docs)]
// Edition 2024 (taken for merged doctests) has let chains, so clippy now asks for nested
// `if let` blocks written before it to be collapsed into them; they stay as written.
#![allow(clippy::collapsible_if)]

#[cfg(feature = "alloc")]
extern crate alloc;
// Unit tests may use the heap whatever the features: `cargo test -p dl-nn --lib` builds
// them without `std`.
#[cfg(any(feature = "std", test))]
extern crate std;

pub mod activation;
pub mod batch;
pub mod bytes;
#[cfg(feature = "csv")]
pub mod data;
pub mod error;
pub mod exp;
pub mod fit;
pub mod float;
pub mod gradcheck;
#[cfg(feature = "images")]
pub mod images;
pub mod init;
pub mod kernel;
pub mod layer;
pub mod layout;
#[cfg(any(feature = "csv", feature = "safetensors"))]
mod limited;
pub mod loss;
pub mod metrics;
pub mod network;
pub mod optim;
#[cfg(feature = "parallel")]
pub mod parallel;
pub mod quant;
pub mod rng;
#[cfg(feature = "safetensors")]
pub mod safetensors;
pub mod schedule;
#[cfg(feature = "alloc")]
pub mod scratch;
pub mod shape;
pub mod split;
pub mod stack;
#[cfg(feature = "parallel")]
pub mod stream;
pub mod summary;
pub mod tflite;
pub mod train;
pub mod zeroed;

/// README.md's code blocks, compiled and run as doctests so the README cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

#[doc = include_str!("network_macro.md")]
#[doc(inline)]
pub use dl_macros::network;
/// nalgebra, re-exported so generated code and users agree on one version.
pub use nalgebra;

/// Everything a user needs: `use dl_core::prelude::*;`.
pub mod prelude {
    pub use crate::activation::{Activation, Identity, LeakyRelu, Relu, Sigmoid, Softmax, Tanh};
    pub use crate::bytes::{BytesError, ParamBytes};
    pub use crate::error::{Divergence, Error, HyperParameter, Operand, UpdatedTensor};
    pub use crate::fit::{
        evaluate, evaluate_with, fit_with, keep_going, predict, predict_with, BatchSize, Callback,
        Control, Data, EarlyStopping, Epoch, EpochLog, Evaluation, FitConfig, History, Scratch,
        Trainer,
    };
    #[cfg(feature = "alloc")]
    pub use crate::fit::{fit, predict_all, Log};
    pub use crate::float::Float;
    pub use crate::gradcheck::{gradcheck, gradcheck_first, GradCheck};
    pub use crate::layer::{
        AvgPool2D, Conv2D, Dense, Dropout, DropoutMasks, Flatten, GlobalAvgPool2D, Layer,
        LayerCache, MaxPool2D,
    };
    pub use crate::loss::{BinaryCrossEntropy, CrossEntropy, Loss, Mse};
    pub use crate::metrics::{
        Accuracy, ConfusionMatrix, MeanAbsoluteError, MeanSquaredError, Metric, Precision,
        RSquared, Recall, F1,
    };
    pub use crate::network;
    pub use crate::network::{Network, Params, TensorKind, Vector};
    pub use crate::optim::{
        Adagrad, Adam, AdamW, NoState, Optimizer, OptimizerBase, OptimizerState,
        OptimizerStateBytes, ParamsOptimizer, Regularization, Regularize, RmsProp, Scope, Sgd,
        SgdMomentum,
    };
    pub use crate::rng::Rng;
    pub use crate::schedule::{
        Constant, CosineDecay, ExponentialDecay, OnPlateau, Per, ReduceLrOnPlateau, Schedule,
        Scheduled, StepDecay,
    };
    pub use crate::split::validation_split;
    pub use crate::stack::{ByValue, ValueOnStack, WorkspaceOnStack};
    pub use crate::summary::Summary;
    pub use crate::train::{train_batch, train_sample, Workspace};
    pub use nalgebra::{SMatrix, SVector};
}
