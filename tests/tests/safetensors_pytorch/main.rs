//! Weights trained in PyTorch load with PyTorch's names and layouts and reproduce PyTorch's
//! outputs; what we write, PyTorch's layout reads back bit for bit.
//!
//! Fixtures (from `shared/fixtures`, copied into `tests/fixtures`): `digits_mlp.safetensors`,
//! saved by PyTorch from `Sequential(Linear(64, 32), ReLU(), Linear(32, 10))` trained on the
//! digits train split, and `digits_models.json` with PyTorch's softmax outputs for the first
//! 20 test rows and its test accuracy. Data: `examples/data/digits.csv` and its split.

mod cnn;
mod half_precision;
mod mlp;
mod names;
mod round_trip;

use dl_core::data::Dataset;
use dl_core::metrics::argmax;
use dl_core::prelude::*;
use dl_core::safetensors::{self, Dtype, Names};
use dl_tests::digits_models::{DigitsCnn, DigitsMlp};
use dl_tests::{fixture_path, load_json, safetensors_file};
use serde_json::Value;
use std::path::PathBuf;

/// The digits data set: pixels / 16 and labels of every data row, and the test rows.
struct Digits {
    pixels: Vec<SVector<f64, 64>>,
    labels: Vec<usize>,
    test_rows: Vec<usize>,
}

fn digits() -> Digits {
    let data = |name: &str| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../examples/data")
            .join(name)
    };
    let all = Dataset::<f64, 64>::load(data("digits.csv")).expect("digits.csv");
    let split = std::fs::read_to_string(data("digits_split.csv")).expect("split");
    let test_rows = split
        .lines()
        .filter_map(|l| l.strip_suffix(",test"))
        .map(|r| r.parse().expect("row"))
        .collect();
    Digits {
        pixels: all.features().iter().map(|x| x / 16.0).collect(),
        labels: all.classes(10).expect("labels 0..9"),
        test_rows,
    }
}

/// The model of `digits_models.json` whose tensors (names and shapes) are those of network
/// `N`: matched by architecture, never by name. Panics, listing what the file holds, if none
/// is (the file must keep a model for each architecture declared here).
fn model<N: Network>() -> Value {
    let net = N::ZERO;
    let ours: serde_json::Map<String, Value> = (0..N::TENSORS)
        .map(|i| {
            let shape = net.tensor_layout(i).shape().to_vec();
            (Names::pytorch_name(&net, i), serde_json::json!(shape))
        })
        .collect();
    let models = load_json("digits_models.json")["models"]
        .as_array()
        .expect("models")
        .clone();
    assert!(!models.is_empty(), "digits_models.json has no models");
    models
        .iter()
        .find(|m| m["tensors"].as_object() == Some(&ours))
        .unwrap_or_else(|| panic!("no model in digits_models.json has the tensors {ours:?}"))
        .clone()
}

/// The safetensors file of `N`'s model in `digits_models.json`.
fn model_file<N: Network>() -> String {
    model::<N>()["file"].as_str().expect("file").to_string()
}

/// Row `row` of the data as network `N`'s input.
fn input<N: Network>(data: &Digits, row: usize) -> N::Input {
    let mut x = <N::Input as Vector<N::Scalar>>::ZERO;
    for (v, &p) in x.as_mut_slice().iter_mut().zip(data.pixels[row].iter()) {
        *v = N::Scalar::cast(p);
    }
    x
}

/// The largest |ours - PyTorch's| over the listed test rows' softmax outputs.
fn max_softmax_deviation<N: Network>(net: &N, data: &Digits, model: &Value) -> f64 {
    let rows = model["test_rows_first_20"].as_array().expect("rows");
    let expected = model["softmax_first_20"].as_array().expect("softmax");
    assert_eq!(rows.len(), 20);
    let mut worst = 0.0f64;
    for (row, probs) in rows.iter().zip(expected) {
        let y = net.forward(&input::<N>(data, row.as_u64().expect("row") as usize));
        let probs = probs.as_array().expect("probs");
        assert_eq!(probs.len(), y.as_slice().len());
        for (ours, theirs) in y.as_slice().iter().zip(probs) {
            worst = worst.max((ours.as_f64() - theirs.as_f64().expect("prob")).abs());
        }
    }
    worst
}

