//! The `conv_*` cases of `gradients.json` (PyTorch float64) reproduced: outputs, loss, and
//! every weight, bias and input gradient, to 1e-9 relative.
//!
//! Conventions: PyTorch's Conv2d weight `[out][in][kh][kw]` is our kernel matrix
//! `W[o][c*K*K + ky*K + kx]` (PyTorch's `weight.reshape(out, -1)`), stored column-major like
//! a Dense weight, so both load with the same transpose. Images are `[C][H][W]` row-major, as
//! our flat vectors are, and Flatten keeps that order, so the Dense weight after it loads
//! unchanged. Both cases have a batch of one, so no batch factor enters: our cross-entropy
//! (sum over classes) and BCE (mean over outputs) are PyTorch's per-sample losses.

use dl_core::prelude::*;
use dl_tests::{flat, gradient_case, load_pytorch_weights, max_rel_error, row_major};
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
fn check<N: Network<Scalar = f64>, L: Loss>(name: &str, target: &[f64]) -> f64 {
    let case = gradient_case(name);
    let mut net = N::ZERO;
    load_pytorch_weights(&mut net, &weighted_layers(&case));
    let x = N::Input::from_slice_checked(&flat(&case["input"]));
    let y = N::Output::from_slice_checked(target);

    let mut cache = N::CACHE_ZERO;
    let mut grads = <N::Gradient as Params<f64>>::ZERO;
    let mut dx = N::Input::ZERO;
    net.forward_train(&x, &mut cache);
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
    for (k, layer) in weighted_layers(&case).iter().enumerate() {
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
    worst
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

#[test]
fn conv_relu_pool_dense_ce() {
    let case = gradient_case("conv_relu_pool_dense_ce");
    let class = case["target"][0].as_u64().unwrap() as usize;
    let mut one_hot = [0.0; 3];
    one_hot[class] = 1.0;
    check::<ConvPoolDense<f64>, CrossEntropy>("conv_relu_pool_dense_ce", &one_hot);
}

#[test]
fn conv_stride_pad_two_convs_bce() {
    let case = gradient_case("conv_stride_pad_two_convs_bce");
    let target = flat(&case["target"]);
    check::<TwoConvs<f64>, BinaryCrossEntropy>("conv_stride_pad_two_convs_bce", &target);
}

/// The shapes the macro computed are PyTorch's (`output_shape` of each layer in the case).
#[test]
fn shapes_match_pytorch() {
    for (summary, name) in [
        (ConvPoolDense::<f64>::summary(), "conv_relu_pool_dense_ce"),
        (TwoConvs::<f64>::summary(), "conv_stride_pad_two_convs_bce"),
    ] {
        let case = gradient_case(name);
        let input: Vec<usize> = flat(&case["input_shape"])
            .iter()
            .map(|&v| v as usize)
            .collect();
        assert_eq!(summary.input, input.as_slice());
        for (ours, theirs) in summary
            .layers
            .iter()
            .zip(case["layers"].as_array().unwrap())
        {
            if theirs["output_shape"].is_null() {
                assert_eq!(ours.output, [theirs["out"].as_u64().unwrap() as usize]);
                continue;
            }
            let theirs: Vec<usize> = flat(&theirs["output_shape"])
                .iter()
                .map(|&v| v as usize)
                .collect();
            assert_eq!(ours.output, theirs.as_slice(), "{name}: {}", ours.layer);
        }
    }
}

/// A wrong kernel weight is caught: the comparison is not vacuous.
#[test]
fn a_perturbed_kernel_is_detected() {
    let case = gradient_case("conv_stride_pad_two_convs_bce");
    let mut net = TwoConvs::<f64>::ZERO;
    load_pytorch_weights(&mut net, &weighted_layers(&case));
    net.tensor_mut(0)[5] += 1e-6;
    let x = <TwoConvs<f64> as Network>::Input::from_slice_checked(&flat(&case["input"]));
    let err = max_rel_error(net.forward(&x).as_slice(), &flat(&case["output"]));
    assert!(err > TOLERANCE, "perturbation went unnoticed: {err:e}");
}
