//! The digits MLP: PyTorch's weights land transposed, reproduce its softmax and accuracy, and
//! our file holds PyTorch's bytes; a negative control.

use super::*;

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
