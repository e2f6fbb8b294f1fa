//! The `conv_*` cases of `gradients.json` (PyTorch float64) reproduced: outputs, loss, and
//! every weight, bias and input gradient, to 1e-9 relative.
//!
//! Cases are matched to the networks declared here by architecture (layers and their
//! sizes, activations and loss, read from the case; the output shapes are then compared),
//! never by name: a regenerated file passes unchanged, and a case whose architecture no
//! network here has is skipped with the reason printed.
//!
//! Conventions: PyTorch's Conv2d weight `[out][in][kh][kw]` is our kernel matrix
//! `W[o][c*K*K + ky*K + kx]` (PyTorch's `weight.reshape(out, -1)`), stored column-major like
//! a Dense weight, so both load with the same transpose. Images are `[C][H][W]` row-major, as
//! our flat vectors are, and Flatten keeps that order, so the Dense weight after it loads
//! unchanged. Both cases have a batch of one, so no batch factor enters: our cross-entropy
//! (sum over classes) and BCE (mean over outputs) are PyTorch's per-sample losses.

use dl_core::prelude::*;
use dl_tests::{cases, flat, for_each_declared, load_pytorch_weights, max_rel_error, row_major};
use serde_json::Value;

const TOLERANCE: f64 = 1e-9;

network! {
    /// conv_relu_pool_dense_ce: Conv2d(1, 2, 3) + ReLU -> MaxPool2d(2) -> Flatten -> Linear(8, 3).
    struct ConvPoolDense {
        input: [1, 6, 6],
        Conv2D<1, 2, 3, Relu>,
        MaxPool2D<2>,
        Flatten,
        Dense<8, 3, Softmax>,
    }
}

network! {
    /// conv_stride_pad_two_convs_bce: Conv2d(2, 3, 3, stride 2, padding 1) + tanh ->
    /// Conv2d(3, 2, 2) + ReLU -> Flatten -> Linear(18, 2) + sigmoid.
    struct TwoConvs {
        input: [2, 7, 7],
        Conv2D<2, 3, 3, Tanh, stride = 2, padding = 1>,
        Conv2D<3, 2, 2, Relu>,
        Flatten,
        Dense<18, 2, Sigmoid>,
    }
}

/// The case's layers that have weights (conv2d and dense), in order.
fn weighted_layers(case: &Value) -> Vec<&Value> {
    case["layers"]
        .as_array()
        .expect("layers")
        .iter()
        .filter(|l| !l["weight"].is_null())
        .collect()
}

/// Runs one batch-of-one case; returns the largest relative error over everything compared.
/// Also checks the output shapes the macro computed against PyTorch's, and that a perturbed
/// kernel weight is caught (the comparison is not vacuous).
fn check<N: Network<Scalar = f64>, L: Loss>(case: &Value) -> f64 {
    let name = &case["name"];
    check_shapes::<N>(case);
    let target = target::<N>(case);
    let mut net = N::ZERO;
    load_pytorch_weights(&mut net, &weighted_layers(case));
    let x = N::Input::from_slice_checked(&flat(&case["input"]));
    let y = N::Output::from_slice_checked(&target);

    let mut cache = N::CACHE_ZERO;
    let mut masks = <N::Masks as DropoutMasks>::START;
    let mut grads = <N::Gradient as Params<f64>>::ZERO;
    let mut dx = N::Input::ZERO;
    net.forward_train(&x, &mut cache, &mut masks);
    let out = N::output(&cache).as_slice();
    assert_eq!(
        net.forward(&x).as_slice(),
        out,
        "inference and training disagree"
    );
    let mut errors = vec![("output", max_rel_error(out, &flat(&case["output"])))];
    let loss = net.loss_backward::<L>(&x, &cache, &y, &mut grads, Some(&mut dx));
    let reference = case["loss_value"].as_f64().unwrap();
    errors.push(("loss", max_rel_error(&[loss], &[reference])));
    errors.push((
        "input gradient",
        max_rel_error(dx.as_slice(), &flat(&case["grad_input"])),
    ));
    for (k, layer) in weighted_layers(case).iter().enumerate() {
        let rows = layer["weight"].as_array().unwrap().len();
        let gw = row_major(grads.tensor(2 * k), rows);
        errors.push((
            "weight gradient",
            max_rel_error(&gw, &flat(&layer["grad_weight"])),
        ));
        errors.push((
            "bias gradient",
            max_rel_error(grads.tensor(2 * k + 1), &flat(&layer["grad_bias"])),
        ));
    }
    let worst = errors.iter().map(|e| e.1).fold(0.0, f64::max);
    println!("{name}: max relative error {worst:.3e} ({errors:?})");
    for (what, e) in errors {
        assert!(
            e < TOLERANCE,
            "{name}: {what} relative error {e:e} >= {TOLERANCE:e}"
        );
    }

    // A wrong parameter is caught: the output layer's first bias, which moves the output
    // whatever the other units do (a kernel weight may only reach pooled-away positions).
    net.tensor_mut(N::TENSORS - 1)[0] += 1e-6;
    let err = max_rel_error(net.forward(&x).as_slice(), &flat(&case["output"]));
    assert!(
        err > TOLERANCE,
        "{name}: perturbation went unnoticed: {err:e}"
    );
    worst
}

