//! [`SaveBest`]: a callback that writes the best weights so far to a safetensors file.

use super::{Callback, Control, Epoch};
use crate::error::Error;
use crate::float::Float;
use crate::network::Network;
use crate::safetensors::SafetensorsError;
use std::path::{Path, PathBuf};

/// Keras's `ModelCheckpoint(save_best_only=True)`: after every epoch whose monitored loss
/// ([`Epoch::monitored_loss`]: validation loss, else training loss) is lower than every
/// epoch's before it, writes the network to `path` with
/// [`safetensors::save`](crate::safetensors::save) (PyTorch's names; loads in PyTorch too).
///
/// A failed write ends training with [`Error::Checkpoint`]; [`SaveBest::error`] keeps the
/// file error. Lend it (`.callback(&mut save)`) to read it after training.
///
/// ```
/// use dl_core::prelude::*;
/// use dl_core::fit::SaveBest;
///
/// network! {
///     struct Line { Dense<1, 1, Identity> }
/// }
///
/// let xs = [[0.0], [1.0], [2.0], [3.0]].map(SVector::<f32, 1>::from);
/// let ys = [[1.0], [3.0], [5.0], [7.0]].map(SVector::<f32, 1>::from);
/// let path = std::env::temp_dir().join(format!("dl_doc_best_{}.safetensors", std::process::id()));
/// let mut save = SaveBest::new(&path);
/// let mut net = Line::<f32>::new(1);
/// let history = Trainer::new(&mut net, &mut Sgd::new(0.05), Data::new(&xs, &ys)?)
///     .loss(Mse)
///     .epochs(50)
///     .batch(BatchSize::Full)
///     .callback(&mut save)
///     .run()?;
/// assert_eq!(save.best_epoch(), Some(50)); // full-batch descent on a line keeps improving
/// let mut best = Line::<f32>::ZERO;
/// dl_core::safetensors::load(&mut best, &path)?;
/// assert_eq!(best, net);
/// # std::fs::remove_file(&path)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct SaveBest {
    path: PathBuf,
    min_delta: f64,
    best_loss: f64,
    best_epoch: Option<usize>,
    error: Option<SafetensorsError>,
}

impl SaveBest {
    /// Saves to `path` (overwritten at every improvement).
    pub fn new(path: impl AsRef<Path>) -> Self {
        SaveBest {
            path: PathBuf::from(path.as_ref()),
            min_delta: 0.0,
            best_loss: f64::INFINITY,
            best_epoch: None,
            error: None,
        }
    }

    /// The same, counting only decreases larger than `min_delta` as improvements.
    pub fn min_delta(mut self, min_delta: f64) -> Self {
        self.min_delta = min_delta;
        self
    }

    /// The file written.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The epoch whose weights the file holds, if one was saved.
    pub fn best_epoch(&self) -> Option<usize> {
        self.best_epoch
    }

    /// The monitored loss of that epoch (infinite before any).
    pub fn best_loss(&self) -> f64 {
        self.best_loss
    }

    /// Why the last write failed, if it did.
    pub fn error(&self) -> Option<&SafetensorsError> {
        self.error.as_ref()
    }
}

impl<N: Network> Callback<N> for SaveBest {
    fn on_epoch(&mut self, epoch: &Epoch<N::Scalar>, net: &N) -> Result<Control, Error> {
        let loss = epoch.monitored_loss().as_f64();
        if !(loss.is_finite() && loss < self.best_loss - self.min_delta) {
            return Ok(Control::Continue);
        }
        match crate::safetensors::save(net, &self.path) {
            Ok(()) => {
                self.best_loss = loss;
                self.best_epoch = Some(epoch.epoch);
                Ok(Control::Continue)
            }
            Err(e) => {
                self.error = Some(e);
                Err(Error::Checkpoint { epoch: epoch.epoch })
            }
        }
    }
}
