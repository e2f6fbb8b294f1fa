//! Weights in and out of `.safetensors` files, with PyTorch's tensor names and layouts
//! (the `safetensors` feature).
//!
//! A network exports to, and imports from, the format PyTorch's `safetensors.torch.save_file`
//! writes: an 8-byte little-endian header length, a JSON header naming each tensor with its
//! dtype, shape and byte range, then the raw little-endian data in row-major order.
//!
//! - Dense weights are `[out, in]`, biases `[out]`, Conv2D kernels `[out_c, in_c, kh, kw]`.
//!   Each layer describes its tensors with a [`TensorLayout`]; nalgebra's column-major
//!   matrices are transposed on the way in and out.
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

use crate::float::Float;
use crate::layout::TensorLayout;
use crate::network::Params;
use ::safetensors::tensor::{Dtype as FileDtype, SafeTensors, TensorView};
use core::fmt;
use std::borrow::ToOwned;
use std::format;
use std::path::{Path, PathBuf};
use std::string::{String, ToString};
use std::vec::Vec;

/// The element types this module reads and writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dtype {
    /// IEEE half precision (read exactly; written rounded to nearest).
    F16,
    /// bfloat16 (read exactly; written rounded to nearest).
    BF16,
    /// IEEE single precision.
    F32,
    /// IEEE double precision.
    F64,
}

impl Dtype {
    /// The dtype of the scalar `T` (`F32` for `f32`, `F64` for `f64`).
    pub fn of<T: Float>() -> Self {
        if core::mem::size_of::<T>() == 4 {
            Dtype::F32
        } else {
            Dtype::F64
        }
    }

    /// Bytes of one element.
    pub const fn size(self) -> usize {
        match self {
            Dtype::F16 | Dtype::BF16 => 2,
            Dtype::F32 => 4,
            Dtype::F64 => 8,
        }
    }

    fn file_dtype(self) -> FileDtype {
        match self {
            Dtype::F16 => FileDtype::F16,
            Dtype::BF16 => FileDtype::BF16,
            Dtype::F32 => FileDtype::F32,
            Dtype::F64 => FileDtype::F64,
        }
    }

    fn from_file(dtype: FileDtype) -> Option<Self> {
        match dtype {
            FileDtype::F16 => Some(Dtype::F16),
            FileDtype::BF16 => Some(Dtype::BF16),
            FileDtype::F32 => Some(Dtype::F32),
            FileDtype::F64 => Some(Dtype::F64),
            _ => None,
        }
    }

    /// Element `k` of little-endian `data`, exactly, as `f64`. `data` holds at least `k + 1`
    /// elements (checked by the caller against the shape).
    #[inline]
    fn read(self, data: &[u8], k: usize) -> f64 {
        let s = self.size();
        let b = &data[k * s..(k + 1) * s];
        match self {
            Dtype::F16 => half::f16::from_le_bytes([b[0], b[1]]).to_f64(),
            Dtype::BF16 => half::bf16::from_le_bytes([b[0], b[1]]).to_f64(),
            Dtype::F32 => f32::from_le_bytes([b[0], b[1], b[2], b[3]]) as f64,
            Dtype::F64 => f64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]),
        }
    }

    /// Appends `x`, rounded to nearest, in little-endian order; returns the value written.
    #[inline]
    fn write(self, x: f64, out: &mut Vec<u8>) -> f64 {
        match self {
            Dtype::F16 => {
                let h = half::f16::from_f64(x);
                out.extend_from_slice(&h.to_le_bytes());
                h.to_f64()
            }
            Dtype::BF16 => {
                let h = half::bf16::from_f64(x);
                out.extend_from_slice(&h.to_le_bytes());
                h.to_f64()
            }
            Dtype::F32 => {
                let v = x as f32;
                out.extend_from_slice(&v.to_le_bytes());
                v as f64
            }
            Dtype::F64 => {
                out.extend_from_slice(&x.to_le_bytes());
                x
            }
        }
    }
}

impl fmt::Display for Dtype {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Dtype::F16 => "F16",
            Dtype::BF16 => "BF16",
            Dtype::F32 => "F32",
            Dtype::F64 => "F64",
        })
    }
}