/// The case's target as the network's output vector: the class index one-hot for
/// softmax cross-entropy, the 0/1 vector as it is for binary cross-entropy.
fn target<N: Network<Scalar = f64>>(case: &Value) -> Vec<f64> {
    if case["loss"] == "softmax_ce" {
        let class = flat(&case["target"])[0] as usize;
        let mut one_hot = vec![0.0; N::OUTPUTS];
        one_hot[class] = 1.0;
        one_hot
    } else {
        flat(&case["target"])
    }
}

/// The shapes the macro computed are PyTorch's (`output_shape` of each layer in the case).
fn check_shapes<N: Network>(case: &Value) {
    let summary = N::summary();
    let shape = |v: &Value| -> Vec<usize> { flat(v).iter().map(|&d| d as usize).collect() };
    assert_eq!(summary.input, shape(&case["input_shape"]).as_slice());
    let layers = case["layers"].as_array().unwrap();
    assert_eq!(summary.layers.len(), layers.len());
    for (ours, theirs) in summary.layers.iter().zip(layers) {
        let theirs = if theirs["output_shape"].is_null() {
            vec![theirs["out"].as_u64().unwrap() as usize]
        } else {
            shape(&theirs["output_shape"])
        };
        assert_eq!(
            ours.output,
            theirs.as_slice(),
            "{}: {}",
            case["name"],
            ours.layer
        );
    }
}

/// `from_slice` for the network's vectors, checking the length.
trait FromSliceChecked: Vector<f64> {
    fn from_slice_checked(values: &[f64]) -> Self {
        assert_eq!(values.len(), Self::LEN, "fixture length");
        let mut v = Self::ZERO;
        v.as_mut_slice().copy_from_slice(values);
        v
    }
}
impl<V: Vector<f64>> FromSliceChecked for V {}

/// A conv case's architecture in the fixture's words, shapes left out (they are what the
/// check compares): `[1, 6, 6] conv2d(1,2,k3,s1,p0,relu) maxpool2d(k2,s2) flatten
/// dense(8,3,softmax) softmax_ce`.
fn case_architecture(case: &Value) -> String {
    let n = |layer: &Value, key: &str| layer[key].as_u64().unwrap_or(0);
    let mut parts = vec![format!("{:?}", flat(&case["input_shape"]))];
    for layer in case["layers"].as_array().expect("layers") {
        let activation = layer["activation"].as_str().unwrap_or("?");
        parts.push(match layer["type"].as_str().expect("a layer type") {
            "conv2d" => format!(
                "conv2d({},{},k{},s{},p{},{activation})",
                n(layer, "in_channels"),
                n(layer, "out_channels"),
                n(layer, "kernel"),
                n(layer, "stride"),
                n(layer, "padding"),
            ),
            "maxpool2d" => format!("maxpool2d(k{},s{})", n(layer, "kernel"), n(layer, "stride")),
            "dense" => format!("dense({},{},{activation})", n(layer, "in"), n(layer, "out")),
            other => other.to_string(),
        });
    }
    parts.push(case["loss"].as_str().expect("loss").to_string());
    parts.join(" ")
}

