//! One image file's bytes to a channels-first sample: decode, colour, fit, augment, scale.

use super::config::{Fit, ImageConfig, Normalize};
use super::error::ImageError;
use crate::error::Operand;
use crate::float::Float;
use crate::rng::Rng;
use image::{imageops, ImageBuffer, ImageFormat, ImageReader, Limits, Pixel};
use std::io::Cursor;
use std::path::Path;
use std::string::ToString;
use std::vec::Vec;

/// The longest side an image may have, in pixels; larger images are refused as corrupt
/// before their pixels are allocated.
pub const MAX_SIDE: u32 = 1 << 14;

/// The decoder's allocation limit (bytes).
const MAX_ALLOC: u64 = 1 << 29;

/// Decodes the PNG or JPEG `bytes` (from the file `path`, named in errors) and writes it into
/// `out` (`config.input_len()` values, channels first), as the [module
/// documentation](super) describes; `augment` is the sample's generator while training.
///
/// Errors: [`ImageError::UnknownFormat`], [`ImageError::Corrupt`], [`ImageError::TooSmall`],
/// [`ImageError::Config`] for settings out of range, [`ImageError::Shape`] if `out` has the
/// wrong length. Never panics, whatever the bytes (fuzzed).
pub fn decode_image<T: Float>(
    bytes: &[u8],
    path: &Path,
    config: &ImageConfig,
    augment: Option<&mut Rng>,
    out: &mut [T],
) -> Result<(), ImageError> {
    config.validate()?;
    if out.len() != config.input_len() {
        return Err(ImageError::Shape {
            what: Operand::Input,
            expected: config.input_len(),
            found: out.len(),
        });
    }
    let format = match image::guess_format(bytes) {
        Ok(f @ (ImageFormat::Png | ImageFormat::Jpeg)) => f,
        _ => {
            return Err(ImageError::UnknownFormat {
                path: path.to_path_buf(),
            })
        }
    };
    let corrupt = |e: image::ImageError| ImageError::Corrupt {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_ALLOC);
    reader.limits(limits);
    let image = reader.decode().map_err(corrupt)?;
    if config.channels == 1 {
        fit_and_write(&image.to_luma8(), path, config, augment, out)
    } else {
        fit_and_write(&image.to_rgb8(), path, config, augment, out)
    }
}

type Image<P> = ImageBuffer<P, Vec<u8>>;

/// Fits a decoded image to the configured size, augments and writes it.
fn fit_and_write<P: Pixel<Subpixel = u8> + 'static, T: Float>(
    image: &Image<P>,
    path: &Path,
    config: &ImageConfig,
    mut augment: Option<&mut Rng>,
    out: &mut [T],
) -> Result<(), ImageError> {
    let (w, h) = (config.width, config.height);
    let aug = config.augment;
    // The draws, in a fixed order: flip, crop position, angle.
    let flip = match augment.as_deref_mut() {
        Some(rng) if aug.flip => rng.uniform() < 0.5,
        _ => false,
    };
    let offset = |free: u32, rng: Option<&mut Rng>| match rng {
        Some(rng) if aug.shift => rng.below(free as usize + 1) as u32,
        _ => free / 2,
    };
    let fitted = match config.fit {
        Fit::Resize if image.dimensions() == (w, h) => image.clone(),
        Fit::Resize => imageops::resize(image, w, h, config.filter),
        Fit::ResizeCrop { margin } => {
            let big = imageops::resize(image, w + margin, h + margin, config.filter);
            let (x, y) = (
                offset(margin, augment.as_deref_mut()),
                offset(margin, augment.as_deref_mut()),
            );
            imageops::crop_imm(&big, x, y, w, h).to_image()
        }
        Fit::Crop => {
            let (iw, ih) = image.dimensions();
            if iw < w || ih < h {
                return Err(ImageError::TooSmall {
                    path: path.to_path_buf(),
                    size: (iw, ih),
                    needed: (w, h),
                });
            }
            let (x, y) = (
                offset(iw - w, augment.as_deref_mut()),
                offset(ih - h, augment.as_deref_mut()),
            );
            imageops::crop_imm(image, x, y, w, h).to_image()
        }
    };
    let angle = match augment {
        Some(rng) if aug.rotate > 0.0 => rng.uniform_in(-1.0, 1.0) * f64::from(aug.rotate),
        _ => 0.0,
    };
    write_channels_first(&fitted, config, flip, angle, out);
    Ok(())
}

/// Writes `image` (already `H x W`) channels first, mirrored if `flip`, rotated by `angle`
/// degrees about its centre (bilinear, edges clamped), scaled as configured.
fn write_channels_first<P: Pixel<Subpixel = u8>, T: Float>(
    image: &Image<P>,
    config: &ImageConfig,
    flip: bool,
    angle: f64,
    out: &mut [T],
) {
    let (w, h, c) = (
        config.width as usize,
        config.height as usize,
        config.channels,
    );
    let raw = image.as_raw();
    let pixel = |x: usize, y: usize, ch: usize| f64::from(raw[(y * w + x) * c + ch]);
    let scale = |ch: usize, p: f64| match config.normalize {
        Normalize::Rescale(s) => p * f64::from(s),
        Normalize::MeanStd { mean, std } => (p / 255.0 - f64::from(mean[ch])) / f64::from(std[ch]),
    };
    let (sin, cos) = angle.to_radians().sin_cos();
    let (cx, cy) = ((w as f64 - 1.0) / 2.0, (h as f64 - 1.0) / 2.0);
    for y in 0..h {
        for x in 0..w {
            let sx = if flip { w - 1 - x } else { x };
            for ch in 0..c {
                let p = if angle == 0.0 {
                    pixel(sx, y, ch)
                } else {
                    // The source point that rotates onto (sx, y).
                    let (dx, dy) = (sx as f64 - cx, y as f64 - cy);
                    let (u, v) = (cx + cos * dx + sin * dy, cy - sin * dx + cos * dy);
                    bilinear(u, v, w, h, |x, y| pixel(x, y, ch))
                };
                out[ch * h * w + y * w + x] = T::cast(scale(ch, p));
            }
        }
    }
}

/// Bilinear interpolation at `(u, v)` with the coordinates clamped to the image.
fn bilinear(u: f64, v: f64, w: usize, h: usize, at: impl Fn(usize, usize) -> f64) -> f64 {
    let u = u.clamp(0.0, (w - 1) as f64);
    let v = v.clamp(0.0, (h - 1) as f64);
    let (x0, y0) = (u.floor() as usize, v.floor() as usize);
    let (x1, y1) = ((x0 + 1).min(w - 1), (y0 + 1).min(h - 1));
    let (fx, fy) = (u - x0 as f64, v - y0 as f64);
    let top = at(x0, y0) * (1.0 - fx) + at(x1, y0) * fx;
    let bottom = at(x0, y1) * (1.0 - fx) + at(x1, y1) * fx;
    top * (1.0 - fy) + bottom * fy
}
