//! Names: PyTorch's module indices for every layer kind, prefixes and renames.

use super::*;

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
fn cnn_names_count_pooling_and_flatten_modules_like_pytorch() {
    let net = DigitsCnn::<f32>::ZERO;
    let names: Vec<String> = (0..4).map(|i| Names::pytorch_name(&net, i)).collect();
    assert_eq!(names, ["0.weight", "0.bias", "4.weight", "4.bias"]);
    assert_eq!(net.tensor_layout(0).shape(), [4, 1, 3, 3]);
    assert_eq!(net.tensor_layout(1).shape(), [4]);
    assert_eq!(net.tensor_layout(2).shape(), [10, 64]);
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