/// The same description of network `N` trained with loss `L`, read off `N`'s summary (the
/// layers as written, defaults filled in), so a declaration cannot claim an architecture its
/// network does not have.
fn architecture<N: Network, L: Loss>() -> String {
    let summary = N::summary();
    let input: Vec<f64> = summary.input.iter().map(|&d| d as f64).collect();
    let mut parts = vec![format!("{input:?}")];
    for layer in summary.layers {
        let text: String = layer.layer.split_whitespace().collect();
        let (kind, args) = text.split_once('<').unwrap_or((&text, ">"));
        let args: Vec<&str> = args.strip_suffix('>').unwrap_or(args).split(',').collect();
        let named = |key: &str, default: &str| -> String {
            args.iter()
                .find_map(|a| a.strip_prefix(key)?.strip_prefix('='))
                .unwrap_or(default)
                .to_string()
        };
        parts.push(match kind {
            "Conv2D" => format!(
                "conv2d({},{},k{},s{},p{},{})",
                args[0],
                args[1],
                args[2],
                named("stride", "1"),
                named("padding", "0"),
                args[3].to_lowercase()
            ),
            "MaxPool2D" => format!("maxpool2d(k{},s{})", args[0], named("stride", args[0])),
            "Dense" => format!("dense({},{},{})", args[0], args[1], args[2].to_lowercase()),
            other => other.to_lowercase(),
        });
    }
    parts.push(
        match L::NAME {
            "binary cross-entropy" => "bce",
            "cross-entropy" => "softmax_ce",
            other => other,
        }
        .to_string(),
    );
    parts.join(" ")
}

/// How a declared network checks a case: its largest relative error.
type Check = fn(&Value) -> f64;

/// The networks declared above, each with the loss it is checked with.
fn declared() -> Vec<(String, Check)> {
    fn entry<N: Network<Scalar = f64>, L: Loss>() -> (String, Check) {
        (architecture::<N, L>(), check::<N, L>)
    }
    vec![
        entry::<ConvPoolDense<f64>, CrossEntropy>(),
        entry::<TwoConvs<f64>, BinaryCrossEntropy>(),
    ]
}

#[test]
fn every_conv_case_matches_pytorch() {
    let conv: Vec<Value> = cases("gradients.json")
        .into_iter()
        .filter(|c| c["kind"] == "conv")
        .collect();
    let mut worst = 0.0f64;
    let checked = for_each_declared(
        "gradients.json (conv cases)",
        &conv,
        case_architecture,
        &declared(),
        |check, case| worst = worst.max(check(case)),
    );
    println!(
        "{checked} of {} conv cases checked; largest relative error {worst:.3e}",
        conv.len()
    );
}

/// The declarations read their architecture correctly, defaults filled in.
#[test]
fn declared_architectures_read_off_the_networks() {
    let names: Vec<String> = declared().into_iter().map(|(a, _)| a).collect();
    assert_eq!(
        names,
        [
            "[1.0, 6.0, 6.0] conv2d(1,2,k3,s1,p0,relu) maxpool2d(k2,s2) flatten dense(8,3,softmax) softmax_ce",
            "[2.0, 7.0, 7.0] conv2d(2,3,k3,s2,p1,tanh) conv2d(3,2,k2,s1,p0,relu) flatten dense(18,2,sigmoid) bce",
        ]
    );
}
