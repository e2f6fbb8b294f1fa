//! What a chart shows: [`Panel`]s of [`Curve`]s on a [`Scale`], independent of how they are
//! drawn.

use dl_core::fit::Epoch;
use dl_core::float::Float;

/// One line: a legend entry and `(epoch, value)` points.
#[derive(Clone, Debug, PartialEq)]
pub struct Curve {
    /// The legend entry.
    pub name: String,
    /// The points, epochs counted from 1.
    pub points: Vec<(u32, f64)>,
}

impl Curve {
    /// The curve of `value` against the epoch over `epochs` (a `None` value is no point).
    pub fn of<T: Float>(
        name: impl Into<String>,
        epochs: &[Epoch<T>],
        value: impl Fn(&Epoch<T>) -> Option<T>,
    ) -> Self {
        Curve {
            name: name.into(),
            points: epochs
                .iter()
                .filter_map(|e| value(e).map(|v| (e.epoch as u32, v.as_f64())))
                .collect(),
        }
    }
}

/// How a panel's y axis maps values.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Scale {
    /// Linear, fitted to every point.
    Linear,
    /// Logarithmic (for losses that fall by orders of magnitude); non-positive values are
    /// left out.
    Log,
    /// Linear, fitted to the points from this epoch on: the spread of the final values,
    /// which the first epochs' values would otherwise squash.
    From(u32),
}

/// One chart of a figure: title, y label, scale, curves and an optional marked epoch.
#[derive(Clone, Debug, PartialEq)]
pub struct Panel {
    /// The chart's title.
    pub title: String,
    /// The y axis's label.
    pub y_label: String,
    /// How values map to the y axis.
    pub scale: Scale,
    /// The lines.
    pub curves: Vec<Curve>,
    /// An epoch to mark with a vertical line, and its legend entry.
    pub marker: Option<(u32, String)>,
}

impl Panel {
    /// An empty linear panel.
    pub fn new(title: impl Into<String>, y_label: impl Into<String>) -> Self {
        Panel {
            title: title.into(),
            y_label: y_label.into(),
            scale: Scale::Linear,
            curves: Vec::new(),
            marker: None,
        }
    }

    /// The same with one more curve.
    pub fn curve(mut self, curve: Curve) -> Self {
        self.curves.push(curve);
        self
    }

    /// The same with this y scale.
    pub fn scale(mut self, scale: Scale) -> Self {
        self.scale = scale;
        self
    }

    /// The same with `epoch` marked by a vertical line labelled `label` in the legend.
    pub fn mark(mut self, epoch: usize, label: impl Into<String>) -> Self {
        self.marker = Some((epoch as u32, label.into()));
        self
    }
}
