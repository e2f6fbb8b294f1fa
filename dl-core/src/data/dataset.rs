//! The rows of a CSV file as fixed-size samples, and their labels as targets.

use super::error::DataError;
use super::parse::{for_each_row, read, scalar, DEFAULT_MAX_BYTES};
use crate::float::Float;
use nalgebra::SVector;
use std::path::{Path, PathBuf};
use std::vec::Vec;

/// One row: `F` features and a label, with the line it came from (for error messages).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sample<T, const F: usize> {
    /// The feature columns.
    pub features: SVector<T, F>,
    /// The last column.
    pub label: f64,
    /// The line of the file, from 1 (the header is line 1).
    pub line: usize,
}

/// The rows of a CSV file with `F` feature columns and a label column, in file order.
///
/// ```
/// use dl_core::data::{Dataset, Standardizer};
/// use dl_core::prelude::*;
///
/// // `Dataset::load("iris.csv")` reads a file; `parse` reads text, as here.
/// let csv = "a,b,class\n5.1,3.5,0\n7.0,3.2,1\n6.3,3.3,2\n4.9,3.0,0\n";
/// let rows = Dataset::<f32, 2>::parse("iris.csv", csv)?;
/// assert_eq!(rows.len(), 4);
/// let scale = Standardizer::fit(&rows)?;                // mean and deviation of each column
/// let xs: Vec<SVector<f32, 2>> = rows.features().iter().map(|x| scale.transform(x)).collect();
/// let ys = rows.one_hot::<3>()?;                         // labels 0..3 as one-hot targets
/// let data = Data::new(&xs, &ys)?;                       // ready for fit / evaluate
/// assert_eq!(data.len(), 4);
/// // A label out of range is an error naming the file, line and column.
/// assert!(Dataset::<f32, 2>::parse("bad.csv", "a,b,c\n1,2,x\n").is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset<T, const F: usize> {
    pub(super) path: PathBuf,
    pub(super) samples: Vec<Sample<T, F>>,
}

/// The vector with a 1 at `class` and 0 elsewhere, or `None` if `class >= C`.
pub fn one_hot<T: Float, const C: usize>(class: usize) -> Option<SVector<T, C>> {
    (class < C).then(|| {
        let mut v = SVector::<T, C>::zeros();
        v[class] = T::ONE;
        v
    })
}

impl<T: Float, const F: usize> Dataset<T, F> {
    /// Reads a CSV file: a header line, then rows of `F` feature columns and a label column,
    /// all numbers, each finite in `T`. Blank lines are skipped. Files larger than
    /// [`DEFAULT_MAX_BYTES`] are refused ([`load_limited`](Dataset::load_limited) takes
    /// another limit).
    pub fn load(path: impl AsRef<Path>) -> Result<Self, DataError> {
        Self::load_limited(path, DEFAULT_MAX_BYTES)
    }

    /// [`load`](Dataset::load), refusing a file larger than `max_bytes` with
    /// [`DataError::TooLarge`] (having read at most `max_bytes` of it).
    pub fn load_limited(path: impl AsRef<Path>, max_bytes: u64) -> Result<Self, DataError> {
        let path = path.as_ref();
        Self::parse(path, &read(path, max_bytes)?)
    }

    /// Parses CSV `text` as [`load`](Dataset::load) does; `path` names it in errors.
    pub fn parse(path: impl AsRef<Path>, text: &str) -> Result<Self, DataError> {
        let path = path.as_ref();
        let mut samples = Vec::new();
        for_each_row(path, text, F + 1, |line, fields| {
            let mut features = SVector::<T, F>::zeros();
            for (column, (slot, field)) in features.iter_mut().zip(fields).enumerate() {
                *slot = T::cast(scalar::<T>(path, line, column + 1, field)?);
            }
            // The label becomes a `T` target in `values`, so it must fit `T` too.
            let label = scalar::<T>(path, line, F + 1, fields[F])?;
            samples.push(Sample {
                features,
                label,
                line,
            });
            Ok(())
        })?;
        Ok(Dataset {
            path: path.to_path_buf(),
            samples,
        })
    }

    /// The file the rows came from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The rows.
    pub fn samples(&self) -> &[Sample<T, F>] {
        &self.samples
    }

    /// The number of rows.
    pub fn len(&self) -> usize {
        self.samples.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.samples.is_empty()
    }

    /// Every row's features.
    pub fn features(&self) -> Vec<SVector<T, F>> {
        self.samples.iter().map(|s| s.features).collect()
    }

    /// Every row's label as a one-element target (regression).
    pub fn values(&self) -> Vec<SVector<T, 1>> {
        self.samples
            .iter()
            .map(|s| SVector::<T, 1>::new(T::cast(s.label)))
            .collect()
    }

    /// Every row's label as a class index in `0..classes`, or the error naming the first
    /// label that is not one.
    pub fn classes(&self, classes: usize) -> Result<Vec<usize>, DataError> {
        self.samples
            .iter()
            .map(|s| {
                let l = s.label;
                if l >= 0.0 && l < classes as f64 && l.fract() == 0.0 {
                    Ok(l as usize)
                } else {
                    Err(DataError::LabelOutOfRange {
                        path: self.path.clone(),
                        line: s.line,
                        column: F + 1,
                        label: l,
                        classes,
                    })
                }
            })
            .collect()
    }

    /// Every row's class label `0..C` as a one-hot target (for softmax + cross-entropy).
    pub fn one_hot<const C: usize>(&self) -> Result<Vec<SVector<T, C>>, DataError> {
        Ok(self
            .classes(C)?
            .into_iter()
            .filter_map(one_hot::<T, C>)
            .collect())
    }

    /// Every row's class label `0` or `1` as a one-element target (for sigmoid + binary
    /// cross-entropy).
    pub fn binary(&self) -> Result<Vec<SVector<T, 1>>, DataError> {
        Ok(self
            .classes(2)?
            .into_iter()
            .map(|c| SVector::<T, 1>::new(T::cast(c as f64)))
            .collect())
    }
}
