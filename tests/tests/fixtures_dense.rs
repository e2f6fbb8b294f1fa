//! Every Dense case of `gradients.json` (PyTorch float64) reproduced: outputs, loss, and each
//! weight, bias and input gradient, to 1e-9 relative.
//!
//! Cases are matched to the networks declared here by architecture (sizes, activations,
//! slope, loss, read from the case), never by name, so a regenerated file (another seed,
//! another PyTorch) passes unchanged, and a case whose architecture no network here has is
//! skipped with the reason printed.
//!
//! Conventions: our MSE and BCE are means over the outputs and our cross-entropy a sum over
//! classes, exactly as PyTorch's per-sample losses, and the batch mean is taken by averaging
//! over samples (as `train_batch` does). So no conversion factor is needed for the loss or the
//! parameter gradients. PyTorch's input gradient is of the batch-mean loss, so each sample's
//! `dL/dx` from `loss_backward` is divided by the batch size before comparing.

use dl_core::prelude::*;
use dl_tests::{
    cases, flat, for_each_declared, load_pytorch_weights, matrix, max_rel_error, row_major,
};
use serde_json::Value;

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

/// Runs one case and returns the largest relative error over everything compared; also
/// checks that a perturbed weight is caught (the comparison is not vacuous).
fn check<N: Network<Scalar = f64>, L: Loss>(case: &Value) -> f64 {
    let name = &case["name"];
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
    let mut masks = <N::Masks as DropoutMasks>::START;
    let mut grads = <N::Gradient as Params<f64>>::ZERO;
    let mut loss = 0.0;
    for b in 0..batch {
        let mut x = N::Input::ZERO;
        x.as_mut_slice().copy_from_slice(&inputs[b]);
        let mut y = N::Output::ZERO;
        y.as_mut_slice().copy_from_slice(&targets[b]);
        let mut dx = N::Input::ZERO;
        net.forward_train(&x, &mut cache, &mut masks);
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

    // A wrong parameter must be caught: the output layer's first bias, which moves the output
    // whatever the other units do (a first-layer weight may feed a dead ReLU).
    net.tensor_mut(N::TENSORS - 1)[0] += 1e-6;
    let mut x = N::Input::ZERO;
    x.as_mut_slice().copy_from_slice(&inputs[0]);
    let err = max_rel_error(net.forward(&x).as_slice(), &outputs[0]);
    assert!(
        err > TOLERANCE,
        "{name}: perturbation went unnoticed: {err:e}"
    );
    worst
}

/// A Dense case's architecture in the fixture's words: `3-4-2 sigmoid,sigmoid mse`, with the
/// slope of a leaky ReLU: `leaky_relu(0.01)`.
fn case_architecture(case: &Value) -> String {
    let sizes: Vec<String> = flat(&case["sizes"]).iter().map(|s| s.to_string()).collect();
    let slope = case["leaky_relu_slope"].as_f64().unwrap_or(f64::NAN);
    let activations: Vec<String> = case["activations"]
        .as_array()
        .expect("activations")
        .iter()
        .map(|a| match a.as_str().expect("an activation") {
            "leaky_relu" => format!("leaky_relu({slope})"),
            other => other.to_string(),
        })
        .collect();
    let loss = case["loss"].as_str().expect("loss");
    format!("{} {} {loss}", sizes.join("-"), activations.join(","))
}

/// The same description of network `N` trained with loss `L`, read off `N`'s summary
/// (`Dense<3, 5, LeakyRelu<0.01>>` is `3-5`, `leaky_relu(0.01)`), so a declaration cannot
/// claim an architecture its network does not have.
fn architecture<N: Network, L: Loss>() -> String {
    let summary = N::summary();
    let mut sizes = vec![summary.input[0].to_string()];
    let mut activations = Vec::new();
    for layer in summary.layers {
        let text: String = layer.layer.split_whitespace().collect();
        let args = text
            .strip_prefix("Dense<")
            .and_then(|t| t.strip_suffix('>'))
            .unwrap_or_else(|| panic!("not a Dense layer: {text}"));
        let activation = args.splitn(3, ',').nth(2).expect("an activation");
        activations.push(match activation.strip_prefix("LeakyRelu<") {
            Some(slope) => format!("leaky_relu({})", slope.trim_end_matches('>')),
            None => activation.to_lowercase(),
        });
        sizes.push(layer.output[0].to_string());
    }
    let loss = match L::NAME {
        "mse" => "mse",
        "binary cross-entropy" => "bce",
        "cross-entropy" => "softmax_ce",
        other => other,
    };
    format!("{} {} {loss}", sizes.join("-"), activations.join(","))
}

/// How a declared network checks a case: its largest relative error.
type Check = fn(&Value) -> f64;

/// The networks declared above, each with the loss it is checked with.
fn declared() -> Vec<(String, Check)> {
    fn entry<N: Network<Scalar = f64>, L: Loss>() -> (String, Check) {
        (architecture::<N, L>(), check::<N, L>)
    }
    vec![
        entry::<SigmoidMse<f64>, Mse>(),
        entry::<TanhReluSoftmax<f64>, CrossEntropy>(),
        entry::<ReluSigmoid<f64>, BinaryCrossEntropy>(),
        entry::<LeakyIdentity<f64>, Mse>(),
        entry::<TanhSigmoid<f64>, Mse>(),
    ]
}

#[test]
fn every_dense_case_matches_pytorch() {
    let dense: Vec<Value> = cases("gradients.json")
        .into_iter()
        .filter(|c| c["kind"] == "dense")
        .collect();
    let mut worst = 0.0f64;
    let checked = for_each_declared(
        "gradients.json (Dense cases)",
        &dense,
        case_architecture,
        &declared(),
        |check, case| worst = worst.max(check(case)),
    );
    println!(
        "{checked} of {} Dense cases checked; largest relative error {worst:.3e}",
        dense.len()
    );
}

/// The declarations read their architecture correctly: the leaky slope and loss names too.
#[test]
fn declared_architectures_read_off_the_networks() {
    let names: Vec<String> = declared().into_iter().map(|(a, _)| a).collect();
    assert_eq!(names[0], "3-4-2 sigmoid,sigmoid mse");
    assert_eq!(names[1], "5-6-4-3 tanh,relu,softmax softmax_ce");
    assert_eq!(names[3], "3-5-2 leaky_relu(0.01),identity mse");
}
