//! Reading and parsing CSV text: the size limit, rows of a fixed number of fields, numbers
//! finite in the scalar type, each failure naming the file, line and column.

use super::error::DataError;
#[cfg(doc)]
use super::Dataset;
use crate::float::Float;
use std::path::Path;
use std::string::{String, ToString};
use std::vec::Vec;

/// The size limit of [`Dataset::load`] and [`Dataset::split`]: 1 GiB. A CSV of that size
/// holds about a hundred million numbers, more than a fixed-size network trains on in
/// memory; larger files (or `/dev/zero`) are refused with [`DataError::TooLarge`] after
/// reading at most this much. [`Dataset::load_limited`] takes another limit.
pub const DEFAULT_MAX_BYTES: u64 = 1 << 30;

/// Reads a text file of at most `limit` bytes, telling a missing one from other failures.
pub(super) fn read(path: &Path, limit: u64) -> Result<String, DataError> {
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
pub(super) fn for_each_row<'t>(
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
pub(super) fn scalar<T: Float>(
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
