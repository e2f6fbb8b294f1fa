//! Bad files and folders: errors naming the file or folder, skipping by choice, damaged
//! files that never panic.

use super::*;

#[test]
fn bad_images_are_errors_naming_the_file_or_skipped_by_choice() {
    let root = two_classes("corrupt");
    let bad = root.join("a_blue/3_truncated.png");
    let png = std::fs::read(root.join("a_blue/0.png")).unwrap();
    std::fs::write(&bad, &png[..png.len() / 2]).unwrap();
    let text = root.join("b_red/notes.txt");
    std::fs::write(&text, "not an image").unwrap();
    let folder = ImageFolder::open(&root, ImageConfig::new(3, 2, 2)).unwrap();
    let find = |p: &Path| folder.samples().iter().position(|(s, _)| s == p).unwrap();
    let (mut x, mut y) = ([0.0f32; 12], [0.0f32; 2]);
    let err = folder
        .load_into(find(&bad), None, &mut x, &mut y)
        .unwrap_err();
    assert!(matches!(err, ImageError::Corrupt { .. }), "{err:?}");
    assert!(err.to_string().contains("3_truncated.png"), "{err}");
    let err = folder
        .load_into(find(&text), None, &mut x, &mut y)
        .unwrap_err();
    assert!(matches!(err, ImageError::UnknownFormat { .. }), "{err:?}");
    assert!(err.to_string().contains("notes.txt"), "{err}");

    let skipping = folder
        .clone()
        .with_config(ImageConfig::new(3, 2, 2).on_corrupt(OnCorrupt::Skip))
        .unwrap();
    y = [7.0, 7.0];
    assert_eq!(
        skipping
            .load_into(find(&bad), None, &mut x, &mut y)
            .unwrap(),
        Loaded::Skipped
    );
    assert_eq!(y, [7.0, 7.0], "a skipped sample wrote a label");
    assert_eq!(
        skipping
            .load_into(find(&text), None, &mut x, &mut y)
            .unwrap(),
        Loaded::Skipped
    );
    std::fs::remove_file(&bad).unwrap();
    let err = folder
        .load_into(find(&bad), None, &mut x, &mut y)
        .unwrap_err();
    assert!(matches!(err, ImageError::Io { .. }) && err.to_string().contains("3_truncated"));
}

#[test]
fn bad_folders_are_errors_naming_the_folder() {
    let root = scratch("empty_root");
    std::fs::write(root.join("stray.png"), b"x").unwrap();
    let err = ImageFolder::open(&root, ImageConfig::new(1, 2, 2)).unwrap_err();
    assert!(matches!(err, ImageError::NoClasses { .. }) && err.to_string().contains("empty_root"));

    let root = two_classes("empty_class");
    std::fs::create_dir_all(root.join("c_empty/.hidden_dir")).unwrap();
    std::fs::write(root.join("c_empty/.DS_Store"), b"x").unwrap();
    let err = ImageFolder::open(&root, ImageConfig::new(1, 2, 2)).unwrap_err();
    assert!(matches!(err, ImageError::EmptyClass { .. }), "{err:?}");
    assert!(err.to_string().contains("c_empty"), "{err}");

    let err =
        ImageFolder::open(scratch("missing").join("nope"), ImageConfig::new(1, 2, 2)).unwrap_err();
    assert!(matches!(err, ImageError::Io { .. }) && err.to_string().contains("nope"));

    let root = two_classes("three_classes");
    save(&solid(2, 2, [0, 0, 0]), &root.join("c/0.png"));
    let err =
        ImageFolder::open(&root, ImageConfig::new(1, 2, 2).labels(Labels::Binary)).unwrap_err();
    assert!(matches!(err, ImageError::Config(_)), "{err:?}");
    let err = ImageFolder::open(&root, ImageConfig::new(2, 2, 2)).unwrap_err();
    assert!(matches!(err, ImageError::Config(_)), "{err:?}");
}

#[cfg(unix)]
#[test]
fn a_class_name_that_is_not_utf8_is_an_error() {
    use std::os::unix::ffi::OsStrExt;
    let root = two_classes("non_utf8");
    let name = std::ffi::OsStr::from_bytes(b"caf\xe9");
    save(&solid(2, 2, [0, 0, 0]), &root.join(name).join("0.png"));
    let err = ImageFolder::open(&root, ImageConfig::new(1, 2, 2)).unwrap_err();
    assert!(matches!(err, ImageError::NonUtf8Name { .. }), "{err:?}");
    assert!(err.to_string().contains("caf"), "{err}");
}

#[test]
fn an_image_too_small_to_crop_is_an_error_naming_it() {
    let root = scratch("small");
    save(&solid(3, 5, [1, 2, 3]), &root.join("x/tiny.png"));
    let folder = ImageFolder::open(&root, ImageConfig::new(3, 4, 4).fit(Fit::Crop)).unwrap();
    let (mut x, mut y) = ([0.0f32; 48], [0.0f32; 1]);
    let err = folder.load_into(0, None, &mut x, &mut y).unwrap_err();
    assert!(
        matches!(
            err,
            ImageError::TooSmall {
                size: (3, 5),
                needed: (4, 4),
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("tiny.png"), "{err}");
}

/// A valid PNG and a valid JPEG of 12x9 noise.
fn valid_files() -> [Vec<u8>; 2] {
    let mut rng = Rng::new(2);
    let img = RgbImage::from_fn(12, 9, |_, _| {
        Rgb([rng.below(256) as u8, 7, rng.below(256) as u8])
    });
    [image::ImageFormat::Png, image::ImageFormat::Jpeg].map(|format| {
        let mut bytes = Vec::new();
        img.write_to(&mut std::io::Cursor::new(&mut bytes), format)
            .unwrap();
        bytes
    })
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(400))]

    /// On stable, beside the fuzz target `image_decode`: damaged PNG and JPEG files (bytes
    /// changed, cut short) decode or give an error naming the file, and never panic; whatever decodes
    /// is finite and in range.
    #[test]
    fn damaged_images_never_panic(
        which in 0usize..2,
        edits in proptest::collection::vec((0usize..4096, proptest::num::u8::ANY), 0..8),
        cut in 0usize..4096,
        channels in proptest::sample::select(vec![1usize, 3]),
        side in 1u32..24,
    ) {
        let mut bytes = valid_files()[which].clone();
        for (at, value) in edits {
            let n = bytes.len();
            bytes[at % n] = value;
        }
        if cut < bytes.len() {
            bytes.truncate(cut);
        }
        let config = ImageConfig::new(channels, side, side + 1);
        let mut out = vec![0.0f32; config.input_len()];
        match decode_image(&bytes, Path::new("fuzzed.img"), &config, Some(&mut Rng::new(1)), &mut out) {
            Ok(()) => proptest::prop_assert!(out.iter().all(|v| (0.0..=1.0).contains(v))),
            Err(e) => proptest::prop_assert!(e.to_string().contains("fuzzed.img"), "{}", e),
        }
    }
}
