//! Why a file could not be read or written.

use core::fmt;
use std::borrow::ToOwned;
use std::format;
use std::path::PathBuf;
use std::string::{String, ToString};
use std::vec::Vec;

/// Why a file could not be read or written. Every variant about a tensor names it (as it is
/// named in the file).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SafetensorsError {
    /// The file is larger than the limit it was read with
    /// ([`default_limit`](super::default_limit) unless another was given): refused after
    /// reading at most the limit.
    #[error("{} is larger than the limit of {limit} bytes for this network", path.display())]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// The limit, in bytes.
        limit: u64,
    },
    /// The file could not be read or written.
    #[error("cannot access {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// The bytes are not a valid safetensors file.
    #[error("corrupt safetensors file: {}{reason}", in_tensor(tensor))]
    Corrupt {
        /// The tensor whose header entry or data is at fault, when one is.
        tensor: Option<String>,
        /// What is wrong.
        reason: String,
    },
    /// The network has a tensor the file lacks.
    #[error("tensor `{name}` is missing from the file")]
    MissingTensor {
        /// Its name.
        name: String,
    },
    /// The file has a tensor the network lacks.
    #[error("the file holds tensor `{name}`, which the network does not have")]
    ExtraTensor {
        /// Its name.
        name: String,
    },
    /// A tensor's shape in the file differs from the network's.
    #[error(
        "tensor `{name}` has shape {found:?} in the file, but the network expects {expected:?}"
    )]
    Shape {
        /// Its name.
        name: String,
        /// The network's shape (PyTorch's layout).
        expected: Vec<usize>,
        /// The file's shape.
        found: Vec<usize>,
    },
    /// A tensor's dtype is not one this module reads (F16, BF16, F32, F64).
    #[error("tensor `{name}` has dtype {found}; only F16, BF16, F32 and F64 can be loaded")]
    Dtype {
        /// Its name.
        name: String,
        /// The dtype in the file.
        found: String,
    },
    /// A tensor holds a value that is NaN or infinite (in the file, or once rounded to the
    /// network's scalar type or the dtype written).
    #[error("tensor `{name}` holds a NaN or infinite value at index {index} (row-major)")]
    NonFinite {
        /// Its name.
        name: String,
        /// The element's index in PyTorch's row-major order.
        index: usize,
    },
    /// [`Names::rename`](super::Names::rename) names a tensor the network does not have.
    #[error("rename of `{name}`: the network has no tensor of that name")]
    UnknownRename {
        /// The PyTorch name given.
        name: String,
    },
    /// Two tensors would get the same name.
    #[error("two tensors would both be named `{name}`")]
    DuplicateName {
        /// The name.
        name: String,
    },
    /// A layer's [`TensorLayout`](crate::layout::TensorLayout) does not fit its own tensor (a
    /// bug in that layer).
    #[error("tensor `{name}`: its layer's layout does not match its length (a bug in the layer)")]
    Layout {
        /// The tensor's name.
        name: String,
    },
}

/// `tensor `name`: ` before a corrupt file's reason, when one tensor is at fault.
fn in_tensor(tensor: &Option<String>) -> String {
    tensor
        .as_ref()
        .map_or_else(String::new, |name| format!("tensor `{name}`: "))
}

/// A corrupt-file error with the parser's (or serializer's) message.
pub(super) fn corrupt(tensor: Option<&str>, error: impl fmt::Display) -> SafetensorsError {
    SafetensorsError::Corrupt {
        tensor: tensor.map(str::to_owned),
        reason: error.to_string(),
    }
}
