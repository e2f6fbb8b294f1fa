//! Image folders: classes from sorted folder names, decoding, colour, resizing, scaling,
//! channels-first layout, labels, seeded augmentation, splits, and every kind of bad input
//! named in its error. The folders are written by the tests under the target directory.

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

#[test]
fn classes_are_sorted_folder_names_and_label_their_images() {
    let root = two_classes("classes");
    let folder = ImageFolder::open(&root, ImageConfig::new(3, 2, 3)).unwrap();
    assert_eq!(folder.classes(), ["a_blue", "b_red"]);
    assert_eq!(folder.len(), 5);
    for i in 0..5 {
        let (x, y) = load(&folder, i, 18, 2);
        let class = folder.samples()[i].1;
        let want = if class == 0 {
            [5.0, 15.0, 250.0]
        } else {
            [200.0, 10.0, 20.0]
        };
        assert_eq!(y, [f32::from(class == 0), f32::from(class == 1)]);
        // Channels first: six values of R, six of G, six of B, resized from 6x4 to 3x2.
        for (c, v) in want.iter().enumerate() {
            for got in &x[c * 6..(c + 1) * 6] {
                assert!((got - v / 255.0).abs() < 1e-6, "{got} vs {v}/255");
            }
        }
        let parent = folder.samples()[i].0.parent().unwrap().file_name().unwrap();
        assert_eq!(parent.to_str().unwrap(), folder.classes()[class]);
    }
}

#[test]
fn labels_grayscale_and_mean_std() {
    let root = two_classes("labels");
    let config = ImageConfig::new(1, 4, 6).labels(Labels::Index);
    let folder = ImageFolder::open(&root, config).unwrap();
    let (x, y) = load(&folder, 4, 24, 1);
    assert_eq!(y, [1.0]);
    // Rec. 709 luma of (200, 10, 20): 0.2126 R + 0.7152 G + 0.0722 B.
    let luma = 0.2126 * 200.0 + 0.7152 * 10.0 + 0.0722 * 20.0;
    assert!(x.iter().all(|v| (v * 255.0 - luma).abs() <= 1.0), "{x:?}");

    let binary = ImageFolder::open(&root, config.labels(Labels::Binary)).unwrap();
    assert_eq!(load(&binary, 0, 24, 1).1, [0.0]);
    let normalize = Normalize::MeanStd {
        mean: [0.5, 0.25, 0.0],
        std: [0.5, 0.25, 2.0],
    };
    let folder = ImageFolder::open(&root, ImageConfig::new(3, 4, 6).normalize(normalize)).unwrap();
    let (x, _) = load(&folder, 0, 72, 2);
    let want = [
        (5.0 / 255.0 - 0.5) / 0.5,
        (15.0 / 255.0 - 0.25) / 0.25,
        250.0 / 255.0 / 2.0,
    ];
    for (c, w) in want.iter().enumerate() {
        assert!(
            (x[c * 24] - w).abs() < 1e-6,
            "channel {c}: {} vs {w}",
            x[c * 24]
        );
    }
}

#[test]
fn resizing_uses_the_filter_and_keeps_the_layout() {
    // A 4x2 image whose left half is 0 and right half 255, resized to 2x1: Nearest keeps 0
    // and 255; the layout is row-major within the channel.
    let mut img = GrayImage::new(4, 2);
    for (x, _, p) in img.enumerate_pixels_mut() {
        p.0 = [if x < 2 { 0 } else { 255 }];
    }
    let mut png = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    let config = ImageConfig::new(1, 1, 2).filter(FilterType::Nearest);
    let mut out = [0.0f32; 2];
    decode_image(&png, Path::new("halves.png"), &config, None, &mut out).unwrap();
    assert_eq!(out, [0.0, 1.0]);
    let mut wrong = [0.0f32; 3];
    let err = decode_image(&png, Path::new("halves.png"), &config, None, &mut wrong);
    assert!(matches!(err, Err(ImageError::Shape { .. })));
}

#[test]
fn jpeg_decodes_close_to_its_colour() {
    let root = scratch("jpeg");
    save(&solid(16, 16, [120, 60, 30]), &root.join("only/a.jpg"));
    let folder = ImageFolder::open(&root, ImageConfig::new(3, 8, 8)).unwrap();
    let (x, y) = load(&folder, 0, 192, 1);
    assert_eq!(y, [1.0]);
    for (c, v) in [120.0, 60.0, 30.0].iter().enumerate() {
        assert!(
            (x[c * 64] * 255.0 - v).abs() < 4.0,
            "{} vs {v}",
            x[c * 64] * 255.0
        );
    }
}

