//! The digits CNN and strided multi-channel kernels: PyTorch's names and layout, its outputs,
//! its bytes.

use super::*;

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
