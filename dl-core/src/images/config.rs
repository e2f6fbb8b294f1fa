//! How an image becomes a sample: the network's shape, the resize filter, the scaling, the
//! labels, the augmentation.

use super::error::ImageError;
use crate::network::Network;
use image::imageops::FilterType;

/// How an image is brought to the network's height and width.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fit {
    /// Resize the whole image to `H x W` (aspect ratio not kept, as Keras's `target_size`).
    Resize,
    /// Resize to `(H + margin) x (W + margin)`, then cut an `H x W` window: at a random
    /// position when augmenting with [`Augment::shift`], centred otherwise.
    ResizeCrop {
        /// Pixels added to each side length before cropping.
        margin: u32,
    },
    /// Cut an `H x W` window from the original image without resizing (random position when
    /// augmenting with [`Augment::shift`], centred otherwise); a smaller image is an
    /// [`ImageError::TooSmall`].
    Crop,
}

/// How pixel values `p` in `0..=255` become inputs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Normalize {
    /// `x = p * scale` (Keras's `rescale`).
    Rescale(f32),
    /// `x = (p / 255 - mean[c]) / std[c]` per channel (torchvision's `Normalize`); only the
    /// first `C` entries are used.
    MeanStd {
        /// Per-channel means, in `[0, 1]` units.
        mean: [f32; 3],
        /// Per-channel standard deviations (positive).
        std: [f32; 3],
    },
}

/// What the target of an image of class `k` is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Labels {
    /// One value, `k` (0 or 1); exactly two classes (Keras's `class_mode='binary'`).
    Binary,
    /// As many values as classes, 1 at `k`, 0 elsewhere.
    OneHot,
    /// One value, `k`.
    Index,
}

/// Random changes while training, drawn from the stream's per-sample generator.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Augment {
    /// Mirror left-right with probability 1/2.
    pub flip: bool,
    /// Take the crop of [`Fit::ResizeCrop`] / [`Fit::Crop`] at a random position.
    pub shift: bool,
    /// Rotate by a uniform angle in `[-rotate, rotate]` degrees (0: never).
    pub rotate: f32,
}

impl Augment {
    /// No augmentation.
    pub const NONE: Augment = Augment {
        flip: false,
        shift: false,
        rotate: 0.0,
    };
}

/// What to do with an image that cannot be read or decoded, or is not a PNG/JPEG.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnCorrupt {
    /// Stop with an [`ImageError`] naming it (the default).
    Fail,
    /// Skip it; the stream counts skipped samples.
    Skip,
}

/// The settings of an [`ImageFolder`](super::ImageFolder). See the [module
/// documentation](super) for the order they apply in.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ImageConfig {
    /// Channels: 1 (grayscale) or 3 (RGB).
    pub channels: usize,
    /// Height in pixels.
    pub height: u32,
    /// Width in pixels.
    pub width: u32,
    /// The resampling filter of resizes (default bilinear, [`FilterType::Triangle`]).
    pub filter: FilterType,
    /// How the image is fitted to `height x width`.
    pub fit: Fit,
    /// How pixel values are scaled.
    pub normalize: Normalize,
    /// What the targets are.
    pub labels: Labels,
    /// Augmentation while training.
    pub augment: Augment,
    /// What happens to an unreadable image.
    pub on_corrupt: OnCorrupt,
}

impl ImageConfig {
    /// `channels x height x width`, bilinear resize, `1/255`, one-hot labels, no
    /// augmentation, failing on a corrupt image.
    pub const fn new(channels: usize, height: u32, width: u32) -> Self {
        ImageConfig {
            channels,
            height,
            width,
            filter: FilterType::Triangle,
            fit: Fit::Resize,
            normalize: Normalize::Rescale(1.0 / 255.0),
            labels: Labels::OneHot,
            augment: Augment::NONE,
            on_corrupt: OnCorrupt::Fail,
        }
    }

    /// [`new`](Self::new) with the network's declared input `[C, H, W]`, and [`Labels::Binary`]
    /// if it has one output, [`Labels::OneHot`] otherwise.
    pub fn for_network<N: Network>() -> Result<Self, ImageError> {
        match *N::SUMMARY.input {
            [c, h, w] => {
                let side =
                    |v: usize| u32::try_from(v).map_err(|_| ImageError::Config("a side over u32"));
                let config = ImageConfig::new(c, side(h)?, side(w)?);
                let labels = if N::OUTPUTS == 1 {
                    Labels::Binary
                } else {
                    Labels::OneHot
                };
                Ok(config.labels(labels))
            }
            _ => Err(ImageError::Config(
                "the network declares no image input `[C, H, W]`",
            )),
        }
    }

    /// The same with this resize filter.
    pub const fn filter(mut self, filter: FilterType) -> Self {
        self.filter = filter;
        self
    }

    /// The same with this fitting.
    pub const fn fit(mut self, fit: Fit) -> Self {
        self.fit = fit;
        self
    }

    /// The same with this scaling.
    pub const fn normalize(mut self, normalize: Normalize) -> Self {
        self.normalize = normalize;
        self
    }

    /// The same with these labels.
    pub const fn labels(mut self, labels: Labels) -> Self {
        self.labels = labels;
        self
    }

    /// The same with this augmentation.
    pub const fn augment(mut self, augment: Augment) -> Self {
        self.augment = augment;
        self
    }

    /// The same with this handling of corrupt images.
    pub const fn on_corrupt(mut self, on_corrupt: OnCorrupt) -> Self {
        self.on_corrupt = on_corrupt;
        self
    }

    /// The input length, `C * H * W`.
    pub const fn input_len(&self) -> usize {
        self.channels * self.height as usize * self.width as usize
    }

    /// The target length for `classes` classes.
    pub const fn target_len(&self, classes: usize) -> usize {
        match self.labels {
            Labels::OneHot => classes,
            Labels::Binary | Labels::Index => 1,
        }
    }

    /// Refuses settings out of range (see [`ImageError::Config`]).
    pub fn validate(&self) -> Result<(), ImageError> {
        if self.channels != 1 && self.channels != 3 {
            return Err(ImageError::Config(
                "channels must be 1 (grayscale) or 3 (RGB)",
            ));
        }
        if self.height == 0 || self.width == 0 {
            return Err(ImageError::Config("height and width must be at least 1"));
        }
        if self.height > super::MAX_SIDE || self.width > super::MAX_SIDE {
            return Err(ImageError::Config(
                "height and width must be at most MAX_SIDE",
            ));
        }
        if let Fit::ResizeCrop { margin } = self.fit {
            if margin > super::MAX_SIDE {
                return Err(ImageError::Config(
                    "the crop margin must be at most MAX_SIDE",
                ));
            }
        }
        match self.normalize {
            Normalize::Rescale(s) if !s.is_finite() => {
                return Err(ImageError::Config("the rescale factor must be finite"))
            }
            Normalize::MeanStd { mean, std } => {
                let c = self.channels;
                if !mean[..c].iter().all(|m| m.is_finite())
                    || !std[..c].iter().all(|s| s.is_finite() && *s > 0.0)
                {
                    return Err(ImageError::Config(
                        "means must be finite and standard deviations finite and positive",
                    ));
                }
            }
            Normalize::Rescale(_) => {}
        }
        let r = self.augment.rotate;
        if !(r.is_finite() && (0.0..=180.0).contains(&r)) {
            return Err(ImageError::Config(
                "the rotation must be in [0, 180] degrees",
            ));
        }
        Ok(())
    }
}
