//! Why a data file was refused, naming the file, line and column.

use std::path::PathBuf;
use std::string::String;

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
    /// The file is larger than the limit it was read with
    /// ([`DEFAULT_MAX_BYTES`](super::DEFAULT_MAX_BYTES) unless another was given): refused
    /// before more than the limit was read.
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