/// How tensors are named in a file.
///
/// By default, PyTorch's `nn.Sequential` names: `{module}.{weight|bias}`. A file name is
/// `prefix + rename(default)`: [`rename`](Names::rename) maps one default name to another,
/// [`prefix`](Names::prefix) puts every name under a parent module (`"model."` for a
/// `Sequential` held in `self.model`).
///
/// ```
/// let names = dl_core::safetensors::Names::pytorch()
///     .prefix("encoder.")
///     .rename("0.weight", "fc1.weight")
///     .rename("0.bias", "fc1.bias");
/// assert_eq!(names.file_name("0.weight"), "encoder.fc1.weight");
/// assert_eq!(names.file_name("2.bias"), "encoder.2.bias");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Names {
    prefix: String,
    renames: Vec<(String, String)>,
}

impl Names {
    /// PyTorch's `nn.Sequential` names, unchanged.
    pub fn pytorch() -> Self {
        Self::default()
    }

    /// Puts every name under `prefix` (include the dot: `"model."`).
    #[must_use]
    pub fn prefix(mut self, prefix: &str) -> Self {
        prefix.clone_into(&mut self.prefix);
        self
    }

    /// Calls the tensor PyTorch would name `pytorch_name` (e.g. `"0.weight"`) `name` instead.
    /// Renaming a name no tensor has is an error at export and import
    /// ([`SafetensorsError::UnknownRename`]), so a typo cannot go unnoticed.
    #[must_use]
    pub fn rename(mut self, pytorch_name: &str, name: &str) -> Self {
        self.renames.retain(|(from, _)| from != pytorch_name);
        self.renames
            .push((pytorch_name.to_owned(), name.to_owned()));
        self
    }

    /// The name in the file of the tensor PyTorch names `pytorch_name`.
    pub fn file_name(&self, pytorch_name: &str) -> String {
        let renamed = self
            .renames
            .iter()
            .find(|(from, _)| from == pytorch_name)
            .map_or(pytorch_name, |(_, to)| to.as_str());
        format!("{}{}", self.prefix, renamed)
    }

    /// PyTorch's name for tensor `i` of `params`: `"{module}.{name}"`.
    pub fn pytorch_name<T: Float, P: Params<T>>(params: &P, i: usize) -> String {
        let layout = params.tensor_layout(i);
        format!("{}.{}", layout.module, layout.name)
    }

    /// Every tensor's file name and layout, checked: layouts fit their slices, renames name
    /// real tensors, no two tensors share a name.
    fn resolve<T: Float, P: Params<T>>(
        &self,
        params: &P,
    ) -> Result<Vec<(String, TensorLayout)>, SafetensorsError> {
        let mut out: Vec<(String, TensorLayout)> = Vec::with_capacity(P::TENSORS);
        let mut defaults = Vec::with_capacity(P::TENSORS);
        for i in 0..P::TENSORS {
            let layout = params.tensor_layout(i);
            let default = Self::pytorch_name(params, i);
            let name = self.file_name(&default);
            if !layout.fits(params.tensor(i).len()) {
                return Err(SafetensorsError::Layout { name });
            }
            if out.iter().any(|(n, _)| *n == name) {
                return Err(SafetensorsError::DuplicateName { name });
            }
            out.push((name, layout));
            defaults.push(default);
        }
        if let Some((from, _)) = self
            .renames
            .iter()
            .find(|(from, _)| !defaults.contains(from))
        {
            return Err(SafetensorsError::UnknownRename { name: from.clone() });
        }
        Ok(out)
    }
}

/// Why a file could not be read or written. Every variant about a tensor names it (as it is
/// named in the file).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SafetensorsError {
    /// The file is larger than the limit it was read with ([`default_limit`] unless another
    /// was given): refused after reading at most the limit.
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
    /// [`Names::rename`] names a tensor the network does not have.
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
    /// A layer's [`TensorLayout`] does not fit its own tensor (a bug in that layer).
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

