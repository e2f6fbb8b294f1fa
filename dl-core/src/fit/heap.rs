//! [`fit`]: the training loop with its scratch memory on the heap.

use super::{Callback, Control, Data, Epoch, EpochOnly, FitConfig, Log, Run, Scratch};
use crate::error::{Error, Operand};
use crate::loss::Loss;
use crate::metrics::Metrics;
use crate::network::Network;
use crate::optim::Optimizer;
use crate::train::Workspace;
use crate::zeroed::{boxed, boxed_slice};
use alloc::boxed::Box;
use alloc::vec::Vec;

/// [`fit_with`](super::fit_with) with its scratch memory on the heap, the network copies
/// built there in place (no network-sized temporary on the stack), and a history that grows
/// with the epochs. [`Trainer`](super::Trainer) is the same with the types inferred.
///
/// ```
/// use dl_core::prelude::*;
///
/// network! {
///     struct Line { Dense<1, 1, Identity> }
/// }
///
/// let xs = [[0.0], [1.0], [2.0], [3.0]].map(SVector::<f64, 1>::from);
/// let ys = [[1.0], [3.0], [5.0], [7.0]].map(SVector::<f64, 1>::from); // y = 2x + 1
/// let mut net = Line::<f64>::new(1);
/// let config = FitConfig::new(300, BatchSize::Full);
/// let history = fit::<Mse, MeanAbsoluteError, _, _>(
///     &mut net, &mut Adam::new(0.1), Data::new(&xs, &ys)?, None, &config, keep_going,
/// )?;
/// assert_eq!(history.len(), 300);
/// assert!(history.last().unwrap().train_loss < 1e-4);
/// # Ok::<(), dl_core::error::Error>(())
/// ```
pub fn fit<L: Loss, M: Metrics, N: Network, O: Optimizer<N>>(
    net: &mut N,
    opt: &mut O,
    train: Data<'_, N::Input, N::Output>,
    validation: Option<Data<'_, N::Input, N::Output>>,
    config: &FitConfig,
    on_epoch: impl FnMut(&Epoch<N::Scalar>) -> Control,
) -> Result<Log<N::Scalar>, Error> {
    let run = Run {
        train,
        validation,
        config,
        resumed_best: None,
    };
    run.train_on_heap::<L, M, _, _>(net, opt, EpochOnly(on_epoch))
}

impl<N: Network> Run<'_, '_, N> {
    /// [`Run::train`] with its scratch memory allocated.
    pub(super) fn train_on_heap<L: Loss, M: Metrics, O: Optimizer<N>, C: Callback<N>>(
        &self,
        net: &mut N,
        opt: &mut O,
        callback: C,
    ) -> Result<Log<N::Scalar>, Error> {
        let n = self.train.len();
        let config = self.config;
        let (order_len, batch_len) = if config.gathers(n) {
            (n, config.batch.size(n))
        } else {
            (0, 0)
        };
        let mut workspace = Workspace::<N>::boxed();
        let mut order = alloc::vec![0usize; order_len];
        let mut batch_inputs = boxed_slice::<N::Input>(batch_len);
        let mut batch_targets = boxed_slice::<N::Output>(batch_len);
        let mut checkpoint = boxed::<N>();
        let restore_best = config.early_stopping.is_some_and(|e| e.restore_best);
        let resumed_best = config.early_stopping_state.and_then(|s| s.best_epoch);
        if restore_best && resumed_best.is_some() && self.resumed_best.is_none() {
            // The best weights before the resume are needed, and were not given.
            return Err(Error::BufferTooSmall {
                what: Operand::BestWeights,
                needed: 1,
                found: 0,
            });
        }
        let mut best: Option<Box<N>> = restore_best.then(boxed::<N>);
        let scratch = Scratch {
            workspace: &mut workspace,
            order: &mut order,
            batch_inputs: &mut batch_inputs,
            batch_targets: &mut batch_targets,
            checkpoint: &mut checkpoint,
            best: best.as_deref_mut(),
        };
        self.train::<L, M, O, _, _>(net, opt, scratch, Vec::new(), callback)
    }
}
