//! Regularisation: the penalty gradients, L1 and L2 together, `sign(0) = 0`, the
//! weights-only scope, decoupled against coupled decay, and scope on a generated network.

use super::*;

/// The coupled regularisers are the gradient of the penalty `l1 |p| + l2/2 p^2`: checked
/// against central differences of that penalty, and `sign(0) = 0`.
#[test]
fn penalty_gradient_matches_finite_differences() {
    let reg = Regularization {
        l1: 0.03,
        l2: 0.07,
        ..Regularization::NONE
    };
    let penalty = |p: f64| 0.03 * p.abs() + 0.07 / 2.0 * p * p;
    let h = 1e-6;
    for p in [-1.3, -0.2, 1e-3, 0.4, 2.0] {
        let ours = reg.penalty::<f64>(TensorKind::Weight, 0.1).gradient(0.0, p);
        let fd = (penalty(p + h) - penalty(p - h)) / (2.0 * h);
        assert!(
            (ours - fd).abs() <= 1e-8 * fd.abs(),
            "p = {p}: {ours} vs {fd}"
        );
    }
    let at_zero = reg
        .penalty::<f64>(TensorKind::Weight, 0.1)
        .gradient(0.0, 0.0);
    assert_eq!(at_zero, 0.0);
    // Out of scope: a bias under the default (weights-only) scope gets nothing added.
    let bias = reg
        .penalty::<f64>(TensorKind::Bias, 0.1)
        .gradient(0.25, 2.0);
    assert_eq!(bias, 0.25);
}

/// Runs `opt` for 25 steps from `p0` on the gradient `grad(p)`.
fn run_with<O: ParamsOptimizer<Six>>(mut opt: O, grad: impl Fn(&Six) -> Six) -> Vec<Six> {
    let mut p = fixture().p0;
    (0..25)
        .map(|_| {
            let g = grad(&p);
            opt.update(&mut p, &g);
            p
        })
        .collect()
}

/// L1 and L2 together, through SGD and through Adam's moments: the optimizer's regularisation
/// equals adding `l2 p + l1 sign(p)` to the loss's gradient by hand.
#[test]
fn l1_and_l2_together_add_both_penalty_gradients() {
    let (l1, l2) = (0.03, 0.07);
    // The objective's gradient plus the penalty's, `g + l2 p + l1 sign(p)` (p is never 0 here).
    let by_hand = |p: &Six| {
        let g = gradient(p);
        p.map(|i, x| g.get(i) + l2 * x + l1 * x.signum())
    };
    let none = gradient;

    let ours = run_with(Sgd::new(0.1).l1(l1).weight_decay(l2).regularize_all(), none);
    let reference = run_with(Sgd::new(0.1), by_hand);
    assert!(max_rel_error(&ours, &reference, 0..6) <= 1e-14);
    // Both terms matter: either alone is far off.
    let l1_only = run_with(Sgd::new(0.1).l1(l1).regularize_all(), none);
    let l2_only = run_with(Sgd::new(0.1).weight_decay(l2).regularize_all(), none);
    assert!(max_rel_error(&l1_only, &reference, 0..6) > 1e-3);
    assert!(max_rel_error(&l2_only, &reference, 0..6) > 1e-3);

    let adam = Adam::new(0.05).l1(l1).weight_decay(l2).regularize_all();
    let ours = run_with(adam, none);
    let reference = run_with(Adam::new(0.05), by_hand);
    assert!(max_rel_error(&ours, &reference, 0..6) <= 1e-14);
}

/// With `sign(0) = 0`, a parameter at exactly zero with a zero loss gradient stays at zero
/// under L1 (a sign of +-1 would push it to -+lr*l1).
#[test]
fn l1_leaves_an_exact_zero_at_zero() {
    let mut p = Six {
        w: [0.0, 1.0, -1.0, 0.0],
        b: [0.0; 2],
    };
    let zero = Six::ZERO;
    let mut sgd = Sgd::new(0.1).l1(0.5).regularize_all();
    let mut adam = Adam::new(0.1).l1(0.5).regularize_all();
    for _ in 0..3 {
        sgd.update(&mut p, &zero);
    }
    assert_eq!(p.w[0], 0.0);
    assert_eq!(p.w[3], 0.0);
    assert_eq!(p.b, [0.0; 2]);
    assert!((p.w[1] - (1.0 - 3.0 * 0.1 * 0.5)).abs() < 1e-15);
    for _ in 0..3 {
        adam.update(&mut p, &zero);
    }
    assert_eq!((p.w[0], p.w[3], p.b), (0.0, 0.0, [0.0; 2]));
}

