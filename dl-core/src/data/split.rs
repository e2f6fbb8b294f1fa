//! A data set cut in two by a split file of `row,train|test` lines.

use super::dataset::Dataset;
use super::error::DataError;
use super::parse::{for_each_row, read, DEFAULT_MAX_BYTES};
use crate::float::Float;
use std::path::Path;
use std::string::ToString;
use std::vec::Vec;

/// A data set cut in two by a split file.
#[derive(Clone, Debug, PartialEq)]
pub struct Split<T, const F: usize> {
    /// The rows marked `train`, in the split file's order.
    pub train: Dataset<T, F>,
    /// The rows marked `test`, in the split file's order.
    pub test: Dataset<T, F>,
}

impl<T: Float, const F: usize> Dataset<T, F> {
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
