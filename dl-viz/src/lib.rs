//! # dl-viz: progress, tables and training curves for `dl`
//!
//! What every training script otherwise writes by hand, kept out of `dl-core` (which stays
//! `no_std` and small) in this companion crate:
//!
//! - [`Progress`]: a Keras-style bar that advances once an epoch and shows the epoch's loss
//!   and metric, train and validation; its [`epoch`](Progress::epoch) method is a `fit`
//!   callback body. Drawn only on a terminal, so logs stay clean.
//! - [`Chart`]: line charts of a training run written to PNG (bundled font, no system font
//!   library) or SVG, chosen by the file's extension: integer epoch ticks, a marker at the
//!   best epoch whose weights early stopping restored, linear, logarithmic or zoomed y axes,
//!   and a distinct colour, dash and marker for every curve so coinciding curves stay
//!   visible. [`Chart::history`] draws a `History`'s loss and metric in two panels.
//! - [`Table`]: a plain-text results table with aligned columns.
//!
//! ```no_run
//! use dl_core::prelude::*;
//! use dl_viz::{Chart, Progress};
//!
//! network! {
//!     struct Xor { Dense<2, 4, Tanh>, Dense<4, 1, Sigmoid> }
//! }
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let xs = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]].map(SVector::<f32, 2>::from);
//! let ys = [[0.0], [1.0], [1.0], [0.0]].map(SVector::<f32, 1>::from);
//! let data = Data::new(&xs, &ys)?;
//! let mut net = Xor::<f32>::new(3);
//! let progress = Progress::new("xor", 500);
//! let history = Trainer::new(&mut net, &mut Adam::new(0.05), data)
//!     .loss(BinaryCrossEntropy)
//!     .metrics(Accuracy)
//!     .epochs(500)
//!     .batch(BatchSize::Full)
//!     .train_metrics(true)
//!     .callback(&progress)
//!     .run()?;
//! progress.finish();
//! Chart::history("xor", &history).draw("target/xor_curves.png")?;
//! # Ok(())
//! # }
//! ```

pub mod chart;
pub mod progress;
pub mod table;

pub use chart::{Chart, Curve, Panel, Scale};
pub use progress::Progress;
pub use table::Table;