/// The default scope is weights only: in each regularised fixture case that has an
/// unregularised counterpart (the same optimizer and hyper-parameters without `l1` and
/// `weight_decay`, found by content), the four weight coordinates follow PyTorch's
/// regularised trajectory while the two bias coordinates follow the counterpart's (the
/// objective is separable, so each coordinate's path depends on its own update rule only).
#[test]
fn weights_only_scope_leaves_biases_unregularised() {
    let cases = Case::all();
    let base = |c: &Case| c.optimizer().trim_end_matches('w').to_string();
    let mut checked = 0;
    for c in cases
        .iter()
        .filter(|c| c.get("l1").is_some() || c.get("weight_decay").is_some())
    {
        let plain = c.without("l1").without("weight_decay");
        let Some(u) = cases
            .iter()
            .find(|u| base(u) == base(c) && u.name != c.name && u.hyper == plain.hyper)
        else {
            println!("skipping case {}: no unregularised counterpart", c.name);
            continue;
        };
        let ours = build(c, false, Trajectory(c)).expect("a case built above");
        let weights = max_rel_error(&ours, &c.trajectory, 0..4);
        let biases = max_rel_error(&ours, &u.trajectory, 4..6);
        println!(
            "{:<8} weights vs {}: {weights:.1e}, biases vs {}: {biases:.1e}",
            c.name, c.name, u.name
        );
        assert!(weights <= TOLERANCE && biases <= TOLERANCE);
        // ...and the biases really differ from the regularised trajectory.
        assert!(max_rel_error(&ours, &c.trajectory, 4..6) > 1e-6);
        checked += 1;
    }
    assert!(checked > 0, "no regularised case with a counterpart");
}

/// For SGD, decoupled decay `p *= 1 - lr wd` is the same rule as coupled `g += wd p`; for
/// Adam it is not (that is AdamW's point), which the fixture pins separately. Checked on
/// every plain-SGD case with coupled weight decay.
#[test]
fn decoupled_decay_equals_coupled_for_sgd() {
    let mut checked = 0;
    for c in Case::all() {
        let plain_sgd = c.optimizer() == "sgd" && c.hyper.len() == 2;
        let (Some(lr), Some(wd), true) = (c.get("lr"), c.get("weight_decay"), plain_sgd) else {
            continue;
        };
        let decoupled = Sgd::new(lr).decoupled_weight_decay(wd).regularize_all();
        let decoupled = run_with(decoupled, gradient);
        let err = max_rel_error(&decoupled, &c.trajectory, 0..6);
        assert!(err <= TOLERANCE, "{}: {err:e}", c.name);
        checked += 1;
    }
    assert!(checked > 0, "no plain SGD case with weight decay");
}

/// A `Small<f64>` with every bias set to 1 and the weights from a seed.
fn small_with_biases() -> Small<f64> {
    let mut net = Small::<f64>::new(3);
    for i in 0..Small::<f64>::TENSORS {
        if <Small<f64> as Params<f64>>::tensor_kind(i) == TensorKind::Bias {
            net.tensor_mut(i).fill(1.0);
        }
    }
    net
}

/// On a generated network, through `Optimizer<N>`: with a zero loss gradient, L2 shrinks the
/// weights only by default and the biases too with `regularize_all`; AdamW's default decay
/// (1e-2) likewise.
#[test]
fn scope_on_a_network() {
    let zero = <SmallGradient<f64> as Params<f64>>::ZERO;
    let start = small_with_biases();
    let check = |net: &Small<f64>, weight_factor: f64, bias_factor: f64| {
        for i in 0..Small::<f64>::TENSORS {
            let factor = match <Small<f64> as Params<f64>>::tensor_kind(i) {
                TensorKind::Weight => weight_factor,
                TensorKind::Bias => bias_factor,
            };
            for (&p, &p0) in net.tensor(i).iter().zip(start.tensor(i)) {
                assert!(
                    (p - p0 * factor).abs() <= 1e-15,
                    "tensor {i}: {p} vs {p0} * {factor}"
                );
            }
        }
    };

    let mut net = start.clone();
    Sgd::new(0.5)
        .weight_decay(0.1)
        .step(&mut net, &zero)
        .unwrap();
    check(&net, 0.95, 1.0);

    let mut net = start.clone();
    Sgd::new(0.5)
        .weight_decay(0.1)
        .regularize_all()
        .step(&mut net, &zero)
        .unwrap();
    check(&net, 0.95, 0.95);

    let mut net = start.clone();
    AdamW::new(0.5).step(&mut net, &zero).unwrap();
    check(&net, 1.0 - 0.5 * 1e-2, 1.0);

    let mut net = start.clone();
    AdamW::new(0.5)
        .regularize_all()
        .step(&mut net, &zero)
        .unwrap();
    check(&net, 1.0 - 0.5 * 1e-2, 1.0 - 0.5 * 1e-2);
}
