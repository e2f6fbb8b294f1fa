//! Training curves as line charts, side-by-side panels in one PNG or SVG file.
//!
//! PNG text is drawn with a bundled DejaVu Sans font through plotters' pure-Rust `ab_glyph`
//! renderer, so no system font library is needed (the font's licence is
//! `fonts/DejaVu-LICENSE`); SVG text is left to the viewer's sans-serif font.
//!
//! Every curve gets its own colour, dash pattern and marker shape, and the markers of curve
//! `i` sit on epochs shifted by `i`, so two curves that coincide (SGD and momentum early on,
//! Adam and AdamW) are both visible.

use dl_core::fit::{Epoch, EpochLog, History};
use dl_core::float::Float;
use plotters::coord::types::RangedCoordu32;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::{register_font, FontStyle};
use std::error::Error;
use std::path::Path;
use std::sync::Once;

static FONT: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");

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

/// Panels drawn side by side, 640 x 480 pixels each.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Chart {
    /// The panels, left to right.
    pub panels: Vec<Panel>,
}

impl Chart {
    /// A chart of these panels.
    pub fn new(panels: Vec<Panel>) -> Self {
        Chart { panels }
    }

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

    /// Writes the chart to `path`: SVG if it ends in `.svg`, PNG otherwise. Creates the
    /// directory if needed.
    pub fn draw(&self, path: impl AsRef<Path>) -> Result<(), Box<dyn Error>> {
        let path = path.as_ref();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let size = (640 * self.panels.len().max(1) as u32, 480);
        if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("svg"))
        {
            self.draw_on(SVGBackend::new(path, size).into_drawing_area())
        } else {
            register_bundled_font()?;
            let mut rgb = vec![0u8; size.0 as usize * size.1 as usize * 3];
            self.draw_on(BitMapBackend::with_buffer(&mut rgb, size).into_drawing_area())?;
            write_png(path, size, &rgb)
        }
    }

    fn draw_on<DB: DrawingBackend>(
        &self,
        root: DrawingArea<DB, Shift>,
    ) -> Result<(), Box<dyn Error>>
    where
        DB::ErrorType: 'static,
    {
        root.fill(&WHITE)?;
        let areas = root.split_evenly((1, self.panels.len().max(1)));
        for (area, panel) in areas.iter().zip(&self.panels) {
            draw_panel(area, panel)?;
        }
        root.present()?;
        Ok(())
    }
}

/// Writes 8-bit RGB pixels to a PNG file with the `png` crate (plotters' own PNG writer
/// would compile a second, older `image` crate and its codecs for this one call).
fn write_png(path: &Path, (width, height): (u32, u32), rgb: &[u8]) -> Result<(), Box<dyn Error>> {
    let file = std::io::BufWriter::new(std::fs::File::create(path)?);
    let mut encoder = png::Encoder::new(file, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.write_header()?.write_image_data(rgb)?;
    Ok(())
}

/// Registers the bundled font as plotters' `sans-serif` once.
fn register_bundled_font() -> Result<(), Box<dyn Error>> {
    static REGISTER: Once = Once::new();
    let mut result = Ok(());
    REGISTER.call_once(|| {
        result = register_font("sans-serif", FontStyle::Normal, FONT)
            .map_err(|_| "the bundled font is unreadable");
    });
    Ok(result?)
}

/// The y range of `panel`'s points under its scale, padded by 5 %.
fn y_range(panel: &Panel) -> (f64, f64) {
    let from = match panel.scale {
        Scale::From(epoch) => epoch,
        _ => 0,
    };
    let log = panel.scale == Scale::Log;
    let values = panel
        .curves
        .iter()
        .flat_map(|c| c.points.iter())
        .filter(|p| p.0 >= from && p.1.is_finite() && (!log || p.1 > 0.0))
        .map(|p| p.1);
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    if lo > hi {
        return if log { (0.1, 1.0) } else { (0.0, 1.0) };
    }
    if log {
        (lo / 1.25, hi * 1.25)
    } else {
        let pad = ((hi - lo) * 0.05).max(1e-6);
        (lo - pad, hi + pad)
    }
}

fn draw_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    panel: &Panel,
) -> Result<(), Box<dyn Error>>
where
    DB::ErrorType: 'static,
{
    let points = || panel.curves.iter().flat_map(|c| c.points.iter());
    let x_max = points().map(|p| p.0).max().unwrap_or(1).max(1);
    let (lo, hi) = y_range(panel);
    let mut builder = ChartBuilder::on(area);
    builder
        .caption(&panel.title, ("sans-serif", 22))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(64);
    // Epochs are integers, and an integer axis only ever has integer ticks.
    let x = first_epoch(panel)..x_max + 1;
    if panel.scale == Scale::Log {
        let mut chart = builder.build_cartesian_2d(x, (lo..hi).log_scale())?;
        chart
            .configure_mesh()
            .x_desc("epoch")
            .y_desc(panel.y_label.as_str())
            .y_label_formatter(&|v| format!("{v:.3}"))
            .label_style(("sans-serif", 14))
            .draw()?;
        draw_curves(&mut chart, panel, lo, hi)
    } else {
        let mut chart = builder.build_cartesian_2d(x, lo..hi)?;
        chart
            .configure_mesh()
            .x_desc("epoch")
            .y_desc(panel.y_label.as_str())
            .label_style(("sans-serif", 14))
            .draw()?;
        draw_curves(&mut chart, panel, lo, hi)
    }
}

