//! Image decoding (the `images` feature): any bytes as the file of an image folder, through
//! [`decode_image`], the path `ImageFolder` takes from a file's bytes to a sample (decode,
//! colour, resize or crop, augmentation, scaling, channels-first layout).
//!
//! The same bytes go through three settings, chosen to reach every stage:
//! - grayscale 6x5, bilinear resize, `1/255`, no augmentation;
//! - RGB 7x7 from a resize with a margin of 3, then a crop, with flip, shift and a rotation of
//!   up to 15 degrees (seeded), per-channel mean/std;
//! - RGB 4x4 cut from the original without resizing (an image smaller than that is refused).
//!
//! Invariants:
//! - no panic, whatever the bytes;
//! - an error is one a file can cause (unknown format, corrupt, too small to crop), names the
//!   file, and leaves the output untouched;
//! - success writes every value, each finite and within the range its scaling allows;
//! - the three agree: the two resizing settings succeed or fail together (they share the
//!   decoder), and the crop fails on a decodable image only as too small, exactly when the
//!   image is smaller than 4x4.

use dl_core::images::{decode_image, Augment, Fit, ImageConfig, ImageError, Normalize};
use dl_core::prelude::*;
use std::path::Path;

/// The decoder under test: [`decode_image`] in `f32`, or a stand-in in the checks' own tests.
pub type Decode =
    fn(&[u8], &Path, &ImageConfig, Option<&mut Rng>, &mut [f32]) -> Result<(), ImageError>;

/// The file name given to the decoder, which every error must name.
const NAME: &str = "fuzz_input.img";

/// The output's value before decoding: not one a successful decode can write.
const UNTOUCHED: f32 = -1.0e30;

const MEAN: [f32; 3] = [0.485, 0.456, 0.406];
const STD: [f32; 3] = [0.229, 0.224, 0.225];

/// The fuzz target's check: [`image_decode_with`] the library's decoder.
pub fn image_decode(data: &[u8]) {
    image_decode_with(data, decode_image::<f32>);
}

/// Runs `data` through `decode` under the three settings and asserts the invariants.
pub fn image_decode_with(data: &[u8], decode: Decode) {
    let gray = ImageConfig::new(1, 5, 6);
    let augment = Augment {
        flip: true,
        shift: true,
        rotate: 15.0,
    };
    let rgb = ImageConfig::new(3, 7, 7)
        .fit(Fit::ResizeCrop { margin: 3 })
        .augment(augment)
        .normalize(Normalize::MeanStd {
            mean: MEAN,
            std: STD,
        });
    let crop = ImageConfig::new(3, 4, 4).fit(Fit::Crop);

    let resized = run(data, decode, &gray, None, (0.0, 1.0));
    let mut rng = Rng::new(data.len() as u64);
    let lo = (0..3).map(|c| -MEAN[c] / STD[c]).fold(f32::MAX, f32::min);
    let hi = (0..3)
        .map(|c| (1.0 - MEAN[c]) / STD[c])
        .fold(f32::MIN, f32::max);
    let augmented = run(data, decode, &rgb, Some(&mut rng), (lo, hi));
    let cropped = run(data, decode, &crop, None, (0.0, 1.0));

    assert_eq!(
        resized.is_ok(),
        augmented.is_ok(),
        "grayscale resize {resized:?} but augmented RGB {augmented:?}"
    );
    match (&resized, &cropped) {
        (Ok(()), Ok(()))
        | (Err(_), Err(ImageError::UnknownFormat { .. } | ImageError::Corrupt { .. })) => {}
        (Ok(()), Err(ImageError::TooSmall { size, .. })) => {
            assert!(
                size.0 < 4 || size.1 < 4,
                "a {size:?} image refused as too small for 4x4"
            )
        }
        (a, b) => panic!("resize gave {a:?} but crop {b:?}"),
    }
}

/// One decode into an output of `UNTOUCHED` values; asserts what the result allows.
fn run(
    data: &[u8],
    decode: Decode,
    config: &ImageConfig,
    rng: Option<&mut Rng>,
    (lo, hi): (f32, f32),
) -> Result<(), ImageError> {
    // Rounding room: the scaling runs in f64 and is rounded to f32 once.
    let eps = 1e-6 * (1.0 + lo.abs().max(hi.abs()));
    let (lo, hi) = (lo - eps, hi + eps);
    let mut out = vec![UNTOUCHED; config.input_len()];
    let result = decode(data, Path::new(NAME), config, rng, &mut out);
    match &result {
        Ok(()) => {
            for (i, &v) in out.iter().enumerate() {
                assert!(
                    v.is_finite() && (lo..=hi).contains(&v),
                    "{config:?}: value {v} at {i} is outside [{lo}, {hi}]"
                );
            }
        }
        Err(e) => {
            assert!(
                matches!(
                    e,
                    ImageError::UnknownFormat { .. }
                        | ImageError::Corrupt { .. }
                        | ImageError::TooSmall { .. }
                ),
                "{config:?}: an error no file should cause: {e:?}"
            );
            assert!(
                e.to_string().contains(NAME),
                "the error does not name the file: {e}"
            );
            assert!(
                out.iter().all(|&v| v == UNTOUCHED),
                "{config:?}: the error {e} left values written"
            );
        }
    }
    result
}
