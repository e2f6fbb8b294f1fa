//! Loading tabular data (the `csv` feature): a CSV of numeric features with the label in the last
//! column becomes fixed-size samples, `SVector<T, F>` of features plus a label.
//!
//! ```no_run
//! use dl_core::data::{Dataset, Standardizer};
//!
//! let iris = Dataset::<f32, 4>::load("data/iris.csv")?;
//! let split = iris.split("data/iris_split.csv")?;   // the fixed train/test rows
//! let scaler = Standardizer::fit(&split.train)?;    // statistics of the train rows only
//! let (train_x, test_x) = (scaler.apply(&split.train), scaler.apply(&split.test));
//! let train_y = split.train.one_hot::<3>()?;          // labels 0..3 as one-hot targets
//! # Ok::<(), dl_core::data::DataError>(())
//! ```
//!
//! Every bad input is its own [`DataError`], naming the file and, where they apply, the line
//! and column (both from 1; the header is line 1), so the message points at the culprit.

use crate::float::Float;
use nalgebra::SVector;
use std::path::{Path, PathBuf};
use std::string::{String, ToString};
use std::vec::Vec;

/// Why a data file was refused.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum DataError {
    /// The file does not exist.
    #[error("{}: no such file", path.display())]
    Missing {
        /// The file.
        path: PathBuf,
    },
    /// The file could not be read for another reason.
    #[error("{}: cannot read: {message}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's message.
        message: String,
    },
    /// The file has no header line or no data rows.
    #[error("{}: the file has no data rows", path.display())]
    Empty {
        /// The file.
        path: PathBuf,
    },
    /// A line has the wrong number of comma-separated columns.
    #[error("{}:{line}: expected {expected} columns, found {found}", path.display())]
    Columns {
        /// The file.
        path: PathBuf,
        /// The line, from 1.
        line: usize,
        /// How many columns every line must have.
        expected: usize,
        /// How many this line has.
        found: usize,
    },
    /// A field is not a number.
    #[error("{}:{line}:{column}: `{value}` is not a number", path.display())]
    NotANumber {
        /// The file.
        path: PathBuf,
        /// The line, from 1.
        line: usize,
        /// The column, from 1.
        column: usize,
        /// The field's text.
        value: String,
    },
    /// A field is NaN or infinite.
    #[error("{}:{line}:{column}: `{value}` is not a finite number", path.display())]
    NonFinite {
        /// The file.
        path: PathBuf,
        /// The line, from 1.
        line: usize,
        /// The column, from 1.
        column: usize,
        /// The field's text.
        value: String,
    },
    /// A field is a finite number too large for the scalar type (`1e39` in an `f32` data set).
    #[error("{}:{line}:{column}: `{value}` is too large for {scalar}", path.display())]
    OutOfRange {
        /// The file.
        path: PathBuf,
        /// The line, from 1.
        line: usize,
        /// The column, from 1.
        column: usize,
        /// The field's text.
        value: String,
        /// The scalar type, `"f32"` or `"f64"`.
        scalar: &'static str,
    },
    /// The file is larger than the limit it was read with ([`DEFAULT_MAX_BYTES`] unless
    /// another was given): refused before more than the limit was read.
    #[error("{}: the file is larger than the limit of {limit} bytes", path.display())]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// The limit, in bytes.
        limit: u64,
    },
    /// A label is not a class index in `0..classes`.
    #[error("{}:{line}:{column}: label {label} is not a class index in 0..{classes}", path.display())]
    LabelOutOfRange {
        /// The file.
        path: PathBuf,
        /// The line, from 1.
        line: usize,
        /// The column, from 1.
        column: usize,
        /// The label.
        label: f64,
        /// The number of classes.
        classes: usize,
    },
    /// A split file's row index is not a non-negative integer.
    #[error("{}:{line}:1: `{value}` is not a row index", path.display())]
    NotARowIndex {
        /// The split file.
        path: PathBuf,
        /// The line, from 1.
        line: usize,
        /// The field's text.
        value: String,
    },
    /// A split file names a row the data does not have.
    #[error("{}:{line}:1: row {row} does not exist (the data has {rows} rows)", path.display())]
    RowOutOfRange {
        /// The split file.
        path: PathBuf,
        /// The line, from 1.
        line: usize,
        /// The row named (0-based data row).
        row: usize,
        /// How many data rows there are.
        rows: usize,
    },
    /// A split file names a row twice.
    #[error("{}:{line}:1: row {row} is assigned a second time", path.display())]
    DuplicateRow {
        /// The split file.
        path: PathBuf,
        /// The line, from 1, of the second mention.
        line: usize,
        /// The row.
        row: usize,
    },
    /// A split file's split is neither `train` nor `test`.
    #[error("{}:{line}:2: split `{value}` is neither `train` nor `test`", path.display())]
    UnknownSplit {
        /// The split file.
        path: PathBuf,
        /// The line, from 1.
        line: usize,
        /// The field's text.
        value: String,
    },
    /// A split file does not assign every data row.
    #[error("{}: assigns {assigned} of the {rows} data rows", path.display())]
    SplitIncomplete {
        /// The split file.
        path: PathBuf,
        /// How many data rows there are.
        rows: usize,
        /// How many the split file assigns.
        assigned: usize,
    },
}

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
    path: PathBuf,
    samples: Vec<Sample<T, F>>,
}

