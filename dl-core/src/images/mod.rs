//! Images from folders, as Keras's `flow_from_directory` and torchvision's `ImageFolder` read
//! them: one sub-folder a class, the classes being the sub-folders' names in sorted order.
//!
//! An [`ImageFolder`] is a streaming [`Source`](crate::stream::Source): each sample is read
//! and decoded when a batch needs it, on the stream's loader threads, so a folder of any size
//! trains in the memory of a few batches ([`fit_stream`](crate::stream::fit_stream)).
//!
//! Each image goes through, in this order ([`ImageConfig`]):
//! 1. **decoding**, PNG or JPEG only, told apart by their first bytes (the `image` crate, with
//!    only those two decoders compiled in), under size limits ([`MAX_SIDE`] pixels a side);
//! 2. **colour**: grayscale (Rec. 709 luma, `image`'s conversion) when the network's input
//!    has 1 channel, RGB when it has 3;
//! 3. **fitting** to the network's `[C, H, W]` ([`Fit`]): a resize with [`ImageConfig::filter`]
//!    (default [`FilterType::Triangle`], bilinear, as PIL's and torchvision's default), or a
//!    resize to a margin larger followed by a crop, or a crop of the original alone;
//! 4. **augmentation**, only while training ([`Augment`]): a horizontal flip with probability
//!    1/2, a random crop position (a random shift), a rotation by an angle uniform in
//!    `[-max, max]` degrees about the centre (bilinear, edges clamped);
//! 5. **scaling**: `x = p * scale` ([`Normalize::Rescale`], default `1/255`) or
//!    `x = (p / 255 - mean_c) / std_c` ([`Normalize::MeanStd`], torchvision's `Normalize`);
//! 6. **layout**: channels first, `x[c * H * W + y * W + x]`, as the network's input.
//!
//! The target is the class index ([`Labels::Index`]), `0`/`1` ([`Labels::Binary`], two
//! classes, Keras's `class_mode='binary'`), or one-hot ([`Labels::OneHot`]).
//!
//! Bad input is an [`ImageError`] naming the file or folder: a file that cannot be read, a
//! corrupt image, a format other than PNG/JPEG, an empty class folder, no class folder, a
//! class name that is not UTF-8, an image too small to crop. With [`OnCorrupt::Skip`],
//! unreadable, corrupt and unknown-format images are skipped instead, and the stream counts
//! them. Nothing panics and no image is ever given another folder's label.

mod config;
mod error;
mod folder;
mod pixels;

pub use config::{Augment, Fit, ImageConfig, Labels, Normalize, OnCorrupt};
pub use error::ImageError;
pub use folder::ImageFolder;
pub use image::imageops::FilterType;
pub use pixels::{decode_image, MAX_SIDE};
