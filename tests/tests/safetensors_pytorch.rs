//! Weights trained in PyTorch load with PyTorch's names and layouts and reproduce PyTorch's
//! outputs; what we write, PyTorch's layout reads back bit for bit.
//!
//! Fixtures (from `shared/fixtures`, copied into `tests/fixtures`): `digits_mlp.safetensors`,
//! saved by PyTorch from `Sequential(Linear(64, 32), ReLU(), Linear(32, 10))` trained on the
//! digits train split, and `digits_models.json` with PyTorch's softmax outputs for the first
//! 20 test rows and its test accuracy. Data: `examples/data/digits.csv` and its split.

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

#[test]
fn default_names_count_activation_modules_like_pytorch() {
    let net = DigitsMlp::<f32>::ZERO;
    let names: Vec<String> = (0..4).map(|i| Names::pytorch_name(&net, i)).collect();
    assert_eq!(names, ["0.weight", "0.bias", "2.weight", "2.bias"]);
    assert_eq!(net.tensor_layout(0).shape(), [32, 64]);
    assert_eq!(net.tensor_layout(2).shape(), [10, 32]);
    assert_eq!(net.tensor_layout(3).shape(), [10]);
}

#[test]
fn mlp_weights_land_transposed_into_nalgebra() {
    // Element [o][i] of PyTorch's row-major `0.weight` is weight[(o, i)] of the Dense layer.
    let bytes = std::fs::read(fixture_path(&model_file::<DigitsMlp<f32>>())).unwrap();
    let raw = read_raw(&bytes);
    let net = loaded::<f32>();
    let (name, dtype, shape, data) = raw.iter().find(|t| t.0 == "0.weight").unwrap();
    assert_eq!((name.as_str(), dtype.as_str()), ("0.weight", "F32"));
    assert_eq!(shape, &[32, 64]);
    for (o, i) in [(0, 0), (0, 1), (1, 0), (5, 17), (31, 63)] {
        let k = 4 * (o * 64 + i);
        let theirs = f32::from_le_bytes(data[k..k + 4].try_into().unwrap());
        assert_eq!(
            net.layer1.weight[(o, i)].to_bits(),
            theirs.to_bits(),
            "[{o}][{i}]"
        );
    }
}

#[test]
fn mlp_reproduces_pytorch_softmax_and_accuracy() {
    reproduces_pytorch::<DigitsMlp<f32>, DigitsMlp<f64>>();
}

