//! Training curves as line charts, side-by-side panels in one PNG or SVG file.
//!
//! PNG text is drawn with a bundled DejaVu Sans font through plotters' pure-Rust `ab_glyph`
//! renderer, so no system font library is needed (the font's licence is
//! `fonts/DejaVu-LICENSE`); SVG text is left to the viewer's sans-serif font.
//!
//! Every curve gets its own colour, dash pattern and marker shape, and the markers of curve
//! `i` sit on epochs shifted by `i`, so two curves that coincide (SGD and momentum early on,
//! Adam and AdamW) are both visible.
//!
//! One part a file: `panel` (what a chart shows: curves, panels, scales), `history` (the
//! chart of one training run), `draw` (plotting a panel), `style` (each curve's look); this
//! file writes the figure.

mod draw;
mod history;
mod panel;
mod style;

pub use panel::{Curve, Panel, Scale};

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::{register_font, FontStyle};
use std::error::Error;
use std::path::Path;
use std::sync::Once;

static FONT: &[u8] = include_bytes!("../../fonts/DejaVuSans.ttf");

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
            draw::panel(area, panel)?;
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
