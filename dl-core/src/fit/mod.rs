//! `fit` / `evaluate` / `predict` in the shape Keras made familiar, without a heap.
//!
//! [`Trainer`] is Keras's `model.fit(...)`: a builder that takes the loss and metrics as
//! values, so no type is spelled out (`Trainer::new(&mut net, &mut opt, data)
//! .loss(CrossEntropy).metrics(Accuracy).epochs(20).run()`). `fit` (with `alloc`) and [`fit_with`] are the
//! same loop as functions with the loss and metric as type parameters.
//!
//! [`fit_with`] trains for a number of epochs over a training set in batches of a chosen size:
//! the whole set ([`BatchSize::Full`], batch gradient descent), one sample ([`BatchSize::Stochastic`])
//! or `B` samples ([`BatchSize::Mini`]). Each epoch reshuffles the samples with a seeded
//! [`Rng`](crate::rng::Rng), and each batch goes through [`train_batch`](crate::train::train_batch), which averages the
//! gradient over the batch, so whatever makes `train_batch` faster makes `fit` faster. At the
//! end of each epoch it calls the optimizer's
//! [`end_epoch`](crate::optim::OptimizerBase::end_epoch), which advances per-epoch schedules.
//! After every epoch it evaluates the optional validation data (the loss and every metric of
//! the run), records an [`Epoch`] in a [`History`], calls the [`Callback`]s, which see the
//! network and may stop training (`SaveBest`, with the `safetensors` feature, writes the best weights to a file), and
//! applies early stopping. A run can resume after a checkpoint
//! ([`FitConfig::initial_epoch`], with the optimizer's state restored through
//! [`OptimizerState`](crate::optim::OptimizerState), a `ReduceLrOnPlateau`'s counters with
//! it) and train the same weights bit for bit as an uninterrupted run: each epoch's Dropout
//! masks restart from the seed and the epoch, so they need nothing saved. Under early
//! stopping, its counters ([`EarlyStoppingState`], from [`History::early_stopping`], saved as
//! bytes in the optimizer-state format) and the best weights so far are given back with
//! [`Trainer::resume_early_stopping`].
//!
//! All memory is the caller's: a [`Scratch`] holds the index buffer for shuffling, the batch
//! buffers the shuffled samples are gathered into, a checkpoint copy of the network and, for
//! early stopping, a copy of the best weights; the history's epochs go to a slice of the
//! caller's ([`EpochLog`]). With the `alloc` feature, `fit` allocates them, builds the copies in
//! place on the heap, and returns a history that grows with the epochs.
//!
//! Divergence is caught: if a batch's loss or gradient is NaN or infinite, or its update would
//! make a weight or the optimizer's state non-finite, training stops with [`Error::Diverged`](crate::error::Error::Diverged)
//! naming the epoch and batch, and the weights are those before that batch ([`train_batch`](crate::train::train_batch)
//! refuses such a step whole). Should the weights still be non-finite after a step, they go
//! back to the checkpoint taken at the start of the epoch. No NaN weight is ever handed back.
//!
//! ```
//! use dl_core::prelude::*;
//!
//! network! {
//!     struct Xor { Dense<2, 4, Tanh>, Dense<4, 1, Sigmoid> }
//! }
//!
//! let xs = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]].map(SVector::<f32, 2>::from);
//! let ys = [[0.0], [1.0], [1.0], [0.0]].map(SVector::<f32, 1>::from);
//! let data = Data::new(&xs, &ys)?;
//!
//! // Every byte of memory is here, on the stack: no heap anywhere.
//! let mut net = Xor::<f32>::new(3);
//! let (mut checkpoint, mut best) = (Xor::<f32>::ZERO, Xor::<f32>::ZERO);
//! let mut ws = Workspace::new();
//! let (mut order, mut bx, mut by) = ([0; 4], [SVector::zeros(); 2], [SVector::zeros(); 2]);
//! let mut epochs = [Epoch::BLANK; 1500];
//! let scratch = Scratch {
//!     workspace: &mut ws,
//!     order: &mut order,
//!     batch_inputs: &mut bx,
//!     batch_targets: &mut by,
//!     checkpoint: &mut checkpoint,
//!     best: Some(&mut best),
//! };
//! let config = FitConfig::new(1500, BatchSize::Mini(2))
//!     .seed(7)
//!     .early_stopping(EarlyStopping::new(50));
//! let history = fit_with::<BinaryCrossEntropy, Accuracy, _, _, _>(
//!     &mut net, &mut Adam::new(0.05), data, None, &config, scratch, &mut epochs[..], keep_going,
//! )?;
//! let result = evaluate::<BinaryCrossEntropy, Accuracy, _>(&net, data);
//! assert_eq!(result.metric, 1.0, "after {} epochs", history.len());
//! # Ok::<(), dl_core::error::Error>(())
//! ```

mod callback;
#[cfg(feature = "safetensors")]
mod checkpoint;
mod config;
mod data;
mod evaluate;
#[cfg(feature = "alloc")]
mod heap;
mod history;
mod patience;
mod stopping_state;
mod train_loop;
mod trainer;

pub use callback::{keep_going, Callback, Control, EpochOnly, OnEpoch};
#[cfg(feature = "safetensors")]
pub use checkpoint::SaveBest;
pub use config::{BatchSize, EarlyStopping, FitConfig};
pub use data::{Data, Evaluation};
#[cfg(feature = "alloc")]
pub use evaluate::predict_all;
pub use evaluate::{evaluate, evaluate_with, predict, predict_with};
#[cfg(feature = "alloc")]
pub use heap::fit;
#[cfg(feature = "alloc")]
pub use history::Log;
pub use history::{Epoch, EpochLog, History, MetricValues, MAX_METRICS};
pub use stopping_state::EarlyStoppingState;
pub use train_loop::{fit_with, Scratch};
pub use trainer::{NoLoss, Trainer};

pub(crate) use patience::Patience;
use train_loop::Run;