/// A data set cut in two by a split file.
#[derive(Clone, Debug, PartialEq)]
pub struct Split<T, const F: usize> {
    /// The rows marked `train`, in the split file's order.
    pub train: Dataset<T, F>,
    /// The rows marked `test`, in the split file's order.
    pub test: Dataset<T, F>,
}

/// The size limit of [`Dataset::load`] and [`Dataset::split`]: 1 GiB. A CSV of that size
/// holds about a hundred million numbers, more than a fixed-size network trains on in
/// memory; larger files (or `/dev/zero`) are refused with [`DataError::TooLarge`] after
/// reading at most this much. [`Dataset::load_limited`] takes another limit.
pub const DEFAULT_MAX_BYTES: u64 = 1 << 30;

/// Reads a text file of at most `limit` bytes, telling a missing one from other failures.
fn read(path: &Path, limit: u64) -> Result<String, DataError> {
    let io = |e: std::io::Error| match e.kind() {
        std::io::ErrorKind::NotFound => DataError::Missing {
            path: path.to_path_buf(),
        },
        _ => DataError::Io {
            path: path.to_path_buf(),
            message: e.to_string(),
        },
    };
    let bytes = crate::limited::read(path, limit)
        .map_err(io)?
        .ok_or_else(|| DataError::TooLarge {
            path: path.to_path_buf(),
            limit,
        })?;
    String::from_utf8(bytes).map_err(|_| DataError::Io {
        path: path.to_path_buf(),
        message: "the file is not UTF-8 text".to_string(),
    })
}

/// Calls `row` on each non-blank line after the header, in order, with its number (from 1,
/// the header being line 1) and its comma-separated fields, after checking that it (and the
/// header) has `columns` fields. So the first bad line is the one reported, whatever is wrong
/// with it. Errors with [`DataError::Empty`] if there is no header or no data row.
fn for_each_row<'t>(
    path: &Path,
    text: &'t str,
    columns: usize,
    mut row: impl FnMut(usize, &[&'t str]) -> Result<(), DataError>,
) -> Result<(), DataError> {
    let lines = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_end_matches('\r')))
        .filter(|(_, l)| !l.trim().is_empty());
    let mut fields = Vec::with_capacity(columns);
    let mut data_rows = 0;
    for (index, (line, text)) in lines.enumerate() {
        fields.clear();
        fields.extend(text.split(',').map(str::trim));
        if fields.len() != columns {
            return Err(DataError::Columns {
                path: path.to_path_buf(),
                line,
                expected: columns,
                found: fields.len(),
            });
        }
        if index > 0 {
            row(line, &fields)?;
            data_rows += 1;
        }
    }
    if data_rows == 0 {
        return Err(DataError::Empty {
            path: path.to_path_buf(),
        });
    }
    Ok(())
}

