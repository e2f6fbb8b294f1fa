//! GlobalAvgPool2D: its backward against central finite differences (f64), and whole networks
//! `Conv2D -> GlobalAvgPool2D -> Dense` against PyTorch float64 (`AdaptiveAvgPool2d(1)` +
//! `Flatten`): outputs, the pooled features, loss, and every weight, bias and input gradient to
//! 1e-9 relative; and the tensor names PyTorch's own state dict uses.
//!
//! Every case of `global_avg_pool.json` runs, each on the declared network whose shapes match
//! it; a case without one fails the test.

use dl_core::prelude::*;
use dl_core::safetensors::Names;
use dl_tests::{
    flat, gradcheck_from_seeds, load_json, load_pytorch_weights, max_rel_error, row_major,
};
use serde_json::Value;

const FIXTURE_TOLERANCE: f64 = 1e-9;

network! {
    /// `Conv2d(2, 4, 3, padding=1), ReLU, AdaptiveAvgPool2d(1), Flatten, Linear(4, 3)`.
    struct GapRelu {
        input: [2, 5, 5],
        Conv2D<2, 4, 3, Relu, padding = 1>,
        GlobalAvgPool2D,
        Dense<4, 3, Softmax>,
    }
}

network! {
    /// `Conv2d(1, 3, 3, stride=2), Tanh, AdaptiveAvgPool2d(1), Flatten, Linear(3, 2), Sigmoid`.
    struct GapTanh {
        input: [1, 6, 7],
        Conv2D<1, 3, 3, Tanh, stride = 2>,
        GlobalAvgPool2D,
        Dense<3, 2, Sigmoid>,
    }
}

network! {
    /// GlobalAvgPool2D first, on the input image, then after max pooling.
    struct PoolFirst {
        input: [3, 4, 5],
        GlobalAvgPool2D,
        Dense<3, 2, Tanh>,
    }
}

network! {
    struct AfterMaxPool {
        input: [2, 6, 6],
        Conv2D<2, 3, 3, Sigmoid>,
        MaxPool2D<2, stride = 1>,
        GlobalAvgPool2D,
        Dense<3, 2, Softmax>,
    }
}

#[test]
fn backward_matches_finite_differences() {
    gradcheck_from_seeds::<GapRelu<f64>, CrossEntropy>(
        "GapRelu",
        &SVector::from([0.0, 1.0, 0.0]),
        200,
    );
    gradcheck_from_seeds::<GapTanh<f64>, BinaryCrossEntropy>(
        "GapTanh",
        &SVector::from([1.0, 0.0]),
        200,
    );
    gradcheck_from_seeds::<PoolFirst<f64>, Mse>("PoolFirst", &SVector::from([0.3, -0.2]), 200);
    gradcheck_from_seeds::<AfterMaxPool<f64>, CrossEntropy>(
        "AfterMaxPool",
        &SVector::from([1.0, 0.0]),
        200,
    );
}

#[test]
fn each_channel_becomes_its_mean() {
    let net = PoolFirst::<f64>::ZERO;
    let x = SVector::<f64, 60>::from_fn(|i, _| i as f64);
    let mut cache = PoolFirst::<f64>::CACHE_ZERO;
    net.forward_train(&x, &mut cache, &mut ());
    // Channel c holds 20c, ..., 20c + 19: mean 20c + 9.5.
    assert_eq!(cache.layer1.a.as_slice(), &[9.5, 29.5, 49.5]);
    assert_eq!(PoolFirst::<f32>::summary().layers[0].output, &[3]);
    assert_eq!(GapRelu::<f32>::summary().layers[1].output, &[4]);
}

/// Whether `N` is the network `case` describes: the same input and layer output shapes.
fn describes<N: Network>(case: &Value) -> bool {
    let summary = N::summary();
    let shapes: Vec<Vec<usize>> = [
        &case["conv"]["output_shape"],
        &case["pooled_shape"],
        &Value::from(vec![case["outputs"].clone()]),
    ]
    .iter()
    .map(|v| flat(v).iter().map(|&d| d as usize).collect())
    .collect();
    let input: Vec<usize> = flat(&case["input_shape"])
        .iter()
        .map(|&d| d as usize)
        .collect();
    summary.input == input.as_slice()
        && summary.layers.len() == shapes.len()
        && summary
            .layers
            .iter()
            .zip(&shapes)
            .all(|(l, s)| l.output == s.as_slice())
}

/// Runs `case` on `N`; returns the largest relative error over everything compared.
fn reproduce<N: Network<Scalar = f64>, L: Loss>(case: &Value) -> f64 {
    let mut net = N::ZERO;
    load_pytorch_weights(
        &mut net,
        &case["weights"]
            .as_array()
            .expect("weights")
            .iter()
            .collect::<Vec<_>>(),
    );
    let x = N::Input::try_from_slice(&flat(&case["input"]), Operand::Input).unwrap();
    let y = N::Output::try_from_slice(&flat(&case["target"]), Operand::Target).unwrap();
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
    for (k, layer) in case["weights"].as_array().unwrap().iter().enumerate() {
        let rows = layer["weight"].as_array().unwrap().len();
        let gw = row_major(grads.tensor(2 * k), rows);
        errors.push((
            "weight gradient",
            max_rel_error(&gw, &flat(&layer["grad_weight"])),
        ));
        let gb = grads.tensor(2 * k + 1);
        errors.push((
            "bias gradient",
            max_rel_error(gb, &flat(&layer["grad_bias"])),
        ));
    }
    let name = case["name"].as_str().unwrap();
    for (what, e) in &errors {
        assert!(
            *e < FIXTURE_TOLERANCE,
            "{name}: {what} relative error {e:e}"
        );
    }
    let names: Vec<String> = (0..N::TENSORS)
        .map(|i| Names::pytorch_name(&net, i))
        .collect();
    let theirs: Vec<String> = case["state_dict_names"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, theirs, "{name}: tensor names");
    errors.iter().map(|e| e.1).fold(0.0, f64::max)
}

#[test]
fn reproduces_pytorch_float64() {
    let fixture = load_json("global_avg_pool.json");
    let cases = fixture["cases"].as_array().expect("cases");
    assert!(!cases.is_empty());
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let ce = case["loss"] == "softmax_ce";
        let worst = if describes::<GapRelu>(case) && ce {
            reproduce::<GapRelu<f64>, CrossEntropy>(case)
        } else if describes::<GapTanh>(case) && !ce {
            reproduce::<GapTanh<f64>, BinaryCrossEntropy>(case)
        } else {
            panic!("{name}: no declared network has this case's shapes and loss");
        };
        println!("{name}: max relative error {worst:.3e}");
    }
}