#[test]
fn our_f32_file_holds_pytorchs_bytes() {
    // Exported in f32, every tensor's name, shape and bytes equal PyTorch's file.
    let net = loaded::<f32>();
    let ours = safetensors::export(&net, Dtype::F32, &Names::pytorch()).unwrap();
    let theirs = std::fs::read(fixture_path(&model_file::<DigitsMlp<f32>>())).unwrap();
    assert_eq!(read_raw(&ours), read_raw(&theirs));
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

#[test]
fn save_and_load_give_bit_identical_weights() {
    let dir = std::env::temp_dir().join(format!("dl-safetensors-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();

    let net32 = DigitsMlp::<f32>::new(7);
    let path = dir.join("mlp32.safetensors");
    safetensors::save(&net32, &path).unwrap();
    let mut back32 = DigitsMlp::<f32>::new(8);
    assert_ne!(bits(&back32), bits(&net32));
    safetensors::load(&mut back32, &path).unwrap();
    assert_eq!(bits(&back32), bits(&net32));

    // f64 weights that f32 cannot hold survive an f64 file.
    let mut net64 = DigitsMlp::<f64>::new(7);
    net64.layer2.bias[3] = 0.1 + 1e-12;
    let path = dir.join("mlp64.safetensors");
    safetensors::save(&net64, &path).unwrap();
    let mut back64 = DigitsMlp::<f64>::new(9);
    safetensors::load(&mut back64, &path).unwrap();
    assert_eq!(bits(&back64), bits(&net64));
    let raw = read_raw(&std::fs::read(&path).unwrap());
    assert!(raw.iter().all(|t| t.1 == "F64"));

    // f32 weights survive an f64 file too, and load into f64 exactly.
    let bytes = safetensors::export(&net32, Dtype::F64, &Names::pytorch()).unwrap();
    let mut wide = DigitsMlp::<f64>::ZERO;
    safetensors::import(&mut wide, &bytes, &Names::pytorch()).unwrap();
    assert_eq!(bits(&wide), bits(&net32));
    let mut narrow = DigitsMlp::<f32>::ZERO;
    safetensors::import(&mut narrow, &bytes, &Names::pytorch()).unwrap();
    assert_eq!(bits(&narrow), bits(&net32));

    std::fs::remove_dir_all(&dir).unwrap();
}

network! {
    /// One weight row `[1, 2]` and one bias: small enough to write a file by hand.
    pub struct Tiny {
        Dense<2, 1, Identity>,
    }
}

fn u16s(v: &[u16]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

#[test]
fn f16_and_bf16_files_convert_exactly_on_import() {
    // f16: 0x3C00 = 1, 0xC000 = -2, 0x3555 = 0.333251953125, 0x0001 = 2^-24 (subnormal).
    let file = safetensors_file(&[
        ("0.weight", "F16", vec![1, 2], u16s(&[0x3C00, 0x3555])),
        ("0.bias", "F16", vec![1], u16s(&[0x0001])),
    ]);
    let mut net = Tiny::<f64>::ZERO;
    safetensors::import(&mut net, &file, &Names::pytorch()).unwrap();
    assert_eq!(net.layer1.weight.as_slice(), [1.0, 0.333251953125]);
    assert_eq!(net.layer1.bias[0], 2f64.powi(-24));

    // bf16 is the top half of an f32: 0x3FC0 = 1.5, 0xC2F7 = -123.5, 0x0001 = 2^-133.
    let file = safetensors_file(&[
        ("0.weight", "BF16", vec![1, 2], u16s(&[0x3FC0, 0xC2F7])),
        ("0.bias", "BF16", vec![1], u16s(&[0x0001])),
    ]);
    let mut net = Tiny::<f32>::ZERO;
    safetensors::import(&mut net, &file, &Names::pytorch()).unwrap();
    assert_eq!(net.layer1.weight.as_slice(), [1.5, -123.5]);
    assert_eq!(net.layer1.bias[0].to_bits(), 0x0001_0000);
}

#[test]
fn half_precision_exports_round_to_nearest() {
    // bf16 keeps the top 16 bits of an f32, rounded to nearest even.
    let round_bf16 = |x: f32| {
        let b = x.to_bits();
        f32::from_bits(((b + 0x7FFF + ((b >> 16) & 1)) >> 16) << 16)
    };
    let net = loaded::<f32>();
    let bytes = safetensors::export(&net, Dtype::BF16, &Names::pytorch()).unwrap();
    assert!(read_raw(&bytes).iter().all(|t| t.1 == "BF16"));
    let mut back = DigitsMlp::<f32>::ZERO;
    safetensors::import(&mut back, &bytes, &Names::pytorch()).unwrap();
    for i in 0..4 {
        for (a, b) in net.tensor(i).iter().zip(back.tensor(i)) {
            assert_eq!(round_bf16(*a).to_bits(), b.to_bits());
        }
    }

    // f16 has 11 significant bits: within half an ulp (2^-11 relative) for normal values.
    let bytes = safetensors::export(&net, Dtype::F16, &Names::pytorch()).unwrap();
    safetensors::import(&mut back, &bytes, &Names::pytorch()).unwrap();
    for i in 0..4 {
        for (a, b) in net.tensor(i).iter().zip(back.tensor(i)) {
            let tolerance = (a.abs() * 2f32.powi(-11)).max(2f32.powi(-25));
            assert!((a - b).abs() <= tolerance, "{a} became {b}");
        }
    }
}

#[test]
fn names_take_a_prefix_and_renames() {
    let net = loaded::<f32>();
    let names = Names::pytorch()
        .prefix("model.")
        .rename("0.weight", "hidden.weight")
        .rename("0.bias", "hidden.bias");
    let bytes = safetensors::export(&net, Dtype::F32, &names).unwrap();
    let file_names: Vec<String> = read_raw(&bytes).into_iter().map(|t| t.0).collect();
    assert_eq!(
        file_names,
        [
            "model.2.bias",
            "model.2.weight",
            "model.hidden.bias",
            "model.hidden.weight"
        ]
    );
    let mut back = DigitsMlp::<f32>::ZERO;
    safetensors::import(&mut back, &bytes, &names).unwrap();
    assert_eq!(bits(&back), bits(&net));
}

#[test]
fn negative_control_untransposed_weights_miss_pytorch() {
    // The same bytes copied straight into nalgebra's column-major memory (no transpose) give
    // a network that the softmax comparison rejects: the check can fail.
    let bytes = std::fs::read(fixture_path(&model_file::<DigitsMlp<f32>>())).unwrap();
    let mut net = loaded::<f64>();
    let (_, _, _, data) = read_raw(&bytes)
        .into_iter()
        .find(|t| t.0 == "0.weight")
        .unwrap();
    for (v, b) in net
        .layer1
        .weight
        .as_mut_slice()
        .iter_mut()
        .zip(data.chunks(4))
    {
        *v = f32::from_le_bytes(b.try_into().unwrap()) as f64;
    }
    let deviation = max_softmax_deviation(&net, &digits(), &model::<DigitsMlp<f64>>());
    assert!(deviation > 1e-2, "deviation {deviation}");
}

network! {
    /// Two small layers, for property tests over arbitrary weights.
    pub struct Small {
        Dense<3, 2, Tanh>,
        Dense<2, 2, Identity>,
    }
}

fn small_from_bits<T: Float>(values: &[T]) -> Small<T> {
    let mut net = Small::<T>::ZERO;
    let mut values = values.iter().copied();
    for i in 0..Small::<T>::TENSORS {
        for v in net.tensor_mut(i) {
            *v = values.next().expect("enough values");
        }
    }
    net
}

proptest::proptest! {
    #[test]
    fn any_finite_weights_round_trip_bit_for_bit(
        bits32 in proptest::collection::vec(proptest::num::f32::ANY, 14),
        bits64 in proptest::collection::vec(proptest::num::f64::ANY, 14),
    ) {
        // Subnormals, -0.0 and extremes included; NaN and infinities are refused on export.
        let finite32: Vec<f32> = bits32.iter().map(|v| if v.is_finite() { *v } else { 0.0 }).collect();
        let finite64: Vec<f64> = bits64.iter().map(|v| if v.is_finite() { *v } else { -0.0 }).collect();
        let net32 = small_from_bits(&finite32);
        let net64 = small_from_bits(&finite64);
        for dtype in [Dtype::F32, Dtype::F64] {
            let bytes = safetensors::export(&net32, dtype, &Names::pytorch()).unwrap();
            let mut back = Small::<f32>::ZERO;
            safetensors::import(&mut back, &bytes, &Names::pytorch()).unwrap();
            proptest::prop_assert_eq!(bits(&back), bits(&net32));
        }
        let bytes = safetensors::export(&net64, Dtype::F64, &Names::pytorch()).unwrap();
        let mut back = Small::<f64>::ZERO;
        safetensors::import(&mut back, &bytes, &Names::pytorch()).unwrap();
        proptest::prop_assert_eq!(bits(&back), bits(&net64));
        let names: Vec<String> = (0..4).map(|i| Names::pytorch_name(&net64, i)).collect();
        proptest::prop_assert_eq!(names, ["0.weight", "0.bias", "2.weight", "2.bias"]);
    }
}

#[test]
fn cnn_names_count_pooling_and_flatten_modules_like_pytorch() {
    let net = DigitsCnn::<f32>::ZERO;
    let names: Vec<String> = (0..4).map(|i| Names::pytorch_name(&net, i)).collect();
    assert_eq!(names, ["0.weight", "0.bias", "4.weight", "4.bias"]);
    assert_eq!(net.tensor_layout(0).shape(), [4, 1, 3, 3]);
    assert_eq!(net.tensor_layout(1).shape(), [4]);
    assert_eq!(net.tensor_layout(2).shape(), [10, 64]);
}

#[test]
fn cnn_kernels_land_where_the_convolution_reads_them() {
    // Element [o][c][ky][kx] of PyTorch's kernel is column c*9 + ky*3 + kx of row o of the
    // Conv2D weight matrix.
    let bytes = std::fs::read(fixture_path(&model_file::<DigitsCnn<f32>>())).unwrap();
    let raw = read_raw(&bytes);
    let net: DigitsCnn<f32> = loaded_from(&model_file::<DigitsCnn<f32>>());
    let (_, dtype, shape, data) = raw.iter().find(|t| t.0 == "0.weight").unwrap();
    assert_eq!(
        (dtype.as_str(), shape.as_slice()),
        ("F32", &[4, 1, 3, 3][..])
    );
    for o in 0..4 {
        for ky in 0..3 {
            for kx in 0..3 {
                let k = 4 * (o * 9 + ky * 3 + kx);
                let theirs = f32::from_le_bytes(data[k..k + 4].try_into().unwrap());
                let ours = net.layer1.weight[(o, ky * 3 + kx)];
                assert_eq!(ours.to_bits(), theirs.to_bits(), "[{o}][0][{ky}][{kx}]");
            }
        }
    }
}

#[test]
fn cnn_reproduces_pytorch_softmax_and_accuracy() {
    reproduces_pytorch::<DigitsCnn<f32>, DigitsCnn<f64>>();
}

#[test]
fn cnn_file_we_write_holds_pytorchs_bytes_and_reads_back_bit_identical() {
    let net: DigitsCnn<f32> = loaded_from(&model_file::<DigitsCnn<f32>>());
    let ours = safetensors::export(&net, Dtype::F32, &Names::pytorch()).unwrap();
    let theirs = std::fs::read(fixture_path(&model_file::<DigitsCnn<f32>>())).unwrap();
    assert_eq!(read_raw(&ours), read_raw(&theirs));
    let mut back = DigitsCnn::<f32>::new(5);
    safetensors::import(&mut back, &ours, &Names::pytorch()).unwrap();
    assert_eq!(bits(&back), bits(&net));

    let net64 = DigitsCnn::<f64>::new(11);
    let bytes = safetensors::export(&net64, Dtype::F64, &Names::pytorch()).unwrap();
    let mut back64 = DigitsCnn::<f64>::ZERO;
    safetensors::import(&mut back64, &bytes, &Names::pytorch()).unwrap();
    assert_eq!(bits(&back64), bits(&net64));
}

network! {
    /// gradients.json's `conv_stride_pad_two_convs_bce`: PyTorch's `Sequential(Conv2d(2, 3, 3,
    /// stride=2, padding=1), Tanh(), Conv2d(3, 2, 2), ReLU(), Flatten(), Linear(18, 2),
    /// Sigmoid())`, so its tensors are `0.*`, `2.*` and `5.*`.
    pub struct StridedConvs {
        input: [2, 7, 7],
        Conv2D<2, 3, 3, Tanh, stride = 2, padding = 1>,
        Conv2D<3, 2, 2, Relu>,
        Flatten,
        Dense<18, 2, Sigmoid>,
    }
}

/// The shape of a nested JSON array.
fn json_shape(v: &Value) -> Vec<usize> {
    match v.as_array() {
        Some(items) => std::iter::once(items.len())
            .chain(json_shape(&items[0]))
            .collect(),
        None => Vec::new(),
    }
}

#[test]
fn multi_channel_strided_kernels_load_from_pytorch_names_and_layout() {
    // The float64 weights of the PyTorch cases with 2- and 3-channel kernels whose tensors
    // and input are StridedConvs' (matched by shape, not by name), written as the
    // safetensors file PyTorch would save (F64, row-major, module indices 0, 2, 5), load by
    // name and give PyTorch's forward output.
    let net = StridedConvs::<f64>::ZERO;
    let ours: Vec<Vec<usize>> = (0..StridedConvs::<f64>::TENSORS)
        .map(|i| net.tensor_layout(i).shape().to_vec())
        .collect();
    let mut checked = 0;
    for case in dl_tests::cases("gradients.json") {
        let Some(layers) = case["layers"].as_array() else {
            continue;
        };
        let weighted: Vec<&Value> = layers.iter().filter(|l| !l["weight"].is_null()).collect();
        let theirs: Vec<Vec<usize>> = weighted
            .iter()
            .flat_map(|l| [json_shape(&l["weight"]), json_shape(&l["bias"])])
            .collect();
        let input = json_shape(&case["input"]);
        if theirs != ours || input.get(1..) != Some(StridedConvs::<f64>::summary().input) {
            println!("skipping case {}: not StridedConvs' tensors", case["name"]);
            continue;
        }
        check_strided_case(&case, &weighted);
        checked += 1;
    }
    assert!(
        checked > 0,
        "no case of gradients.json has StridedConvs' tensors"
    );
}

/// Writes the weights of `case` as PyTorch would save StridedConvs, loads them, and compares
/// the forward pass with PyTorch's output, and what we write with that file.
fn check_strided_case(case: &Value, weighted: &[&Value]) {
    let net = StridedConvs::<f64>::ZERO;
    let mut tensors = Vec::new();
    for (k, layer) in weighted.iter().enumerate() {
        for (j, what) in ["weight", "bias"].into_iter().enumerate() {
            let values: Vec<u8> = dl_tests::flat(&layer[what])
                .iter()
                .flat_map(|v| v.to_le_bytes())
                .collect();
            let name = Names::pytorch_name(&net, 2 * k + j);
            tensors.push((name, json_shape(&layer[what]), values));
        }
    }
    assert_eq!(tensors[0].0, "0.weight");
    assert_eq!(tensors[4].0, "5.weight");
    let file = safetensors_file(
        &tensors
            .iter()
            .map(|(name, shape, bytes)| (name.as_str(), "F64", shape.clone(), bytes.clone()))
            .collect::<Vec<_>>(),
    );

    let mut net = StridedConvs::<f64>::ZERO;
    safetensors::import(&mut net, &file, &Names::pytorch()).unwrap();
    let input = dl_tests::flat(&case["input"]);
    let x = SVector::<f64, 98>::from_column_slice(&input);
    let ours = net.forward(&x);
    let error = dl_tests::max_rel_error(ours.as_slice(), &dl_tests::flat(&case["output"]));
    println!(
        "{} forward from safetensors: relative error {error:.1e}",
        case["name"]
    );
    assert!(error < 1e-12, "relative error {error:e}");

    // And what we write is that file's content, tensor for tensor.
    let ours = safetensors::export(&net, Dtype::F64, &Names::pytorch()).unwrap();
    assert_eq!(read_raw(&ours), read_raw(&file));
}

network! {
    /// PyTorch's `Sequential(Conv2d(1, 2, 3, padding=1), AvgPool2d(2), Dropout(0.5),
    /// Flatten(), Linear(8, 4), LeakyReLU(0.01), Linear(4, 3), Softmax())`: an identity
    /// activation adds no module, every other activation, pool, dropout and flatten adds one.
    pub struct EveryModuleKind {
        input: [1, 4, 4],
        Conv2D<1, 2, 3, Identity, padding = 1>,
        AvgPool2D<2>,
        Dropout<0.5>,
        Flatten,
        Dense<8, 4, LeakyRelu<0.01>>,
        Dense<4, 3, Softmax>,
    }
}

#[test]
fn module_indices_count_like_pytorch_for_every_layer_kind() {
    let net = EveryModuleKind::<f32>::ZERO;
    let names: Vec<String> = (0..6).map(|i| Names::pytorch_name(&net, i)).collect();
    assert_eq!(
        names,
        ["0.weight", "0.bias", "4.weight", "4.bias", "6.weight", "6.bias"]
    );
    assert_eq!(net.tensor_layout(0).shape(), [2, 1, 3, 3]);
    assert_eq!(net.tensor_layout(2).shape(), [4, 8]);
}
