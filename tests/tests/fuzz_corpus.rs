//! The fuzz targets' invariants (`fuzz/src/checks.rs`) on the stable toolchain: every file of
//! the committed seed corpus (`fuzz/corpus/<target>/`) and every crash reproducer the fuzzer
//! found (`tests/fuzz_regressions/<target>/`, kept forever) goes through the same check the
//! fuzz target runs, so CI re-checks them without nightly or cargo-fuzz.
//!
//! `DL_WRITE_FUZZ_SEEDS=1 cargo test -p dl-tests --test fuzz_corpus` rewrites the seed corpus
//! (valid images and files, each with near misses).

#[path = "../../fuzz/src/checks.rs"]
mod checks;
#[path = "../../fuzz/src/image_checks.rs"]
mod image_checks;
#[path = "../../fuzz/src/state_checks.rs"]
mod state_checks;

use checks::{Tiny, TinyConv};
use dl_core::bytes::ParamBytes;
use dl_core::prelude::*;
use dl_core::safetensors::{self, Dtype, Names};
use std::path::{Path, PathBuf};

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path)
}

/// The files of `dir`, sorted; none if it does not exist.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.retain(|p| p.is_file());
    files.sort();
    files
}

/// Runs `check` on every seed of `target` (at least one) and every reproducer.
fn run(target: &str, check: fn(&[u8])) {
    if std::env::var_os("DL_WRITE_FUZZ_SEEDS").is_some() {
        write_seeds(target);
    }
    let seeds = files(&repo(&format!("fuzz/corpus/{target}")));
    assert!(!seeds.is_empty(), "fuzz/corpus/{target} has no seeds");
    let reproducers = files(&repo(&format!("tests/fuzz_regressions/{target}")));
    for file in seeds.iter().chain(&reproducers) {
        let data = std::fs::read(file).unwrap();
        let result = std::panic::catch_unwind(|| check(&data));
        assert!(
            result.is_ok(),
            "{target}: {} fails its check",
            file.display()
        );
    }
    println!(
        "{target}: {} seeds and {} reproducers hold",
        seeds.len(),
        reproducers.len()
    );
}

#[test]
fn bytes_image_corpus() {
    run("bytes_image", checks::bytes_image);
}

#[test]
fn safetensors_import_corpus() {
    run("safetensors_import", checks::safetensors_import);
}

#[test]
fn csv_load_corpus() {
    run("csv_load", checks::csv_load);
}

#[test]
fn optimizer_state_corpus() {
    run("optimizer_state", state_checks::optimizer_state);
}

#[test]
fn image_decode_corpus() {
    run("image_decode", image_checks::image_decode);
}

/// The image check can fail: a decoder that writes before it refuses a file, or writes a
/// value out of range, is caught.
#[test]
fn the_image_check_catches_a_broken_decoder() {
    let png = std::fs::read(repo("fuzz/corpus/image_decode/rgb_9x7.png")).unwrap();
    image_checks::image_decode(&png);
    let writes_then_fails: image_checks::Decode = |bytes, path, config, rng, out| {
        out.fill(0.5);
        dl_core::images::decode_image(bytes, path, config, rng, out)?;
        Err(dl_core::images::ImageError::UnknownFormat { path: path.into() })
    };
    let out_of_range: image_checks::Decode = |bytes, path, config, rng, out| {
        dl_core::images::decode_image(bytes, path, config, rng, out)?;
        out[0] = 2.0;
        Ok(())
    };
    for broken in [writes_then_fails, out_of_range] {
        let caught = std::panic::catch_unwind(|| image_checks::image_decode_with(&png, broken));
        assert!(caught.is_err(), "a broken decoder passed the check");
    }
}

/// The checks can fail: an image whose export differs, or a network changed on error, is
/// caught (a check that passes everything would not be).
#[test]
fn the_checks_catch_a_broken_decoder() {
    let net = Tiny::<f32>::new(1);
    let mut image = vec![0u8; Tiny::<f32>::BYTES];
    net.export_bytes(&mut image).unwrap();
    checks::bytes_image(&image);
    let mut other = Tiny::<f32>::new(2);
    assert_ne!(checks::bits(&other), checks::bits(&net));
    other.import_bytes(&image).unwrap();
    assert_eq!(checks::bits(&other), checks::bits(&net));
}

/// The image of `net`, with the checksum made right after `edit` changed its bytes.
fn image_with<N: Network>(net: &N, edit: impl Fn(&mut [u8])) -> Vec<u8> {
    let mut image = vec![0u8; N::BYTES];
    net.export_bytes(&mut image).unwrap();
    edit(&mut image);
    let mut covered = image[..20].to_vec();
    covered.extend_from_slice(&image[24..]);
    let crc = dl_core::bytes::crc32(&covered);
    image[20..24].copy_from_slice(&crc.to_le_bytes());
    image
}