/// Draws the marked epoch, then every curve with its own style, then the legend.
fn draw_curves<'a, DB, Y>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<RangedCoordu32, Y>>,
    panel: &Panel,
    lo: f64,
    hi: f64,
) -> Result<(), Box<dyn Error>>
where
    DB: DrawingBackend + 'a,
    DB::ErrorType: 'static,
    Y: Ranged<ValueType = f64>,
{
    let from = first_epoch(panel);
    let in_range = |p: (u32, f64)| p.0 >= from && p.1.is_finite() && p.1 >= lo && p.1 <= hi;
    if let Some((epoch, label)) = &panel.marker {
        let style = BLACK.mix(0.6).stroke_width(2);
        chart
            .draw_series(DashedLineSeries::new(
                [(*epoch, lo), (*epoch, hi)],
                8,
                6,
                style,
            ))?
            .label(label.as_str())
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 24, y)], style));
    }
    let spacing = marker_spacing(panel);
    for (i, curve) in panel.curves.iter().enumerate() {
        let style = CurveStyle::of(i);
        let line: Vec<(u32, f64)> = curve
            .points
            .iter()
            .copied()
            .filter(|&p| in_range(p))
            .collect();
        let series = match style.dash {
            None => chart.draw_series(LineSeries::new(line, style.line())),
            Some((dash, gap)) => {
                chart.draw_series(DashedLineSeries::new(line, dash, gap, style.line()))
            }
        }?;
        series.label(curve.name.as_str()).legend(move |(x, y)| {
            let [a, b] = style.legend_pieces();
            EmptyElement::at((x, y))
                + PathElement::new([(a.0, 0), (a.1, 0)], style.line())
                + PathElement::new([(b.0, 0), (b.1, 0)], style.line())
                + Polygon::new(style.shape_at(12), style.colour.filled())
        });
        let marked = curve
            .points
            .iter()
            .copied()
            .filter(|p| in_range(*p) && (p.0 as usize + i).is_multiple_of(spacing));
        chart
            .draw_series(marked.map(|p| {
                EmptyElement::at(p) + Polygon::new(style.shape(), style.colour.filled())
            }))?;
        if let Some((epoch, _)) = &panel.marker {
            let best = curve
                .points
                .iter()
                .copied()
                .filter(|&p| p.0 == *epoch && in_range(p));
            chart.draw_series(best.map(|p| Circle::new(p, 6, BLACK.stroke_width(2))))?;
        }
    }
    chart
        .configure_series_labels()
        .position(emptiest_corner(panel, from, lo, hi))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .label_font(("sans-serif", 14))
        .draw()?;
    Ok(())
}

