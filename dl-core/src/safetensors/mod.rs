//! Weights in and out of `.safetensors` files, with PyTorch's tensor names and layouts
//! (the `safetensors` feature).
//!
//! A network exports to, and imports from, the format PyTorch's `safetensors.torch.save_file`
//! writes: an 8-byte little-endian header length, a JSON header naming each tensor with its
//! dtype, shape and byte range, then the raw little-endian data in row-major order.
//!
//! - Dense weights are `[out, in]`, biases `[out]`, Conv2D kernels `[out_c, in_c, kh, kw]`.
//!   Each layer describes its tensors with a [`TensorLayout`](crate::layout::TensorLayout);
//!   nalgebra's column-major matrices are transposed on the way in and out.
//! - Names are PyTorch's `nn.Sequential` indices, counting activation, pooling and flatten
//!   modules as PyTorch does: `Dense<64, 32, Relu>, Dense<32, 10, Softmax>` is
//!   `Sequential(Linear, ReLU, Linear, ...)`, so its tensors are `0.weight`, `0.bias`,
//!   `2.weight`, `2.bias`. [`Names`] adds a prefix or renames tensors one by one.
//! - Files may be f32 or f64; f16 and bf16 files are converted on import. Export writes any
//!   of the four ([`save`] uses the network's own scalar type, so a save and a load give back
//!   bit-identical weights).
//!
//! Import is all or nothing: every tensor is checked (present, no extras, dtype, shape, every
//! value finite in the network's scalar type) before the first weight is written, so on any
//! [`SafetensorsError`] the network is unchanged.
//!
//! ```no_run
//! use dl_core::prelude::*;
//! use dl_core::safetensors;
//!
//! network! {
//!     pub struct DigitsMlp { Dense<64, 32, Relu>, Dense<32, 10, Softmax> }
//! }
//!
//! let mut net = DigitsMlp::<f32>::new(0);
//! safetensors::load(&mut net, "digits_mlp.safetensors")?; // 0.weight, 0.bias, 2.weight, 2.bias
//! safetensors::save(&net, "copy.safetensors")?;
//! # Ok::<(), dl_core::safetensors::SafetensorsError>(())
//! ```

mod dtype;
mod error;
mod export;
mod file;
mod import;
mod names;

pub use dtype::Dtype;
pub use error::SafetensorsError;
pub use export::export;
pub use file::{default_limit, load, load_limited, load_with, save, save_with, HEADER_LIMIT};
pub use import::import;
pub use names::Names;
