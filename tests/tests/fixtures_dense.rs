//! Every Dense case of `gradients.json` (PyTorch float64) reproduced: outputs, loss, and each
//! weight, bias and input gradient, to 1e-9 relative.
//!
//! Conventions: our MSE and BCE are means over the outputs and our cross-entropy a sum over
//! classes, exactly as PyTorch's per-sample losses, and the batch mean is taken by averaging
//! over samples (as `train_batch` does). So no conversion factor is needed for the loss or the
//! parameter gradients. PyTorch's input gradient is of the batch-mean loss, so each sample's
//! `dL/dx` from `loss_backward` is divided by the batch size before comparing.

use dl_core::prelude::*;
use dl_tests::{flat, gradient_case, load_pytorch_weights, matrix, max_rel_error, row_major};

const TOLERANCE: f64 = 1e-9;

network! {
    struct SigmoidMse { Dense<3, 4, Sigmoid>, Dense<4, 2, Sigmoid> }
}
network! {
    struct TanhReluSoftmax { Dense<5, 6, Tanh>, Dense<6, 4, Relu>, Dense<4, 3, Softmax> }
}
network! {
    struct ReluSigmoid { Dense<4, 3, Relu>, Dense<3, 1, Sigmoid> }
}
network! {
    struct LeakyIdentity { Dense<3, 5, LeakyRelu<0.01>>, Dense<5, 2, Identity> }
}
network! {
    struct TanhSigmoid { Dense<3, 4, Tanh>, Dense<4, 2, Sigmoid> }
}

/// Runs one case and returns the largest relative error over everything compared.
fn check<N: Network<Scalar = f64>, L: Loss>(name: &str) -> f64 {
    let case = gradient_case(name);
    let mut net = N::ZERO;
    load_pytorch_weights(
        &mut net,
        &case["layers"]
            .as_array()
            .expect("layers")
            .iter()
            .collect::<Vec<_>>(),
    );
    let inputs = matrix(&case["input"]);
    let batch = inputs.len();
    assert_eq!(batch as u64, case["batch"].as_u64().unwrap());
    let targets: Vec<Vec<f64>> = if case["loss"] == "softmax_ce" {
        case["target"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                let mut y = vec![0.0; N::OUTPUTS];
                y[c.as_u64().unwrap() as usize] = 1.0;
                y
            })
            .collect()
    } else {
        matrix(&case["target"])
    };
    let outputs = matrix(&case["output"]);
    let grad_inputs = matrix(&case["grad_input"]);

    let mut worst: f64 = 0.0;
    let mut cache = N::CACHE_ZERO;
    let mut grads = <N::Gradient as Params<f64>>::ZERO;
    let mut loss = 0.0;
    for b in 0..batch {
        let mut x = N::Input::ZERO;
        x.as_mut_slice().copy_from_slice(&inputs[b]);
        let mut y = N::Output::ZERO;
        y.as_mut_slice().copy_from_slice(&targets[b]);
        let mut dx = N::Input::ZERO;
        net.forward_train(&x, &mut cache);
        let out = N::output(&cache).as_slice();
        worst = worst.max(max_rel_error(out, &outputs[b]));
        // inference and training forward agree exactly
        assert_eq!(net.forward(&x).as_slice(), out);
        loss += net.loss_backward::<L>(&x, &cache, &y, &mut grads, Some(&mut dx)) / batch as f64;
        let dx: Vec<f64> = dx.as_slice().iter().map(|v| v / batch as f64).collect();
        worst = worst.max(max_rel_error(&dx, &grad_inputs[b]));
    }
    grads.scale(1.0 / batch as f64);
    worst = worst.max(max_rel_error(
        &[loss],
        &[case["loss_value"].as_f64().unwrap()],
    ));
    for (k, layer) in case["layers"].as_array().unwrap().iter().enumerate() {
        let rows = layer["weight"].as_array().unwrap().len();
        let gw = row_major(grads.tensor(2 * k), rows);
        worst = worst.max(max_rel_error(&gw, &flat(&layer["grad_weight"])));
        worst = worst.max(max_rel_error(
            grads.tensor(2 * k + 1),
            &flat(&layer["grad_bias"]),
        ));
    }
    println!("{name}: max relative error {worst:.3e}");
    assert!(
        worst < TOLERANCE,
        "{name}: max relative error {worst:e} >= {TOLERANCE:e}"
    );
    worst
}

#[test]
fn dense_sigmoid_mse() {
    check::<SigmoidMse<f64>, Mse>("dense_sigmoid_mse");
}

#[test]
fn dense_tanh_relu_softmax_ce() {
    check::<TanhReluSoftmax<f64>, CrossEntropy>("dense_tanh_relu_softmax_ce");
}

#[test]
fn dense_relu_sigmoid_bce() {
    check::<ReluSigmoid<f64>, BinaryCrossEntropy>("dense_relu_sigmoid_bce");
}

#[test]
fn dense_leaky_identity_mse() {
    let case = gradient_case("dense_leaky_identity_mse");
    assert_eq!(case["leaky_relu_slope"].as_f64(), Some(0.01));
    check::<LeakyIdentity<f64>, Mse>("dense_leaky_identity_mse");
}

#[test]
fn dense_batch4_tanh_sigmoid_mse() {
    check::<TanhSigmoid<f64>, Mse>("dense_batch4_tanh_sigmoid_mse");
}

/// A wrong weight must be caught: the comparison is not vacuous.
#[test]
fn a_perturbed_weight_is_detected() {
    let case = gradient_case("dense_sigmoid_mse");
    let mut net = SigmoidMse::<f64>::ZERO;
    load_pytorch_weights(
        &mut net,
        &case["layers"]
            .as_array()
            .expect("layers")
            .iter()
            .collect::<Vec<_>>(),
    );
    net.tensor_mut(0)[0] += 1e-6;
    let x = SVector::<f64, 3>::from_iterator(flat(&case["input"]));
    let out = net.forward(&x);
    let err = max_rel_error(out.as_slice(), &flat(&case["output"]));
    assert!(err > TOLERANCE, "perturbation went unnoticed: {err:e}");
}