/// A 4x1 grayscale ramp (0, 1, 2, 3) as PNG bytes.
fn ramp() -> Vec<u8> {
    let img = GrayImage::from_fn(4, 1, |x, _| image::Luma([x as u8]));
    let mut png = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    png
}

#[test]
fn augmentation_is_seeded_flips_and_shifts() {
    let png = ramp();
    let flip = Augment {
        flip: true,
        shift: false,
        rotate: 0.0,
    };
    let config = ImageConfig::new(1, 1, 4)
        .normalize(Normalize::Rescale(1.0))
        .augment(flip);
    let run = |seed| {
        let mut out = [0.0f32; 4];
        decode_image(
            &png,
            Path::new("r.png"),
            &config,
            Some(&mut Rng::new(seed)),
            &mut out,
        )
        .unwrap();
        out
    };
    let outputs: Vec<_> = (0..20).map(run).collect();
    assert!(outputs
        .iter()
        .all(|o| *o == [0.0, 1.0, 2.0, 3.0] || *o == [3.0, 2.0, 1.0, 0.0]));
    assert!(outputs.contains(&[3.0, 2.0, 1.0, 0.0]) && outputs.contains(&[0.0, 1.0, 2.0, 3.0]));
    assert_eq!(run(7), run(7));
    // Without a generator (evaluation) nothing is augmented.
    let mut out = [0.0f32; 4];
    decode_image(&png, Path::new("r.png"), &config, None, &mut out).unwrap();
    assert_eq!(out, [0.0, 1.0, 2.0, 3.0]);

    // Random crops of 2 from 4: every offset 0..=2 appears; centred without a generator.
    let shift = Augment {
        flip: false,
        shift: true,
        rotate: 0.0,
    };
    let crop = ImageConfig::new(1, 1, 2)
        .fit(Fit::Crop)
        .normalize(Normalize::Rescale(1.0))
        .augment(shift);
    let mut starts = std::collections::BTreeSet::new();
    for seed in 0..40 {
        let mut out = [0.0f32; 2];
        decode_image(
            &png,
            Path::new("r.png"),
            &crop,
            Some(&mut Rng::new(seed)),
            &mut out,
        )
        .unwrap();
        assert_eq!(out[1], out[0] + 1.0);
        starts.insert(out[0] as u32);
    }
    assert_eq!(starts.into_iter().collect::<Vec<_>>(), [0, 1, 2]);
    let mut out = [0.0f32; 2];
    decode_image(&png, Path::new("r.png"), &crop, None, &mut out).unwrap();
    assert_eq!(out, [1.0, 2.0]);
}

#[test]
fn small_rotations_move_pixels_a_little() {
    let img = GrayImage::from_fn(9, 9, |x, y| {
        image::Luma([if x == 4 || y == 4 { 255 } else { 0 }])
    });
    let mut png = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    let rotate = Augment {
        flip: false,
        shift: false,
        rotate: 10.0,
    };
    let config = ImageConfig::new(1, 9, 9).augment(rotate);
    let (mut plain, mut turned) = ([0.0f32; 81], [0.0f32; 81]);
    decode_image(&png, Path::new("cross.png"), &config, None, &mut plain).unwrap();
    decode_image(
        &png,
        Path::new("cross.png"),
        &config,
        Some(&mut Rng::new(3)),
        &mut turned,
    )
    .unwrap();
    // The centre stays; the arms' ends move off their row and column.
    assert!((turned[40] - 1.0).abs() < 1e-6);
    assert_ne!(plain, turned);
    let mass = |v: &[f32]| v.iter().sum::<f32>();
    assert!((mass(&plain) - mass(&turned)).abs() < 0.25 * mass(&plain));
}

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

