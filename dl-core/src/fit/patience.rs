//! The state of an [`EarlyStopping`] rule over a run: the best monitored loss so far and the
//! epochs waited since. The one rule of [`fit_with`](super::fit_with), `fit`, the
//! [`Trainer`](super::Trainer) and `stream::fit_stream`.

use super::{EarlyStopping, EarlyStoppingState, Epoch};
use crate::float::Float;
use crate::network::Network;

/// What one epoch did to the rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Verdict {
    /// The epoch's monitored loss beat the best by more than `min_delta`: its weights are the
    /// new best.
    pub improved: bool,
    /// `patience` epochs in a row have not improved: training stops.
    pub stop: bool,
}

/// An [`EarlyStopping`] rule and what it has seen.
pub(crate) struct Patience {
    rule: EarlyStopping,
    state: EarlyStoppingState,
}

impl Patience {
    pub(crate) fn new(rule: EarlyStopping) -> Self {
        Self::resume(rule, EarlyStoppingState::START)
    }

    /// The rule, having seen what `state` says (a resumed run's).
    pub(crate) fn resume(rule: EarlyStopping, state: EarlyStoppingState) -> Self {
        Patience { rule, state }
    }

    /// What it has seen.
    pub(crate) fn state(&self) -> EarlyStoppingState {
        self.state
    }

    /// Takes in a finished epoch. The monitored loss is its validation loss, or its training
    /// loss without validation data; a non-finite one never improves.
    pub(crate) fn observe<T: Float>(&mut self, record: &Epoch<T>) -> Verdict {
        let monitored = record.monitored_loss().as_f64();
        let state = &mut self.state;
        if monitored.is_finite() && monitored < state.best_loss - self.rule.min_delta {
            state.best_loss = monitored;
            state.waited = 0;
            state.best_epoch = Some(record.epoch);
            Verdict {
                improved: true,
                stop: false,
            }
        } else {
            state.waited += 1;
            Verdict {
                improved: false,
                stop: state.waited >= self.rule.patience,
            }
        }
    }

    /// The epoch (from 1) with the lowest monitored loss so far.
    pub(crate) fn best_epoch(&self) -> Option<usize> {
        self.state.best_epoch
    }

    /// [`observe`](Self::observe), keeping `net` in `best` (when given) if the epoch
    /// improved. Returns whether to stop.
    pub(crate) fn keep_best<N: Network>(
        &mut self,
        record: &Epoch<N::Scalar>,
        net: &N,
        best: Option<&mut N>,
    ) -> bool {
        let verdict = self.observe(record);
        if let (true, Some(best)) = (verdict.improved, best) {
            best.copy_from(net);
        }
        verdict.stop
    }

    /// At the end of a run whose last epoch was `last`: with `restore_best`, hands back the
    /// best epoch's weights (kept in `best`) unless the last epoch was the best.
    pub(crate) fn restore_best<N: Network>(
        &self,
        last: Option<usize>,
        net: &mut N,
        best: Option<&N>,
    ) {
        let best_epoch = self.state.best_epoch;
        if let (true, Some(best), Some(epoch)) = (self.rule.restore_best, best, best_epoch) {
            if Some(epoch) != last {
                net.copy_from(best);
            }
        }
    }
}
