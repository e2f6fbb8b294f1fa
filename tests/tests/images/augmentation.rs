//! Seeded augmentation: flips, shifts and small rotations.

use super::*;

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
