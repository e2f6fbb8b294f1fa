//! A progress bar that advances once an epoch and shows the last epoch's numbers. indicatif
//! draws only on a terminal, so logs from CI stay clean.

use dl_core::fit::{Control, Epoch};
use dl_core::float::Float;
use indicatif::{ProgressBar, ProgressStyle};

/// A bar of `epochs` steps labelled `label`.
pub fn epochs(label: &str, epochs: usize) -> ProgressBar {
    let style = ProgressStyle::with_template(
        "{prefix:>12} [{bar:30}] {pos:>4}/{len} epochs {elapsed_precise} {msg}",
    )
    .expect("a valid template")
    .progress_chars("=> ");
    ProgressBar::new(epochs as u64)
        .with_style(style)
        .with_prefix(label.to_string())
}

/// Moves `bar` on by one epoch, showing `e`'s losses and metric named `metric`; a callback
/// body for `fit`.
pub fn advance<T: Float>(bar: &ProgressBar, metric: &str, e: &Epoch<T>) -> Control {
    let mut msg = format!("loss {:.4}", e.train_loss.as_f64());
    if let Some(m) = e.train_metric {
        msg += &format!(" {metric} {:.4}", m.as_f64());
    }
    if let Some(l) = e.val_loss {
        msg += &format!(" | val loss {:.4}", l.as_f64());
    }
    if let Some(m) = e.val_metric {
        msg += &format!(" val {metric} {:.4}", m.as_f64());
    }
    bar.set_message(msg);
    bar.inc(1);
    Control::Continue
}
