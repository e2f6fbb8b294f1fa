//! Files: save and load with a size limit.

use super::dtype::Dtype;
use super::error::SafetensorsError;
use super::export::export;
use super::import::import;
use super::names::Names;
use crate::float::Float;
use crate::network::Params;
use std::borrow::ToOwned;
use std::path::Path;

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
