//! Trains the networks the Cortex-M examples embed, and writes their parameter images (see
//! `dl_core::bytes`) for `include_network!`, plus the digits test images for the firmware.
//!
//! ```text
//! cargo run --release --example flash_weights                      # into embedded/mcu/weights
//! cargo run --release --example flash_weights -- target/weights    # anywhere else
//! ```
//!
//! The images in `embedded/mcu/weights/` are committed, so the firmware builds do not depend
//! on running this first; CI runs it into `target/` to show that it still trains.

use dl_core::data::Dataset;
use dl_core::fit::{BatchSize, Data, FitConfig};
use dl_core::prelude::*;
use dl_demos::digits::{self, DigitsCnn, DigitsMlp, RECORD};
use std::path::{Path, PathBuf};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data");
/// Where the firmware's `include_network!` and `include_bytes!` look.
const WEIGHTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../embedded/mcu/weights");
const SEED: u64 = 7;
const EPOCHS: usize = 40;

fn write_image<N: Network>(net: &N, path: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let mut image = vec![0u8; N::BYTES];
    net.export_bytes(&mut image)?;
    std::fs::write(path, &image)?;
    println!(
        "wrote {} ({} bytes, architecture {:#018x})",
        path.display(),
        image.len(),
        N::ARCHITECTURE
    );
    Ok(())
}

/// A sample as the firmware stores it: 64 pixels 0..=16 and the label, one byte each.
fn record(pixels: &SVector<f32, 64>, label: usize) -> [u8; RECORD] {
    let mut r = [0u8; RECORD];
    for (b, &p) in r.iter_mut().zip(pixels.iter()) {
        *b = p as u8;
    }
    r[64] = label as u8;
    r
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args()
        .nth(1)
        .map_or_else(|| PathBuf::from(WEIGHTS), PathBuf::from);
    std::fs::create_dir_all(&out)?;

    // XOR, trained exactly as the firmware trains it.
    let xor = dl_demos::xor::train(&mut String::new())?;
    write_image(&xor, &out.join("xor.bin"))?;

    // The digits MLP, on the fixed train split; pixels scaled to [0, 1].
    let all = Dataset::<f32, 64>::load(format!("{DATA}/digits.csv"))?;
    let split = all.split(format!("{DATA}/digits_split.csv"))?;
    let scale = |d: &Dataset<f32, 64>| -> Vec<SVector<f32, 64>> {
        d.features().iter().map(|x| x / 16.0).collect()
    };
    let train_x = scale(&split.train);
    let train_y = split.train.one_hot::<10>()?;
    let test_labels = split.test.classes(10)?;

    let data = Data::new(&train_x, &train_y)?;
    let config = FitConfig::new(EPOCHS, BatchSize::Mini(32)).seed(SEED);
    let mut mlp = DigitsMlp::<f32>::new(SEED);
    Trainer::new(&mut mlp, &mut Adam::new(1e-3), data)
        .loss(CrossEntropy)
        .config(config)
        .run()?;
    let mut cnn = DigitsCnn::<f32>::new(SEED);
    Trainer::new(&mut cnn, &mut Adam::new(1e-2), data)
        .loss(CrossEntropy)
        .config(config)
        .run()?;

    let mut records = Vec::new();
    let mut one_per_class: Vec<Option<[u8; RECORD]>> = vec![None; 10];
    for (x, &label) in split.test.features().iter().zip(&test_labels) {
        let r = record(x, label);
        one_per_class[label].get_or_insert(r);
        records.extend_from_slice(&r);
    }
    for (name, correct) in [
        ("digits 64-32-10", digits::correct(&mlp, &records)),
        ("digits CNN", digits::correct(&cnn, &records)),
    ] {
        println!(
            "{name}: test accuracy {correct}/{} = {:.4}",
            test_labels.len(),
            correct as f64 / test_labels.len() as f64
        );
    }
    write_image(&mlp, &out.join("digits.bin"))?;
    write_image(&cnn, &out.join("digits_cnn.bin"))?;
    std::fs::write(out.join("digits_test.bin"), &records)?;
    let sample: Vec<u8> = one_per_class.into_iter().flatten().flatten().collect();
    std::fs::write(out.join("digits_sample.bin"), &sample)?;
    println!(
        "wrote digits_test.bin ({} images) and digits_sample.bin ({} images)",
        records.len() / RECORD,
        sample.len() / RECORD
    );
    Ok(())
}