/// A number that is finite in `T` too, or the error naming where it is.
fn scalar<T: Float>(
    path: &Path,
    line: usize,
    column: usize,
    field: &str,
) -> Result<f64, DataError> {
    let value = number(path, line, column, field)?;
    if !T::cast(value).finite() {
        return Err(DataError::OutOfRange {
            path: path.to_path_buf(),
            line,
            column,
            value: field.to_string(),
            scalar: T::NAME,
        });
    }
    Ok(value)
}

/// A finite number, or the error naming where it is.
fn number(path: &Path, line: usize, column: usize, field: &str) -> Result<f64, DataError> {
    let value = field.parse::<f64>().map_err(|_| DataError::NotANumber {
        path: path.to_path_buf(),
        line,
        column,
        value: field.to_string(),
    })?;
    if !value.is_finite() {
        return Err(DataError::NonFinite {
            path: path.to_path_buf(),
            line,
            column,
            value: field.to_string(),
        });
    }
    Ok(value)
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

    /// Cuts the rows in two by a split file: a header line, then lines `row,split` with a
    /// 0-based data row and `train` or `test`, each row exactly once. Each part keeps the
    /// split file's order. A split file larger than [`DEFAULT_MAX_BYTES`] is refused.
    pub fn split(&self, split_path: impl AsRef<Path>) -> Result<Split<T, F>, DataError> {
        let path = split_path.as_ref();
        self.split_text(path, &read(path, DEFAULT_MAX_BYTES)?)
    }

    /// Cuts the rows by split-file `text`, as [`split`](Dataset::split); `path` names it.
    pub fn split_text(&self, path: impl AsRef<Path>, text: &str) -> Result<Split<T, F>, DataError> {
        let path = path.as_ref();
        let rows_total = self.samples.len();
        let mut seen = std::vec![false; rows_total];
        let part = |samples| Dataset {
            path: self.path.clone(),
            samples,
        };
        let (mut train, mut test) = (Vec::new(), Vec::new());
        for_each_row(path, text, 2, |line, fields| {
            let row = fields[0]
                .parse::<usize>()
                .map_err(|_| DataError::NotARowIndex {
                    path: path.to_path_buf(),
                    line,
                    value: fields[0].to_string(),
                })?;
            let Some(sample) = self.samples.get(row) else {
                return Err(DataError::RowOutOfRange {
                    path: path.to_path_buf(),
                    line,
                    row,
                    rows: rows_total,
                });
            };
            if std::mem::replace(&mut seen[row], true) {
                return Err(DataError::DuplicateRow {
                    path: path.to_path_buf(),
                    line,
                    row,
                });
            }
            match fields[1] {
                "train" => train.push(*sample),
                "test" => test.push(*sample),
                other => {
                    return Err(DataError::UnknownSplit {
                        path: path.to_path_buf(),
                        line,
                        value: other.to_string(),
                    })
                }
            }
            Ok(())
        })?;
        let assigned = train.len() + test.len();
        if assigned != rows_total {
            return Err(DataError::SplitIncomplete {
                path: path.to_path_buf(),
                rows: rows_total,
                assigned,
            });
        }
        Ok(Split {
            train: part(train),
            test: part(test),
        })
    }
}

/// Standardisation, `x' = (x - mean) / std` per feature, with the mean and the (population)
/// standard deviation of the rows it was fitted on, as scikit-learn's `StandardScaler`. A
/// constant feature keeps scale 1, so it maps to 0 instead of dividing by zero.
///
/// Fit it on the training rows only and apply it to every part: statistics of the test rows
/// must not leak into training.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Standardizer<T, const F: usize> {
    /// Each feature's mean.
    pub mean: SVector<T, F>,
    /// Each feature's standard deviation (1 where it is 0).
    pub scale: SVector<T, F>,
}

