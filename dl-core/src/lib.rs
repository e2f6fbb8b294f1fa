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
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

#[cfg(feature = "std")]
extern crate std;

pub mod activation;
pub mod batch;
pub mod bytes;
#[cfg(feature = "std")]
pub mod data;
pub mod error;
pub mod fit;
pub mod float;
pub mod gradcheck;
pub mod init;
pub mod kernel;
pub mod layer;
pub mod layout;
pub mod loss;
pub mod metrics;
pub mod network;
pub mod optim;
pub mod rng;
#[cfg(feature = "std")]
pub mod safetensors;
pub mod schedule;
pub mod shape;
pub mod summary;
pub mod train;

pub use dl_macros::network;
/// nalgebra, re-exported so generated code and users agree on one version.
pub use nalgebra;

/// Everything a user needs: `use dl_core::prelude::*;`.
pub mod prelude {
    pub use crate::activation::{Activation, Identity, LeakyRelu, Relu, Sigmoid, Softmax, Tanh};
    pub use crate::bytes::{BytesError, ParamBytes};
    pub use crate::error::Error;
    pub use crate::fit::{
        evaluate, fit_with, keep_going, predict, Batch, Control, Data, EarlyStopping, Epoch,
        Evaluation, FitConfig, History, Scratch,
    };
    #[cfg(feature = "std")]
    pub use crate::fit::{fit, predict_all};
    pub use crate::float::Float;
    pub use crate::gradcheck::{gradcheck, GradCheck};
    pub use crate::layer::{
        AvgPool2D, Conv2D, Dense, Dropout, Flatten, Layer, LayerCache, MaxPool2D,
    };
    pub use crate::loss::{BinaryCrossEntropy, CrossEntropy, Loss, Mse};
    pub use crate::metrics::{Accuracy, MeanAbsoluteError, MeanSquaredError, Metric, RSquared};
    pub use crate::network;
    pub use crate::network::{Network, Params, TensorKind, Vector};
    pub use crate::optim::{
        Adagrad, Adam, AdamW, NoState, Optimizer, OptimizerBase, OptimizerStateBytes,
        ParamsOptimizer, Regularization, Regularize, RmsProp, Scope, Sgd, SgdMomentum,
    };
    pub use crate::rng::Rng;
    pub use crate::schedule::{
        Constant, CosineDecay, ExponentialDecay, Per, Schedule, Scheduled, StepDecay,
    };
    pub use crate::summary::Summary;
    pub use crate::train::{train_batch, train_sample, Workspace};
    pub use nalgebra::{SMatrix, SVector};
}
