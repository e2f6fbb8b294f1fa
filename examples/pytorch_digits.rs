//! From PyTorch to flash: loads the digits model PyTorch trained and saved as
//! `.safetensors`, checks it on the test split, and writes its weights as the fixed-size
//! parameter image that `include_network!` decodes into a `static` on a microcontroller.
//!
//! `cargo run --release --example pytorch_digits`
//!
//! The model is PyTorch's `Sequential(Linear(64, 32), ReLU(), Linear(32, 10))`, saved with
//! `safetensors.torch.save_file(model.state_dict(), ...)`; its tensors are named `0.weight`,
//! `0.bias`, `2.weight`, `2.bias`, which is what our declaration below is called by default.

use dl_core::bytes::ParamBytes;
use dl_core::data::Dataset;
use dl_core::metrics::argmax;
use dl_core::prelude::*;
use dl_core::safetensors;
use std::path::{Path, PathBuf};

network! {
    /// The same architecture as PyTorch's model, layer for layer.
    pub struct DigitsMlp {
        Dense<64, 32, Relu>,
        Dense<32, 10, Softmax>,
    }
}

/// The test accuracy PyTorch measured for this model (`tests/fixtures/digits_models.json`).
const PYTORCH_ACCURACY: f64 = 0.980555534362793;

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The test split, pixels / 16 as in training.
    let digits = Dataset::<f32, 64>::load(repo("examples/data/digits.csv"))?;
    let test = digits.split(repo("examples/data/digits_split.csv"))?.test;
    let inputs: Vec<SVector<f32, 64>> = test.features().iter().map(|x| x / 16.0).collect();
    let labels = test.classes(10)?;

    // PyTorch's weights, transposed from its row-major [out, in] into our matrices.
    let model = "tests/fixtures/digits_mlp.safetensors";
    let mut net = DigitsMlp::<f32>::ZERO;
    safetensors::load(&mut net, repo(model))?;
    println!("loaded {model}\n");
    println!("{}\n", DigitsMlp::<f32>::summary());

    let correct = inputs
        .iter()
        .zip(&labels)
        .filter(|(x, &label)| argmax(net.forward(x).as_slice()) == label)
        .count();
    let accuracy = correct as f64 / inputs.len() as f64;
    println!(
        "test accuracy: {accuracy:.4} ({correct}/{}), PyTorch: {PYTORCH_ACCURACY:.4}",
        inputs.len()
    );

    // The parameter image for flash: header, checksum and weights, a size known at compile
    // time. A firmware crate embeds it with
    // `static NET: DigitsMlp<f32> = dl_core::include_network!(DigitsMlp<f32>, "digits_mlp.bin");`
    let mut image = vec![0u8; DigitsMlp::<f32>::BYTES];
    net.export_bytes(&mut image)?;
    let out = "target/digits_mlp.bin";
    std::fs::create_dir_all(repo("target"))?;
    std::fs::write(repo(out), &image)?;
    let from_flash = DigitsMlp::<f32>::from_bytes(&image)?;
    assert_eq!(from_flash, net, "the image gives back the same weights");
    println!("parameter image: {} bytes -> {out}", image.len());

    // PyTorch's accuracy is a float32 ratio of counts: compare the counts.
    if correct != (PYTORCH_ACCURACY * inputs.len() as f64).round() as usize {
        return Err("the accuracy differs from PyTorch's".into());
    }
    println!("same accuracy as PyTorch");
    Ok(())
}
