//! Drawing a [`Panel`] with plotters: its axes, the marked epoch, every curve in its own
//! style, and the legend in the emptiest corner.

use super::style::CurveStyle;
use super::{Panel, Scale};
use plotters::coord::types::RangedCoordu32;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::error::Error;

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

/// Draws `panel` on `area`.
pub(super) fn panel<DB: DrawingBackend>(
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