/// The safetensors bytes of every tensor of `params`, in `dtype`, named by `names`.
///
/// Fails without writing anything if a value is not finite once rounded to `dtype` (an f32
/// weight above 65504 in F16, say), or if `names` is inconsistent.
pub fn export<T: Float, P: Params<T>>(
    params: &P,
    dtype: Dtype,
    names: &Names,
) -> Result<Vec<u8>, SafetensorsError> {
    let tensors = names.resolve(params)?;
    let mut data: Vec<(String, Vec<usize>, Vec<u8>)> = Vec::with_capacity(tensors.len());
    for (i, (name, layout)) in tensors.into_iter().enumerate() {
        let values = params.tensor(i);
        let mut bytes = Vec::with_capacity(layout.len() * dtype.size());
        for k in 0..layout.len() {
            let written = dtype.write(values[layout.offset(k)].as_f64(), &mut bytes);
            if !written.is_finite() {
                return Err(SafetensorsError::NonFinite { name, index: k });
            }
        }
        data.push((name, layout.shape().to_vec(), bytes));
    }
    let views = data
        .iter()
        .map(|(name, shape, bytes)| {
            TensorView::new(dtype.file_dtype(), shape.clone(), bytes)
                .map(|view| (name.as_str(), view))
                .map_err(|e| corrupt(Some(name), e))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let metadata = [("format".to_string(), "pt".to_string())];
    ::safetensors::serialize(views, Some(metadata.into_iter().collect()))
        .map_err(|e| corrupt(None, e))
}

/// Reads every tensor of `params` from safetensors `bytes`, named by `names`.
///
/// All or nothing: on any error `params` is unchanged. The file must hold exactly the
/// network's tensors, each with its shape, in F16, BF16, F32 or F64 (converted to the
/// network's scalar type, rounding to nearest), all finite after conversion.
pub fn import<T: Float, P: Params<T>>(
    params: &mut P,
    bytes: &[u8],
    names: &Names,
) -> Result<(), SafetensorsError> {
    let tensors = names.resolve(params)?;
    let file = SafeTensors::deserialize(bytes).map_err(|e| diagnose(bytes, e))?;

    let mut found = Vec::with_capacity(tensors.len());
    for (name, layout) in &tensors {
        let view = file
            .tensor(name)
            .map_err(|_| SafetensorsError::MissingTensor { name: name.clone() })?;
        let dtype = Dtype::from_file(view.dtype()).ok_or_else(|| SafetensorsError::Dtype {
            name: name.clone(),
            found: format!("{:?}", view.dtype()),
        })?;
        if view.shape() != layout.shape() {
            return Err(SafetensorsError::Shape {
                name: name.clone(),
                expected: layout.shape().to_vec(),
                found: view.shape().to_vec(),
            });
        }
        found.push((dtype, view.data()));
    }
    let mut extra: Vec<&str> = file
        .names()
        .into_iter()
        .filter(|n| !tensors.iter().any(|(name, _)| name == n))
        .collect();
    extra.sort_unstable();
    if let Some(name) = extra.first() {
        return Err(SafetensorsError::ExtraTensor {
            name: (*name).to_owned(),
        });
    }

    // Every value must be finite in `T` before anything is written.
    for ((name, layout), &(dtype, data)) in tensors.iter().zip(&found) {
        if let Some(index) = (0..layout.len()).find(|&k| !T::cast(dtype.read(data, k)).finite()) {
            return Err(SafetensorsError::NonFinite {
                name: name.clone(),
                index,
            });
        }
    }
    for (i, ((_, layout), &(dtype, data))) in tensors.iter().zip(&found).enumerate() {
        let values = params.tensor_mut(i);
        for k in 0..layout.len() {
            values[layout.offset(k)] = T::cast(dtype.read(data, k));
        }
    }
    Ok(())
}

/// Writes `params` to the file `path` in their own scalar type with PyTorch's names.
///
/// ```
/// use dl_core::prelude::*;
///
/// network! {
///     pub struct Net { Dense<4, 8, Relu>, Dense<8, 2, Softmax> }
/// }
///
/// let trained = Net::<f32>::new(1);
/// let path = std::env::temp_dir().join(format!("dl_doc_save_{}.safetensors", std::process::id()));
/// dl_core::safetensors::save(&trained, &path)?;     // tensors "0.weight", "0.bias", "1.weight", ...
/// let mut loaded = Net::<f32>::ZERO;
/// dl_core::safetensors::load(&mut loaded, &path)?;  // all or nothing; names and shapes checked
/// assert_eq!(loaded, trained);
/// // A file of another architecture is refused, and `loaded` is left as it was.
/// network! {
///     pub struct Other { Dense<4, 3, Relu>, Dense<3, 2, Softmax> }
/// }
/// assert!(dl_core::safetensors::load(&mut Other::<f32>::ZERO, &path).is_err());
/// # std::fs::remove_file(&path)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn save<T: Float, P: Params<T>>(
    params: &P,
    path: impl AsRef<Path>,
) -> Result<(), SafetensorsError> {
    save_with(params, path, Dtype::of::<T>(), &Names::pytorch())
}

/// Writes `params` to the file `path` in `dtype`, named by `names`.
pub fn save_with<T: Float, P: Params<T>>(
    params: &P,
    path: impl AsRef<Path>,
    dtype: Dtype,
    names: &Names,
) -> Result<(), SafetensorsError> {
    let bytes = export(params, dtype, names)?;
    let path = path.as_ref();
    std::fs::write(path, bytes).map_err(|source| SafetensorsError::Io {
        path: path.to_owned(),
        source,
    })
}

/// Bytes a file's header may take beyond its data, in the size limit of [`load`]: 16 MiB,
/// room for the names, shapes and metadata of any network this crate builds.
pub const HEADER_LIMIT: u64 = 16 << 20;

/// The size limit of [`load`] and [`load_with`] for `params`: [`HEADER_LIMIT`] plus eight
/// bytes a parameter (the data of an F64 file, the widest dtype this module reads). No file
/// that imports into `params` is larger; `/dev/zero` is refused after that many bytes.
pub fn default_limit<T: Float, P: Params<T>>() -> u64 {
    HEADER_LIMIT + 8 * P::COUNT as u64
}

/// Reads `params` from the file `path`, with PyTorch's names. On error, `params` is unchanged.
///
/// PyTorch's `safetensors.torch.save_file(model.state_dict(), path)` of the same
/// architecture (an `nn.Sequential` of the same layers) loads the same way.
///
/// ```
/// use dl_core::prelude::*;
///
/// network! {
///     pub struct Net { Dense<2, 3, Tanh>, Dense<3, 1, Sigmoid> }
/// }
///
/// let path = std::env::temp_dir().join(format!("dl_doc_load_{}.safetensors", std::process::id()));
/// dl_core::safetensors::save(&Net::<f64>::new(5), &path)?;
/// let mut net = Net::<f64>::ZERO;
/// dl_core::safetensors::load(&mut net, &path)?;
/// assert_eq!(net, Net::<f64>::new(5));
/// std::fs::write(&path, b"not a safetensors file")?;
/// assert!(dl_core::safetensors::load(&mut net, &path).is_err()); // an error, not a panic
/// assert_eq!(net, Net::<f64>::new(5));                          // and nothing changed
/// # std::fs::remove_file(&path)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn load<T: Float, P: Params<T>>(
    params: &mut P,
    path: impl AsRef<Path>,
) -> Result<(), SafetensorsError> {
    load_with(params, path, &Names::pytorch())
}

