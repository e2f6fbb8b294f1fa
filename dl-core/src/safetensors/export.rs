//! A network's tensors to safetensors bytes.

use super::dtype::Dtype;
use super::error::{corrupt, SafetensorsError};
use super::names::Names;
use crate::float::Float;
use crate::network::Params;
use ::safetensors::tensor::TensorView;
use std::string::{String, ToString};
use std::vec::Vec;

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
