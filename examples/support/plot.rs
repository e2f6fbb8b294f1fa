//! Line charts in a PNG, with plotters' bitmap backend and a bundled DejaVu Sans font
//! (registered with plotters' pure-Rust `ab_glyph` text renderer, so no system font library
//! is needed). The font's licence is `fonts/DejaVu-LICENSE`.

use dl_core::fit::{Epoch, History};
use dl_core::float::Float;
use plotters::prelude::*;
use plotters::style::{register_font, FontStyle};
use std::error::Error;
use std::path::Path;

static FONT: &[u8] = include_bytes!("fonts/DejaVuSans.ttf");

/// One line: a name for the legend and `(epoch, value)` points.
pub struct Curve {
    /// The legend entry.
    pub name: String,
    /// The points.
    pub points: Vec<(f64, f64)>,
}

/// The curve of `value` (None: no point) against the epoch, over `history`.
pub fn curve<T: Float, const E: usize>(
    name: &str,
    history: &History<T, E>,
    value: fn(&Epoch<T>) -> Option<T>,
) -> Curve {
    Curve {
        name: name.to_string(),
        points: history
            .epochs()
            .iter()
            .filter_map(|e| value(e).map(|v| (e.epoch as f64, v.as_f64())))
            .collect(),
    }
}

/// One chart of a figure: a title, a y-axis label and its curves.
pub struct Panel {
    /// The chart's title.
    pub title: String,
    /// The y axis's label.
    pub y_label: String,
    /// The lines.
    pub curves: Vec<Curve>,
}

/// A distinct colour for line `i`.
fn colour(i: usize) -> RGBColor {
    const PALETTE: [RGBColor; 8] = [
        RGBColor(31, 119, 180),
        RGBColor(255, 127, 14),
        RGBColor(44, 160, 44),
        RGBColor(214, 39, 40),
        RGBColor(148, 103, 189),
        RGBColor(140, 86, 75),
        RGBColor(227, 119, 194),
        RGBColor(127, 127, 127),
    ];
    PALETTE[i % PALETTE.len()]
}

/// Draws `panels` side by side (x axis: epoch) into a PNG at `path`.
pub fn figure(path: &Path, panels: &[Panel]) -> Result<(), Box<dyn Error>> {
    register_font("sans-serif", FontStyle::Normal, FONT)
        .map_err(|_| "the bundled font is unreadable")?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let root = BitMapBackend::new(path, (640 * panels.len() as u32, 480)).into_drawing_area();
    root.fill(&WHITE)?;
    for (area, panel) in root.split_evenly((1, panels.len())).iter().zip(panels) {
        let points = || panel.curves.iter().flat_map(|c| c.points.iter());
        let x_max = points().map(|p| p.0).fold(1.0, f64::max);
        let (lo, hi) = points().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), p| {
            (lo.min(p.1), hi.max(p.1))
        });
        let pad = ((hi - lo) * 0.05).max(1e-6);
        let mut chart = ChartBuilder::on(area)
            .caption(&panel.title, ("sans-serif", 22))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d(0.0..x_max, (lo - pad)..(hi + pad))?;
        chart
            .configure_mesh()
            .x_desc("epoch")
            .y_desc(panel.y_label.as_str())
            .label_style(("sans-serif", 14))
            .draw()?;
        for (i, curve) in panel.curves.iter().enumerate() {
            let style = colour(i).stroke_width(2);
            chart
                .draw_series(LineSeries::new(curve.points.iter().copied(), style))?
                .label(curve.name.as_str())
                .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], style));
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .label_font(("sans-serif", 14))
            .draw()?;
    }
    root.present()?;
    Ok(())
}