/// Reads `params` from the file `path`, named by `names`. On error, `params` is unchanged.
/// A file larger than [`default_limit`] is refused.
pub fn load_with<T: Float, P: Params<T>>(
    params: &mut P,
    path: impl AsRef<Path>,
    names: &Names,
) -> Result<(), SafetensorsError> {
    load_limited(params, path, names, default_limit::<T, P>())
}

/// [`load_with`], refusing a file larger than `max_bytes` with
/// [`SafetensorsError::TooLarge`] (having read at most `max_bytes` of it).
pub fn load_limited<T: Float, P: Params<T>>(
    params: &mut P,
    path: impl AsRef<Path>,
    names: &Names,
    max_bytes: u64,
) -> Result<(), SafetensorsError> {
    let path = path.as_ref();
    let bytes = crate::limited::read(path, max_bytes)
        .map_err(|source| SafetensorsError::Io {
            path: path.to_owned(),
            source,
        })?
        .ok_or_else(|| SafetensorsError::TooLarge {
            path: path.to_owned(),
            limit: max_bytes,
        })?;
    import(params, &bytes, names)
}

fn corrupt(tensor: Option<&str>, error: impl fmt::Display) -> SafetensorsError {
    SafetensorsError::Corrupt {
        tensor: tensor.map(str::to_owned),
        reason: error.to_string(),
    }
}

