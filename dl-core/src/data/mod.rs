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

mod dataset;
mod error;
mod parse;
mod split;
mod standardize;

pub use dataset::{one_hot, Dataset, Sample};
pub use error::DataError;
pub use parse::DEFAULT_MAX_BYTES;
pub use split::Split;
pub use standardize::{column_statistics, Standardizer};
