//! A Keras-style progress bar for `fit`: one step an epoch, the epoch's numbers beside it.

use dl_core::error::Error;
use dl_core::fit::{Callback, Control, Epoch};
use dl_core::float::Float;
use dl_core::network::Network;
use indicatif::{ProgressBar, ProgressStyle};

/// A bar of one training run, advanced by [`epoch`](Progress::epoch) from `fit`'s callback:
///
/// ```text
///   digits  37/200 [=====>                        ] 00:00:02 < 00:00:09  loss 0.0712 - accuracy 0.9823 - val_loss 0.1031 - val_accuracy 0.9722
/// ```
///
/// indicatif draws it only when standard error is a terminal.
pub struct Progress {
    bar: ProgressBar,
    metric: &'static str,
}

impl Progress {
    /// A bar of `epochs` steps labelled `label`, the metric called `"metric"` until
    /// [`metric`](Progress::metric) names it.
    pub fn new(label: &str, epochs: usize) -> Self {
        let style = ProgressStyle::with_template(
            "{prefix:>10} {pos:>4}/{len} [{bar:30}] {elapsed_precise} < {eta_precise}  {msg}",
        )
        .expect("a valid template")
        .progress_chars("=> ");
        let bar = ProgressBar::new(epochs as u64)
            .with_style(style)
            .with_prefix(label.to_string());
        Progress {
            bar,
            metric: "metric",
        }
    }

    /// The same with the metric named `metric` (e.g. `Accuracy::NAME`).
    pub fn metric(mut self, metric: &'static str) -> Self {
        self.metric = metric;
        self
    }

    /// Moves the bar on by one epoch and shows `e`'s numbers (Keras's names: `loss`, the
    /// metric's name, `val_loss`, `val_` and the metric's name). A `fit` callback body:
    /// `|e| progress.epoch(e)` (or lend the bar to a `Trainer`: `.callback(&progress)`); it
    /// never stops training.
    pub fn epoch<T: Float>(&self, e: &Epoch<T>) -> Control {
        self.bar.set_message(line(e, self.metric));
        self.bar.inc(1);
        Control::Continue
    }

    /// Leaves the bar drawn at its final position.
    pub fn finish(&self) {
        self.bar.finish();
    }

    /// The underlying indicatif bar.
    pub fn bar(&self) -> &ProgressBar {
        &self.bar
    }
}

/// A lent bar is a [`Trainer`](dl_core::fit::Trainer) callback: `.callback(&progress)`.
impl<N: Network> Callback<N> for &Progress {
    fn on_epoch(&mut self, epoch: &Epoch<N::Scalar>, _: &N) -> Result<Control, Error> {
        Ok(self.epoch(epoch))
    }
}

/// One epoch's numbers in Keras's words:
/// `loss 0.0712 - accuracy 0.9823 - val_loss 0.1031 - val_accuracy 0.9722`.
pub fn line<T: Float>(e: &Epoch<T>, metric: &str) -> String {
    let mut parts = vec![format!("loss {:.4}", e.train_loss.as_f64())];
    if let Some(m) = e.train_metric() {
        parts.push(format!("{metric} {:.4}", m.as_f64()));
    }
    if let Some(l) = e.val_loss {
        parts.push(format!("val_loss {:.4}", l.as_f64()));
    }
    if let Some(m) = e.val_metric() {
        parts.push(format!("val_{metric} {:.4}", m.as_f64()));
    }
    parts.join(" - ")
}
