//! Classes from sorted folder names, labels, grayscale and RGB, scaling, resizing, JPEG.

use super::*;

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
