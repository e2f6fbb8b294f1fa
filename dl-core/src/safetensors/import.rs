//! Safetensors bytes into a network's tensors, all or nothing, and a diagnosis of a corrupt
//! file that names the tensor at fault.

use super::dtype::Dtype;
use super::error::{corrupt, SafetensorsError};
use super::names::Names;
use crate::float::Float;
use crate::network::Params;
use ::safetensors::tensor::SafeTensors;
use std::borrow::ToOwned;
use std::format;
use std::string::String;
use std::vec::Vec;

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
