//! The chart of one training run: a [`History`]'s loss and metric, train and validation.

use super::{Chart, Curve, Panel};
use dl_core::fit::{EpochLog, History};
use dl_core::float::Float;

impl Chart {
    /// A training run's two panels: the loss and the metric per epoch, train and validation,
    /// the best epoch marked when early stopping restored its weights. `title` names the
    /// run (`"digits 64-32-10"`).
    pub fn history<T: Float, S: EpochLog<T>>(title: &str, history: &History<T, S>) -> Self {
        let epochs = history.epochs();
        let (loss, metric) = (history.loss_name(), history.metric_name());
        let mut loss_panel = Panel::new(format!("{title}: loss"), loss)
            .curve(Curve::of("train", epochs, |e| Some(e.train_loss)))
            .curve(Curve::of("validation", epochs, |e| e.val_loss));
        let mut metric_panel = Panel::new(format!("{title}: {metric}"), metric)
            .curve(Curve::of("train", epochs, |e| e.train_metric()))
            .curve(Curve::of("validation", epochs, |e| e.val_metric()));
        if let Some(best) = history.best_epoch() {
            let label = format!("best epoch {best} (weights restored)");
            loss_panel = loss_panel.mark(best, label.clone());
            metric_panel = metric_panel.mark(best, label);
        }
        for panel in [&mut loss_panel, &mut metric_panel] {
            panel.curves.retain(|c| !c.points.is_empty());
        }
        Chart::new(vec![loss_panel, metric_panel])
    }
}
