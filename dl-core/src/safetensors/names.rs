//! Tensor names: PyTorch's `nn.Sequential` names, a prefix, renames.

use super::error::SafetensorsError;
use crate::float::Float;
use crate::layout::TensorLayout;
use crate::network::Params;
use std::borrow::ToOwned;
use std::format;
use std::string::String;
use std::vec::Vec;

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
    pub(super) fn resolve<T: Float, P: Params<T>>(
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
