//! Image folders: classes from sorted folder names, decoding, colour, resizing, scaling,
//! channels-first layout, labels, seeded augmentation, splits, and every kind of bad input
//! named in its error. The folders are written by the tests under the target directory.

mod augmentation;
mod bad_input;
mod decoding;
mod splits;
mod training;

use dl_core::images::{
    decode_image, Augment, FilterType, Fit, ImageConfig, ImageError, ImageFolder, Labels,
    Normalize, OnCorrupt,
};
use dl_core::prelude::*;
use dl_core::stream::{Loaded, Source};
use image::{GrayImage, Rgb, RgbImage};
use std::path::{Path, PathBuf};

/// A fresh, empty folder for test `name`.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("images")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn solid(w: u32, h: u32, rgb: [u8; 3]) -> RgbImage {
    RgbImage::from_pixel(w, h, Rgb(rgb))
}

fn save(image: &RgbImage, path: &Path) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    image.save(path).unwrap();
}

/// `root/b_red/{0,1}.png` (red) and `root/a_blue/{0,1,2}.png` (blue), 6x4.
fn two_classes(name: &str) -> PathBuf {
    let root = scratch(name);
    for i in 0..2 {
        save(
            &solid(6, 4, [200, 10, 20]),
            &root.join(format!("b_red/{i}.png")),
        );
    }
    for i in 0..3 {
        save(
            &solid(6, 4, [5, 15, 250]),
            &root.join(format!("a_blue/{i}.png")),
        );
    }
    root
}

fn load(folder: &ImageFolder, i: usize, input: usize, target: usize) -> (Vec<f32>, Vec<f32>) {
    let (mut x, mut y) = (vec![0.0; input], vec![0.0; target]);
    assert_eq!(
        folder.load_into(i, None, &mut x, &mut y).unwrap(),
        Loaded::Sample
    );
    (x, y)
}