impl<T: Float, const F: usize> Standardizer<T, F> {
    /// The mean and standard deviation of each feature over `rows` (computed in `f64`, and
    /// finite for any finite data: see [`column_statistics`]).
    ///
    /// Errors: [`DataError::Empty`] if `rows` has no rows.
    pub fn fit(rows: &Dataset<T, F>) -> Result<Self, DataError> {
        if rows.is_empty() {
            return Err(DataError::Empty {
                path: rows.path.clone(),
            });
        }
        let mut mean = SVector::<T, F>::zeros();
        let mut scale = SVector::<T, F>::zeros();
        for j in 0..F {
            let (m, sd) = column_statistics(rows.samples.iter().map(|s| s.features[j].as_f64()));
            mean[j] = T::cast(m);
            // A deviation that rounds to 0 in `T` (f32 values one subnormal apart) counts as
            // a constant feature.
            let sd = T::cast(sd);
            scale[j] = if sd > T::ZERO { sd } else { T::ONE };
        }
        Ok(Standardizer { mean, scale })
    }

    /// One row, standardised: `(x - mean) / scale` in `T`; where that overflows (`x` and the
    /// mean near `T`'s largest values, of opposite signs), the same quotient from halved
    /// operands in `f64`, which is finite (at most `sqrt(n - 1)` for a row of the `n` it was
    /// fitted on).
    pub fn transform(&self, x: &SVector<T, F>) -> SVector<T, F> {
        let mut z = (x - self.mean).component_div(&self.scale);
        for ((z, &x), (&m, &s)) in z
            .iter_mut()
            .zip(x.iter())
            .zip(self.mean.iter().zip(self.scale.iter()))
        {
            if !z.finite() {
                let (x, m, s) = (x.as_f64(), m.as_f64(), s.as_f64());
                *z = T::cast((x / 2.0 - m / 2.0) / s * 2.0);
            }
        }
        z
    }

    /// Every row's features, standardised.
    pub fn apply(&self, rows: &Dataset<T, F>) -> Vec<SVector<T, F>> {
        rows.samples
            .iter()
            .map(|s| self.transform(&s.features))
            .collect()
    }
}

/// The mean and population standard deviation of `values` (all finite), both finite
/// whatever their size: the sums are taken over `x / 2^e`, with `2^e` the power of two at or
/// below the largest `|x|` (an exact scaling, so ordinary data gets the textbook result bit
/// for bit), and the results are clamped to the range the exact ones lie in (the mean between
/// the smallest and the largest value, the deviation at most half their spread). Summing
/// `1e308 + 1e308` directly gave an infinite mean and a NaN standardisation. `(0, 0)` for no
/// values.
pub fn column_statistics(values: impl Iterator<Item = f64> + Clone) -> (f64, f64) {
    let (mut n, mut low, mut high) = (0usize, f64::INFINITY, f64::NEG_INFINITY);
    for x in values.clone() {
        n += 1;
        low = low.min(x);
        high = high.max(x);
    }
    let largest = low.abs().max(high.abs());
    if n == 0 || largest == 0.0 {
        return (0.0, 0.0);
    }
    // 2^e <= largest < 2^(e + 1), e at most 1023; subnormal data is left unscaled.
    let exponent = ((largest.to_bits() >> 52) & 0x7ff) as i32 - 1023;
    let unit = if exponent > -1023 {
        f64::from_bits(((exponent + 1023) as u64) << 52)
    } else {
        1.0
    };
    let count = n as f64;
    let mean = values.clone().map(|x| x / unit).sum::<f64>() / count;
    let var = values
        .map(|x| (x / unit - mean) * (x / unit - mean))
        .sum::<f64>()
        / count;
    let mean = (mean * unit).clamp(low, high);
    let sd = (var.sqrt() * unit).min(high / 2.0 - low / 2.0);
    (mean, sd)
}