/// The first epoch shown: 0, or the zoomed panel's first epoch.
fn first_epoch(panel: &Panel) -> u32 {
    match panel.scale {
        Scale::From(epoch) => epoch,
        _ => 0,
    }
}

/// The corner of the plot whose box (40 % wide, 45 % high) holds the fewest points, where the
/// legend hides the least.
fn emptiest_corner(panel: &Panel, from: u32, lo: f64, hi: f64) -> SeriesLabelPosition {
    let x_max = panel
        .curves
        .iter()
        .flat_map(|c| c.points.iter())
        .map(|p| p.0)
        .max()
        .unwrap_or(1);
    let log = panel.scale == Scale::Log;
    let y = |v: f64| if log { v.ln() } else { v };
    let (y_lo, y_hi) = (y(lo), y(hi));
    let span = (x_max.saturating_sub(from)).max(1) as f64;
    let at = |p: &(u32, f64)| {
        let fx = (p.0.saturating_sub(from)) as f64 / span;
        let fy = (y(p.1) - y_lo) / (y_hi - y_lo);
        (fx, fy)
    };
    let corners = [
        (SeriesLabelPosition::UpperRight, true, true),
        (SeriesLabelPosition::LowerRight, true, false),
        (SeriesLabelPosition::UpperLeft, false, true),
        (SeriesLabelPosition::LowerLeft, false, false),
    ];
    let count = |right: bool, upper: bool| {
        let points = panel.curves.iter().flat_map(|c| c.points.iter());
        points
            .filter(|p| p.0 >= from && p.1.is_finite() && (!log || p.1 > 0.0))
            .map(at)
            .filter(|&(fx, fy)| {
                let in_x = if right { fx >= 0.6 } else { fx <= 0.4 };
                let in_y = if upper { fy >= 0.55 } else { fy <= 0.45 };
                in_x && in_y
            })
            .count()
    };
    let best = corners
        .into_iter()
        .min_by_key(|&(_, right, upper)| count(right, upper));
    best.map_or(SeriesLabelPosition::UpperRight, |(position, _, _)| position)
}

/// Markers every this many epochs: about ten a curve.
fn marker_spacing(panel: &Panel) -> usize {
    let epochs = panel
        .curves
        .iter()
        .map(|c| c.points.len())
        .max()
        .unwrap_or(1);
    (epochs / 10).max(1)
}

/// Curve `i`'s colour, dash pattern and marker shape.
#[derive(Clone, Copy)]
struct CurveStyle {
    colour: RGBColor,
    dash: Option<(u32, u32)>,
    marker: usize,
}

impl CurveStyle {
    fn of(i: usize) -> Self {
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
        const DASHES: [Option<(u32, u32)>; 3] = [None, Some((10, 6)), Some((3, 4))];
        CurveStyle {
            colour: PALETTE[i % PALETTE.len()],
            dash: DASHES[i % DASHES.len()],
            marker: i % 4,
        }
    }

    fn line(&self) -> ShapeStyle {
        self.colour.stroke_width(2)
    }

    /// The legend's two line pieces over 24 pixels, drawing the dash pattern.
    fn legend_pieces(&self) -> [(i32, i32); 2] {
        match self.dash {
            None => [(0, 12), (12, 24)],
            Some((10, _)) => [(0, 9), (15, 24)],
            Some(_) => [(0, 3), (7, 10)],
        }
    }

    /// The marker's outline in pixels around its centre: circle, triangle, square, diamond.
    fn shape(&self) -> Vec<(i32, i32)> {
        self.shape_at(0)
    }

    fn shape_at(&self, dx: i32) -> Vec<(i32, i32)> {
        let outline: &[(i32, i32)] = match self.marker {
            0 => &[
                (4, 0),
                (3, 3),
                (0, 4),
                (-3, 3),
                (-4, 0),
                (-3, -3),
                (0, -4),
                (3, -3),
            ],
            1 => &[(0, -5), (5, 4), (-5, 4)],
            2 => &[(-4, -4), (4, -4), (4, 4), (-4, 4)],
            _ => &[(0, -5), (5, 0), (0, 5), (-5, 0)],
        };
        outline.iter().map(|&(x, y)| (x + dx, y)).collect()
    }
}