/// Turns the parser's error into one that names the tensor at fault where one is: the
/// safetensors crate validates thoroughly but often reports only "invalid info".
fn diagnose(bytes: &[u8], error: ::safetensors::SafeTensorError) -> SafetensorsError {
    match find_bad_tensor(bytes) {
        Some((name, reason)) => SafetensorsError::Corrupt {
            tensor: Some(name),
            reason,
        },
        None => corrupt(None, error),
    }
}

/// The first tensor (in data order) whose header entry is malformed or whose byte range does
/// not fit its dtype and shape, the previous tensor's end, or the file.
fn find_bad_tensor(bytes: &[u8]) -> Option<(String, String)> {
    use serde_json::Value;
    let n = u64::from_le_bytes(bytes.get(..8)?.try_into().ok()?);
    let end = usize::try_from(n).ok()?.checked_add(8)?;
    let header: Value = serde_json::from_slice(bytes.get(8..end)?).ok()?;
    let data_len = bytes.len() - end;

    let mut entries = Vec::new();
    for (name, entry) in header.as_object()? {
        if name == "__metadata__" {
            continue;
        }
        let offsets = entry.get("data_offsets").and_then(Value::as_array);
        let (start, stop) = match offsets.map(|o| o.as_slice()) {
            Some([a, b]) => match (a.as_u64(), b.as_u64()) {
                (Some(a), Some(b)) => (a, b),
                _ => return Some((name.clone(), "data_offsets are not two integers".into())),
            },
            _ => return Some((name.clone(), "data_offsets are not two integers".into())),
        };
        entries.push((start, stop, name, entry));
    }
    entries.sort_by_key(|&(start, stop, _, _)| (start, stop));

    let mut previous_end = 0u64;
    for (start, stop, name, entry) in entries {
        let bad = |reason: String| Some((name.clone(), reason));
        let dtype = entry.get("dtype").and_then(Value::as_str);
        let Some(bits) = dtype.and_then(dtype_bits) else {
            return bad(format!("unknown dtype {:?}", entry.get("dtype")));
        };
        let shape: Option<Vec<u64>> = entry
            .get("shape")
            .and_then(Value::as_array)
            .and_then(|dims| dims.iter().map(Value::as_u64).collect());
        let Some(shape) = shape else {
            return bad("shape is not a list of integers".into());
        };
        let needed = shape
            .iter()
            .try_fold(bits, |acc, &d| acc.checked_mul(d))
            .map(|b| b.div_ceil(8));
        if start != previous_end {
            return bad(format!(
                "data starts at byte {start}, but the previous tensor ends at {previous_end}"
            ));
        }
        if stop < start || Some(stop - start) != needed {
            return bad(format!(
                "data_offsets [{start}, {stop}] do not hold a {} tensor of shape {shape:?}",
                dtype.unwrap_or("?")
            ));
        }
        if stop > data_len as u64 {
            return bad(format!(
                "data ends at byte {stop}, past the end of the data ({data_len} bytes)"
            ));
        }
        previous_end = stop;
    }
    None
}

/// Bits per element of a safetensors dtype name.
fn dtype_bits(name: &str) -> Option<u64> {
    Some(match name {
        "BOOL" | "U8" | "I8" | "F8_E5M2" | "F8_E4M3" | "F8_E8M0" | "F8_E4M3FNUZ"
        | "F8_E5M2FNUZ" => 8,
        "F4" => 4,
        "F6_E2M3" | "F6_E3M2" => 6,
        "I16" | "U16" | "F16" | "BF16" => 16,
        "I32" | "U32" | "F32" => 32,
        "F64" | "I64" | "U64" | "C64" => 64,
        _ => return None,
    })
}
