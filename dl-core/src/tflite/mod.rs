//! Reading int8 TFLite models (`.tflite` flatbuffers) into dl's quantised layers.
//!
//! [`Importer`] walks the model's operators while the caller asks for the declared layers in
//! order (`dense`, `conv2d`, `pool2d`, `flatten`, and `sigmoid`, `tanh`, `softmax` after the
//! layer they belong to); each call checks the
//! operator, its shapes against the declared sizes, its tensor types (int8, int32 bias) and its
//! quantisation (scales finite and positive, zero points in range, symmetric weights, a fused
//! activation equal to the declared one) and returns the layer, or a [`TfliteError`] naming
//! the layer. An operator dl does not import is an error naming it. Nothing allocates, and a
//! malformed file is an error, never a panic: the [`flatbuffer`] reader checks every offset.
//!
//! Operators: `FULLY_CONNECTED`, `CONV_2D`, `MAX_POOL_2D`, `AVERAGE_POOL_2D` (valid padding),
//! `RESHAPE` (as `Flatten`), with fused ReLU, ReLU6 or none; `LOGISTIC`, `TANH` and `SOFTMAX`
//! after a `FULLY_CONNECTED` (a declared `Dense` with Sigmoid, Tanh or Softmax), `LOGISTIC`
//! and `TANH` after a `CONV_2D` (a declared `Conv2D` with Sigmoid or Tanh). Every reader is a
//! `const fn`, so `network!`'s `#[tflite]` runs it in the compiler.

mod activations;
mod error;
pub mod flatbuffer;
mod import;
mod layers;
mod message;
pub mod model;

pub use error::TfliteError;
pub use import::Importer;
pub use message::Message;
pub use model::{Model, Op};