#[test]
fn random_splits_are_seeded_disjoint_and_stratified() {
    let root = scratch("split");
    for class in ["a", "b"] {
        for i in 0..10 {
            save(
                &solid(2, 2, [0, 0, 0]),
                &root.join(format!("{class}/{i:02}.png")),
            );
        }
    }
    let folder = ImageFolder::open(&root, ImageConfig::new(1, 2, 2)).unwrap();
    let (train, val) = folder.split(0.3, 4).unwrap();
    assert_eq!((train.len(), val.len()), (14, 6));
    assert_eq!(val.samples().iter().filter(|s| s.1 == 0).count(), 3);
    let mut all: Vec<_> = train
        .samples()
        .iter()
        .chain(val.samples())
        .cloned()
        .collect();
    all.sort();
    assert_eq!(all, folder.samples());
    assert_eq!(folder.split(0.3, 4).unwrap().1.samples(), val.samples());
    assert_ne!(folder.split(0.3, 5).unwrap().1.samples(), val.samples());
    assert!(folder.split(1.5, 4).is_err());

    let list = root.join("split.csv");
    let mut text = String::from("# image,part\n");
    for (i, (path, _)) in folder.samples().iter().enumerate() {
        let rel = path.strip_prefix(&root).unwrap().to_str().unwrap();
        text += &format!(
            "{rel},{}\n",
            if i % 4 == 0 { "validation" } else { "train" }
        );
    }
    std::fs::write(&list, &text).unwrap();
    let (train, val) = folder.split_file(&list).unwrap();
    assert_eq!((train.len(), val.len()), (15, 5));
    for (bad, needle) in [
        (
            text.replace("a/03.png,train", "a/03.png,test"),
            ":5: unknown part `test`",
        ),
        (
            text.replace("a/03.png,train", "a/99.png,train"),
            ":5: no image `a/99.png`",
        ),
        (
            text.replace("a/03.png,train", "a/03.png train"),
            ":5: expected",
        ),
        (text.replace("a/03.png,train\n", ""), "03.png is not listed"),
        (
            text.replace("a/03.png,train", "a/02.png,train"),
            ":5: `a/02.png` listed twice",
        ),
    ] {
        std::fs::write(&list, &bad).unwrap();
        let err = folder.split_file(&list).unwrap_err().to_string();
        assert!(
            err.contains(needle) && err.contains("split.csv"),
            "{err} lacks {needle}"
        );
    }
}

network! {
    struct Bright {
        input: [1, 8, 8],
        Conv2D<1, 4, 3, Relu>,
        MaxPool2D<2>,
        Flatten,
        Dense<36, 1, Sigmoid>,
    }
}

#[test]
fn a_folder_trains_a_network_through_the_stream() {
    use dl_core::parallel::{Parallel, ParallelConfig};
    use dl_core::stream::{evaluate_stream, fit_stream, StreamConfig};
    // Dark and bright noisy images of varied sizes; the network must tell them apart.
    let root = scratch("train");
    let mut rng = Rng::new(1);
    for (class, base) in [("dark", 60.0), ("light", 150.0)] {
        for i in 0..40 {
            let (w, h) = (10 + rng.below(8) as u32, 10 + rng.below(8) as u32);
            let img = GrayImage::from_fn(w, h, |_, _| {
                image::Luma([(base + rng.uniform() * 60.0) as u8])
            });
            std::fs::create_dir_all(root.join(class)).unwrap();
            img.save(root.join(class).join(format!("{i}.png"))).unwrap();
        }
    }
    let config = ImageConfig::for_network::<Bright<f32>>().unwrap();
    assert_eq!(
        (config.channels, config.height, config.width, config.labels),
        (1, 8, 8, Labels::Binary)
    );
    let aug = Augment {
        flip: true,
        shift: true,
        rotate: 5.0,
    };
    let folder = ImageFolder::open(
        &root,
        config.fit(Fit::ResizeCrop { margin: 2 }).augment(aug),
    )
    .unwrap();
    let (train, val) = folder.split(0.25, 1).unwrap();
    let mut net = Bright::<f32>::new(2);
    let mut par = Parallel::new(ParallelConfig::new().threads(2).shard(4)).unwrap();
    let stream = StreamConfig::new(15, 8).seed(3).prefetch(2, 2);
    let history = fit_stream::<BinaryCrossEntropy, Accuracy, _, _, _>(
        &mut par,
        &mut net,
        &mut Adam::new(0.02),
        &train,
        Some(&val),
        &stream,
        keep_going,
    )
    .unwrap();
    let first = history.epochs[0].train_loss;
    let last = history.epochs.last().unwrap().train_loss;
    assert!(last < first * 0.5, "loss {first} -> {last}");
    let result =
        evaluate_stream::<BinaryCrossEntropy, Accuracy, _, _>(&mut par, &net, &val, &stream)
            .unwrap();
    assert!(
        result.evaluation.metric >= 0.95,
        "validation accuracy {}",
        result.evaluation.metric
    );

    // The folder refuses a network of another shape.
    let (mut x, mut y) = (SVector::<f32, 63>::zeros(), SVector::<f32, 1>::zeros());
    let err = Source::load(&folder, 0, None, &mut x, &mut y).unwrap_err();
    assert!(matches!(
        err,
        ImageError::Shape {
            what: Operand::Input,
            expected: 64,
            found: 63
        }
    ));
    let mut y2 = SVector::<f32, 2>::zeros();
    let mut x64 = SVector::<f32, 64>::zeros();
    let err = Source::load(&folder, 0, None, &mut x64, &mut y2).unwrap_err();
    assert!(matches!(
        err,
        ImageError::Shape {
            what: Operand::Target,
            ..
        }
    ));
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

    /// Until the fuzz crate holds a target for it: damaged PNG and JPEG files (bytes changed,
    /// cut short) decode or give an error naming the file, and never panic; whatever decodes
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
