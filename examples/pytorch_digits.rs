//! From PyTorch to flash: loads the two digits models PyTorch trained and saved as
//! `.safetensors`, checks each on the test split, and writes its weights as the fixed-size
//! parameter image that `include_network!` decodes into a `static` on a microcontroller.
//!
//! `cargo run --release --example pytorch_digits`
//!
//! PyTorch saved `model.state_dict()` of two `nn.Sequential` models with
//! `safetensors.torch.save_file`. Their tensors are named by module index, counting the
//! parameter-free modules: `0.weight`, `2.weight` for `Linear, ReLU, Linear` and `0.weight`,
//! `4.weight` for `Conv2d, ReLU, MaxPool2d, Flatten, Linear`. The declarations below get
//! exactly those names by default.

use dl_core::bytes::ParamBytes;
use dl_core::data::Dataset;
use dl_core::metrics::argmax;
use dl_core::prelude::*;
use dl_core::safetensors;
use std::path::{Path, PathBuf};

network! {
    /// PyTorch's `Sequential(Linear(64, 32), ReLU(), Linear(32, 10))`, softmax output.
    pub struct DigitsMlp {
        Dense<64, 32, Relu>,
        Dense<32, 10, Softmax>,
    }
}

network! {
    /// PyTorch's `Sequential(Conv2d(1, 4, 3, padding=1), ReLU(), MaxPool2d(2), Flatten(),
    /// Linear(64, 10))`, softmax output.
    pub struct DigitsCnn {
        input: [1, 8, 8],
        Conv2D<1, 4, 3, Relu, padding = 1>,
        MaxPool2D<2>,
        Flatten,
        Dense<64, 10, Softmax>,
    }
}

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path)
}

/// Loads `model` into `N`, prints its test accuracy against PyTorch's, and writes its
/// parameter image to `target/{name}.bin`. Fails if the accuracy differs from PyTorch's.
fn deploy<N: Network>(
    name: &str,
    file: &str,
    pytorch_accuracy: f64,
    test: &[(SVector<f32, 64>, usize)],
) -> Result<(), Box<dyn std::error::Error>> {
    // PyTorch's weights, from its row-major [out, in] and [out_c, in_c, kh, kw] layouts.
    let model = format!("tests/fixtures/{file}");
    let mut net = N::ZERO;
    safetensors::load(&mut net, repo(&model))?;
    println!("loaded {model}\n\n{}\n", N::summary());

    let correct = test
        .iter()
        .filter(|(pixels, label)| {
            let mut x = <N::Input as Vector<N::Scalar>>::ZERO;
            for (v, &p) in x.as_mut_slice().iter_mut().zip(pixels.iter()) {
                *v = N::Scalar::cast(p as f64);
            }
            argmax(net.forward(&x).as_slice()) == *label
        })
        .count();
    let accuracy = correct as f64 / test.len() as f64;
    println!(
        "{name}: test accuracy {accuracy:.4} ({correct}/{}), PyTorch {pytorch_accuracy:.4}",
        test.len()
    );

    // The parameter image for flash: header, checksum and weights, its size known at compile
    // time. A firmware crate embeds it with
    // `static NET: DigitsCnn<f32> = dl_core::include_network!(DigitsCnn<f32>, "digits_cnn.bin");`
    let mut image = vec![0u8; N::BYTES];
    net.export_bytes(&mut image)?;
    let out = format!("target/{name}.bin");
    std::fs::create_dir_all(repo("target"))?;
    std::fs::write(repo(&out), &image)?;
    let mut from_flash = N::ZERO;
    from_flash.import_bytes(&image)?;
    let same = (0..N::TENSORS).all(|i| from_flash.tensor(i) == net.tensor(i));
    println!("parameter image: {} bytes -> {out}", image.len());

    // PyTorch's accuracy is a float32 ratio of counts: compare the counts.
    if !same || correct != (pytorch_accuracy * test.len() as f64).round() as usize {
        return Err(format!("{name}: not the model PyTorch measured").into());
    }
    println!("{name}: same accuracy as PyTorch\n");
    Ok(())
}

/// Whether `model`'s tensors (PyTorch names and shapes, from digits_models.json) are `N`'s.
fn same_tensors<N: Network>(model: &serde_json::Value) -> bool {
    let net = N::ZERO;
    let ours: serde_json::Map<String, serde_json::Value> = (0..N::TENSORS)
        .map(|i| {
            let shape = net.tensor_layout(i).shape().to_vec();
            (
                safetensors::Names::pytorch_name(&net, i),
                serde_json::json!(shape),
            )
        })
        .collect();
    model["tensors"].as_object() == Some(&ours)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The test split, pixels / 16 as in training (the CNN reads them as a [1][8][8] image).
    let digits = Dataset::<f32, 64>::load(repo("examples/data/digits.csv"))?;
    let test = digits.split(repo("examples/data/digits_split.csv"))?.test;
    let labels = test.classes(10)?;
    let test: Vec<_> = test
        .features()
        .iter()
        .map(|x| x / 16.0)
        .zip(labels)
        .collect();

    // Each model of tests/fixtures/digits_models.json (as PyTorch saved it, with the test
    // accuracy PyTorch measured) goes to the network declared above with its tensors.
    let models: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(repo(
        "tests/fixtures/digits_models.json",
    ))?)?;
    let models = models["models"]
        .as_array()
        .ok_or("digits_models.json has no models")?;
    let mut deployed = 0;
    for model in models {
        let name = model["name"].as_str().ok_or("a model without a name")?;
        let accuracy = model["test_accuracy"].as_f64().ok_or("no test_accuracy")?;
        let file = model["file"].as_str().ok_or("no file")?;
        if same_tensors::<DigitsMlp<f32>>(model) {
            deploy::<DigitsMlp<f32>>(name, file, accuracy, &test)?;
        } else if same_tensors::<DigitsCnn<f32>>(model) {
            deploy::<DigitsCnn<f32>>(name, file, accuracy, &test)?;
        } else {
            println!(
                "skipping {name}: no network here has its tensors {}",
                model["tensors"]
            );
            continue;
        }
        deployed += 1;
    }
    if deployed == 0 {
        return Err("no model of digits_models.json was deployed".into());
    }
    Ok(())
}
