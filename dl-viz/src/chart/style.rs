//! Each curve's colour, dash pattern and marker shape.

use plotters::prelude::*;

/// Curve `i`'s colour, dash pattern and marker shape.
#[derive(Clone, Copy)]
pub(super) struct CurveStyle {
    pub(super) colour: RGBColor,
    pub(super) dash: Option<(u32, u32)>,
    marker: usize,
}

impl CurveStyle {
    pub(super) fn of(i: usize) -> Self {
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

    pub(super) fn line(&self) -> ShapeStyle {
        self.colour.stroke_width(2)
    }

    /// The legend's two line pieces over 24 pixels, drawing the dash pattern.
    pub(super) fn legend_pieces(&self) -> [(i32, i32); 2] {
        match self.dash {
            None => [(0, 12), (12, 24)],
            Some((10, _)) => [(0, 9), (15, 24)],
            Some(_) => [(0, 3), (7, 10)],
        }
    }

    /// The marker's outline in pixels around its centre: circle, triangle, square, diamond.
    pub(super) fn shape(&self) -> Vec<(i32, i32)> {
        self.shape_at(0)
    }

    pub(super) fn shape_at(&self, dx: i32) -> Vec<(i32, i32)> {
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