fn write_seeds(target: &str) {
    let dir = repo(&format!("fuzz/corpus/{target}"));
    std::fs::create_dir_all(&dir).unwrap();
    let write = |name: &str, bytes: &[u8]| std::fs::write(dir.join(name), bytes).unwrap();
    match target {
        "bytes_image" => {
            let (t32, t64, conv) = (
                Tiny::<f32>::new(1),
                Tiny::<f64>::new(1),
                TinyConv::<f32>::new(1),
            );
            write("tiny_f32.bin", &image_with(&t32, |_| {}));
            write("tiny_f64.bin", &image_with(&t64, |_| {}));
            write("tiny_conv_f32.bin", &image_with(&conv, |_| {}));
            let nan = image_with(&t32, |b| b[24..28].copy_from_slice(&f32::NAN.to_le_bytes()));
            write("tiny_f32_nan.bin", &nan);
            let mut flipped = image_with(&t32, |_| {});
            flipped[30] ^= 1;
            write("tiny_f32_bad_crc.bin", &flipped);
            write("tiny_f32_truncated.bin", &image_with(&t32, |_| {})[..40]);
            write("tiny_f32_v2.bin", &image_with(&t32, |b| b[4] = 2));
        }
        "safetensors_import" => {
            let names = Names::pytorch();
            let t32 = Tiny::<f32>::new(1);
            for (dtype, name) in [
                (Dtype::F16, "tiny_f16"),
                (Dtype::BF16, "tiny_bf16"),
                (Dtype::F32, "tiny_f32"),
                (Dtype::F64, "tiny_f64"),
            ] {
                write(name, &safetensors::export(&t32, dtype, &names).unwrap());
            }
            let conv = TinyConv::<f32>::new(1);
            write(
                "tiny_conv_f32",
                &safetensors::export(&conv, Dtype::F32, &names).unwrap(),
            );
            let mut nan = safetensors::export(&t32, Dtype::F32, &names).unwrap();
            let at = nan.len() - 4;
            nan[at..].copy_from_slice(&f32::NAN.to_le_bytes());
            write("tiny_f32_nan", &nan);
            let conv_as_tiny = safetensors::export(&conv, Dtype::F64, &names).unwrap();
            write("tiny_conv_f64", &conv_as_tiny);
        }
        "csv_load" => {
            write("plain.csv", b"a,b,y\n1,2.5,0\n-3,4e-2,2\n\n0.5,6,1\n");
            write(
                "with_split.csv",
                b"a,b,y\n1,2,0\n3,4,1\n5,6,2\n#split\nrow,split\n0,train\n2,test\n1,train\n",
            );
            write(
                "one_feature.csv",
                b"x,y\r\n1e308,0\r\n1e308,1\r\n-1e308,1\r\n",
            );
            write("too_large_for_f32.csv", b"a,b,y\n1e39,2,0\n");
            write(
                "extremes.csv",
                b"a,b,c,y\n3.4e38,-3.4e38,5e-324,0\n3.4e38,3.4e38,0,1\n",
            );
            write("bad.csv", b"a,b,y\n1,x,0\n1,2\nnan,1,1\n");
        }
        "image_decode" => image_seeds(&write),
        "optimizer_state" => {
            for (name, bytes) in state_checks::seeds() {
                write(name, &bytes);
            }
        }
        other => panic!("no seeds for {other}"),
    }
}

/// Small PNGs and JPEGs of each colour type the decoders take, and near misses: truncated,
/// a broken checksum, a header that claims a huge image, too small to crop, not an image.
fn image_seeds(write: &dyn Fn(&str, &[u8])) {
    use image::{DynamicImage, ImageFormat, Luma, Rgb, Rgba};
    let encode = |image: DynamicImage, format: ImageFormat| {
        let mut bytes = std::io::Cursor::new(Vec::new());
        image.write_to(&mut bytes, format).unwrap();
        bytes.into_inner()
    };
    let rgb = image::RgbImage::from_fn(9, 7, |x, y| Rgb([(x * 28) as u8, (y * 36) as u8, 200]));
    let gray = image::GrayImage::from_fn(8, 8, |x, y| Luma([((x + y) * 16) as u8]));
    let rgba =
        image::RgbaImage::from_fn(5, 6, |x, y| Rgba([90, (x * 50) as u8, (y * 40) as u8, 128]));
    let gray16 = image::ImageBuffer::<Luma<u16>, _>::from_fn(4, 4, |x, y| {
        Luma([(x * 9000 + y * 7000) as u16])
    });
    let png = encode(DynamicImage::ImageRgb8(rgb.clone()), ImageFormat::Png);
    write("rgb_9x7.png", &png);
    write(
        "gray_8x8.png",
        &encode(DynamicImage::ImageLuma8(gray.clone()), ImageFormat::Png),
    );
    write(
        "rgba_5x6.png",
        &encode(DynamicImage::ImageRgba8(rgba), ImageFormat::Png),
    );
    write(
        "gray16_4x4.png",
        &encode(DynamicImage::ImageLuma16(gray16), ImageFormat::Png),
    );
    let tiny = image::RgbImage::from_pixel(2, 3, Rgb([1, 2, 3]));
    write(
        "rgb_2x3_too_small_to_crop.png",
        &encode(DynamicImage::ImageRgb8(tiny), ImageFormat::Png),
    );
    write(
        "rgb_9x7.jpg",
        &encode(DynamicImage::ImageRgb8(rgb), ImageFormat::Jpeg),
    );
    write(
        "gray_8x8.jpg",
        &encode(DynamicImage::ImageLuma8(gray), ImageFormat::Jpeg),
    );
    write("rgb_9x7_truncated.png", &png[..png.len() / 2]);
    let mut bad_crc = png.clone();
    bad_crc[29] ^= 0xff; // the IHDR chunk's checksum
    write("rgb_9x7_bad_crc.png", &bad_crc);
    // IHDR claims 16384 x 16384 (the largest side allowed) with the CRC made right.
    let mut huge = png.clone();
    huge[16..24].copy_from_slice(&[0, 0, 0x40, 0, 0, 0, 0x40, 0]);
    let crc = dl_core::bytes::crc32(&huge[12..29]); // PNG's CRC is zlib's
    huge[29..33].copy_from_slice(&crc.to_be_bytes());
    write("rgb_huge_header.png", &huge);
    write("gif_header.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;");
}