/// Correct predictions on the test split.
fn test_correct<N: Network>(net: &N, data: &Digits) -> usize {
    data.test_rows
        .iter()
        .filter(|&&row| argmax(net.forward(&input::<N>(data, row)).as_slice()) == data.labels[row])
        .count()
}

/// A network (seeded, so not zero) with PyTorch's weights from fixture `file`.
fn loaded_from<N: Network>(file: &str) -> N {
    let mut net = N::boxed(1);
    safetensors::load(&mut *net, fixture_path(file)).expect("loads");
    *net
}

fn loaded<T: Float>() -> DigitsMlp<T> {
    loaded_from(&model_file::<DigitsMlp<f32>>())
}

/// Loads model `name` into `N32` and `N64` and checks both against PyTorch: softmax outputs
/// of the listed rows to 1e-6, and the same number of correct test predictions.
fn reproduces_pytorch<N32: Network, N64: Network>() {
    let data = digits();
    let model = model::<N32>();
    let name = model["name"].as_str().unwrap_or("?").to_string();
    let file = model["file"].as_str().expect("file");
    let pytorch_accuracy = model["test_accuracy"].as_f64().unwrap();
    assert_eq!(data.test_rows.len(), 360);

    let f32_net = loaded_from::<N32>(file);
    let f64_net = loaded_from::<N64>(file);
    let dev32 = max_softmax_deviation(&f32_net, &data, &model);
    let dev64 = max_softmax_deviation(&f64_net, &data, &model);
    println!("{name}: max |softmax - PyTorch| over 20 test rows: f32 {dev32:.3e}, f64 {dev64:.3e}");
    assert!(dev32 <= 1e-6, "f32 deviation {dev32:e}");
    assert!(dev64 <= 1e-6, "f64 deviation {dev64:e}");

    for (scalar, correct) in [
        ("f32", test_correct(&f32_net, &data)),
        ("f64", test_correct(&f64_net, &data)),
    ] {
        let accuracy = correct as f64 / 360.0;
        println!(
            "{name} {scalar}: test accuracy {accuracy:.6} ({correct}/360), PyTorch {pytorch_accuracy:.6}"
        );
        // PyTorch's accuracy is a float32 ratio; the counts must agree exactly.
        assert_eq!(correct, (pytorch_accuracy * 360.0).round() as usize);
    }
}

/// The tensors of a safetensors file, read independently of the library: name, dtype, shape
/// and the raw bytes.
fn read_raw(bytes: &[u8]) -> Vec<(String, String, Vec<usize>, Vec<u8>)> {
    let n = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    let header: Value = serde_json::from_slice(&bytes[8..8 + n]).expect("JSON header");
    let data = &bytes[8 + n..];
    let mut out: Vec<_> = header
        .as_object()
        .unwrap()
        .iter()
        .filter(|(name, _)| *name != "__metadata__")
        .map(|(name, t)| {
            let shape = t["shape"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d.as_u64().unwrap() as usize)
                .collect();
            let off = t["data_offsets"].as_array().unwrap();
            let (a, b) = (off[0].as_u64().unwrap(), off[1].as_u64().unwrap());
            let dtype = t["dtype"].as_str().unwrap().to_owned();
            (
                name.clone(),
                dtype,
                shape,
                data[a as usize..b as usize].to_vec(),
            )
        })
        .collect();
    out.sort();
    out
}

fn bits<T: Float, P: Params<T>>(p: &P) -> Vec<u64> {
    (0..P::TENSORS)
        .flat_map(|i| {
            p.tensor(i)
                .iter()
                .map(|v| v.as_f64().to_bits())
                .collect::<Vec<_>>()
        })
        .collect()
}
