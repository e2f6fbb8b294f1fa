//! Every optimizer against PyTorch's float64 trajectories (`tests/fixtures/optimizers.json`,
//! copied from `../shared/fixtures`), plus regularisation, scope and state sizes.
//!
//! The fixture objective is `f(p) = sum_i a_i/2 (p_i - t_i)^2 + 0.1 sum_i sin(p_i)` over six
//! parameters. Here they are a `Params` value of two tensors, four "weights" and two "biases",
//! so the same trajectories also tell whether a regulariser reached the biases.
//!
//! Tolerance: 1e-9 relative on every parameter after every one of the 25 steps of every case.
//! Reached (run `cargo test -p dl-tests --test optimizers -- --nocapture` to see each case's
//! figure): the largest relative error over all cases is 2.2e-13 (plain SGD; Adam, AdamW and
//! RMSprop stay under 3e-15), four orders of magnitude inside the tolerance.

use dl_core::prelude::*;
use serde_json::Value;
use std::sync::OnceLock;

const TOLERANCE: f64 = 1e-9;

/// The fixture's six parameters: tensor 0 holds `p[0..4]` (a weight), tensor 1 `p[4..6]` (a
/// bias).
#[derive(Clone, Copy, Debug, PartialEq)]
struct Six {
    w: [f64; 4],
    b: [f64; 2],
}

impl Six {
    fn from_slice(p: &[f64]) -> Self {
        Six {
            w: [p[0], p[1], p[2], p[3]],
            b: [p[4], p[5]],
        }
    }

    fn get(&self, i: usize) -> f64 {
        if i < 4 {
            self.w[i]
        } else {
            self.b[i - 4]
        }
    }

    fn map(&self, f: impl Fn(usize, f64) -> f64) -> Self {
        let v: Vec<f64> = (0..6).map(|i| f(i, self.get(i))).collect();
        Six::from_slice(&v)
    }
}

impl Params<f64> for Six {
    const TENSORS: usize = 2;
    const COUNT: usize = 6;
    const ZERO: Self = Six {
        w: [0.0; 4],
        b: [0.0; 2],
    };
    fn tensor(&self, i: usize) -> &[f64] {
        match i {
            0 => &self.w,
            1 => &self.b,
            _ => &[],
        }
    }
    fn tensor_mut(&mut self, i: usize) -> &mut [f64] {
        match i {
            0 => &mut self.w,
            1 => &mut self.b,
            _ => &mut [],
        }
    }
    fn tensor_kind(i: usize) -> TensorKind {
        if i == 0 {
            TensorKind::Weight
        } else {
            TensorKind::Bias
        }
    }
}

struct Fixture {
    json: Value,
    a: Vec<f64>,
    t: Vec<f64>,
    p0: Six,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/optimizers.json");
        let json: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let a = floats(&json["a"]);
        let t = floats(&json["t"]);
        let p0 = Six::from_slice(&floats(&json["p0"]));
        Fixture { json, a, t, p0 }
    })
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

/// The objective's gradient `a_i (p_i - t_i) + 0.1 cos(p_i)` (the L1 term of the `*_l1` case is
/// the optimizer's to add).
fn gradient(p: &Six) -> Six {
    let f = fixture();
    p.map(|i, x| f.a[i] * (x - f.t[i]) + 0.1 * x.cos())
}

/// One case of the fixture: its hyper-parameters, the learning rate of each step and
/// PyTorch's trajectory.
#[derive(Clone)]
struct Case {
    name: String,
    hyper: serde_json::Map<String, Value>,
    lr_per_step: Vec<f64>,
    trajectory: Vec<Six>,
}

/// The hyper-parameters this file knows how to apply.
const KNOWN: [&str; 14] = [
    "lr",
    "momentum",
    "nesterov",
    "dampening",
    "weight_decay",
    "l1",
    "eps",
    "alpha",
    "beta1",
    "beta2",
    "gamma",
    "step_size",
    "lr_decay",
    "initial_accumulator_value",
];

impl Case {
    /// Every case of the fixture, in file order; fails if there are none.
    fn all() -> Vec<Case> {
        let cases = fixture().json["cases"].as_array().expect("cases");
        assert!(!cases.is_empty(), "optimizers.json has no cases");
        cases
            .iter()
            .map(|case| Case {
                name: case["name"].as_str().expect("a name").to_string(),
                hyper: case["hyper"].as_object().expect("hyper").clone(),
                lr_per_step: floats(&case["lr_per_step"]),
                trajectory: case["trajectory"]
                    .as_array()
                    .expect("trajectory")
                    .iter()
                    .map(|p| Six::from_slice(&floats(p)))
                    .collect(),
            })
            .collect()
    }

    /// Hyper-parameter `key`, if the case has it (`true` is 1).
    fn get(&self, key: &str) -> Option<f64> {
        match self.hyper.get(key)? {
            Value::Bool(b) => Some(f64::from(u8::from(*b))),
            v => v.as_f64(),
        }
    }

    /// The optimizer: the first word of the case's name (`sgd`, `adagrad`, `rmsprop`, `adam`,
    /// `adamw`), the one thing `hyper` does not say. Everything else comes from `hyper`.
    fn optimizer(&self) -> &str {
        self.name.split('_').next().unwrap_or("")
    }

    /// The same case without hyper-parameter `key`.
    fn without(&self, key: &str) -> Case {
        let mut case = self.clone();
        case.hyper.remove(key);
        case
    }
}

/// Runs `opt` from `p0` for as many steps as the case has, checking the learning rate of each
/// step against `lr_per_step`, and returns the trajectory.
fn run<O: ParamsOptimizer<Six>>(case: &Case, mut opt: O) -> Vec<Six> {
    let mut p = fixture().p0;
    let mut out = Vec::new();
    for (k, &lr) in case.lr_per_step.iter().enumerate() {
        let used = opt.learning_rate();
        assert!(
            (used - lr).abs() <= 1e-12 * lr.abs(),
            "{}: step {} used lr {used}, PyTorch {lr}",
            case.name,
            k + 1
        );
        let g = gradient(&p);
        opt.update(&mut p, &g);
        out.push(p);
    }
    assert_eq!(opt.steps(), case.lr_per_step.len() as u64);
    out
}

/// The largest `|ours - torch| / |torch|` over the coordinates `coords` of every step.
fn max_rel_error(ours: &[Six], torch: &[Six], coords: std::ops::Range<usize>) -> f64 {
    assert_eq!(ours.len(), torch.len());
    let mut worst = 0.0f64;
    for (k, (o, t)) in ours.iter().zip(torch).enumerate() {
        for i in coords.clone() {
            let (x, r) = (o.get(i), t.get(i));
            assert!(r != 0.0 && x.is_finite(), "step {k} p[{i}]: {x} vs {r}");
            worst = worst.max((x - r).abs() / r.abs());
        }
    }
    worst
}

/// What to do with the optimizer a case describes (a closure cannot be generic over it).
trait Visit {
    type Out;
    fn visit<O: ParamsOptimizer<Six>>(self, opt: O) -> Self::Out;
}

/// Runs the optimizer through the case: its trajectory.
struct Trajectory<'c>(&'c Case);

impl Visit for Trajectory<'_> {
    type Out = Vec<Six>;
    fn visit<O: ParamsOptimizer<Six>>(self, opt: O) -> Vec<Six> {
        run(self.0, opt)
    }
}

/// Builds the optimizer case `c` describes, as PyTorch was configured: the optimizer named by
/// [`Case::optimizer`], every entry of `hyper` applied (coupled L2 for `weight_decay`, AdamW's
/// decoupled decay for `adamw`; a schedule for `gamma` and `step_size`), regularising every
/// parameter (`scope_all`, PyTorch's single parameter group) or weights only. `Err` says why
/// a case cannot be built here (an optimizer or hyper-parameter this file does not know).
fn build<V: Visit>(c: &Case, scope_all: bool, v: V) -> Result<V::Out, String> {
    if let Some(key) = c.hyper.keys().find(|k| !KNOWN.contains(&k.as_str())) {
        return Err(format!(
            "hyper-parameter `{key}` is not one this test applies"
        ));
    }
    let lr = c.get("lr").ok_or("no lr")?;
    let extras = Extras { c, scope_all, lr };
    match c.optimizer() {
        "sgd" => match c.get("momentum") {
            None => extras.apply(Sgd::new(lr), v, false),
            Some(mu) => {
                let opt = if c.get("nesterov") == Some(1.0) {
                    Sgd::new(lr).nesterov::<Six>(mu)
                } else {
                    Sgd::new(lr).momentum::<Six>(mu)
                };
                let opt = opt.dampening(c.get("dampening").unwrap_or(0.0));
                extras.apply(opt, v, false)
            }
        },
        "adagrad" => {
            let opt = Adagrad::<f64, Six>::new(lr)
                .eps(c.get("eps").unwrap_or(1e-10))
                .lr_decay(c.get("lr_decay").unwrap_or(0.0))
                .initial_accumulator(c.get("initial_accumulator_value").unwrap_or(0.0));
            extras.apply(opt, v, false)
        }
        "rmsprop" => {
            let opt = RmsProp::<f64, Six>::new(lr)
                .alpha(c.get("alpha").unwrap_or(0.99))
                .eps(c.get("eps").unwrap_or(1e-8));
            match c.get("momentum") {
                None => extras.apply(opt, v, false),
                Some(m) => extras.apply(opt.momentum(m), v, false),
            }
        }
        "adam" | "adamw" => {
            let betas = (
                c.get("beta1").unwrap_or(0.9),
                c.get("beta2").unwrap_or(0.999),
            );
            let eps = c.get("eps").unwrap_or(1e-8);
            if c.optimizer() == "adam" {
                extras.apply(Adam::new(lr).betas(betas.0, betas.1).eps(eps), v, false)
            } else {
                let opt = AdamW::new(lr).betas(betas.0, betas.1).eps(eps);
                let opt = opt.weight_decay(c.get("weight_decay").unwrap_or(1e-2));
                extras.apply(opt, v, true)
            }
        }
        other => Err(format!("optimizer `{other}` is not one this test builds")),
    }
}

/// The entries of `hyper` every optimizer takes: regularisation and a schedule.
struct Extras<'c> {
    c: &'c Case,
    scope_all: bool,
    lr: f64,
}

impl Extras<'_> {
    fn apply<O: ParamsOptimizer<Six> + Regularize, V: Visit>(
        &self,
        mut opt: O,
        v: V,
        decay_applied: bool,
    ) -> Result<V::Out, String> {
        if let (Some(l2), false) = (self.c.get("weight_decay"), decay_applied) {
            opt = opt.weight_decay(l2);
        }
        if let Some(l1) = self.c.get("l1") {
            opt = opt.l1(l1);
        }
        if self.scope_all {
            opt = opt.regularize_all();
        }
        match (self.c.get("gamma"), self.c.get("step_size")) {
            (None, None) => Ok(v.visit(opt)),
            (Some(gamma), None) => Ok(v.visit(Scheduled::per_step(
                opt,
                ExponentialDecay::new(self.lr, gamma),
            ))),
            (Some(gamma), Some(step)) => {
                let schedule = StepDecay::new(self.lr, step as u64, gamma);
                Ok(v.visit(Scheduled::per_step(opt, schedule)))
            }
            (None, Some(_)) => Err("step_size without gamma".into()),
        }
    }
}

/// Every case of the fixture, whatever it holds, against PyTorch's trajectory; a case this
/// file cannot build is skipped with the reason printed.
#[test]
fn every_case_matches_pytorch() {
    let (mut checked, mut worst) = (0, 0.0f64);
    for c in Case::all() {
        match build(&c, true, Trajectory(&c)) {
            Ok(ours) => {
                assert_eq!(ours.len(), c.trajectory.len());
                let err = max_rel_error(&ours, &c.trajectory, 0..6);
                println!("{:<22} max relative error {err:.2e}", c.name);
                assert!(err <= TOLERANCE, "{}: relative error {err:e}", c.name);
                worst = worst.max(err);
                checked += 1;
            }
            Err(reason) => println!("skipping case {}: {reason}", c.name),
        }
    }
    assert!(checked > 0, "no case of optimizers.json could be built");
    println!("{checked} cases; largest relative error over all: {worst:.2e}");
}

/// The check can fail, and every hyper-parameter counts: the trajectory of each case without
/// its Nesterov flag, momentum, L1 or L2 term is far from PyTorch's.
#[test]
fn every_hyper_parameter_matters() {
    let mut compared = 0;
    for c in Case::all() {
        for key in ["nesterov", "momentum", "l1", "weight_decay"] {
            if c.get(key).is_none() || c.optimizer() == "adamw" && key == "weight_decay" {
                continue;
            }
            let Ok(ours) = build(&c.without(key), true, Trajectory(&c)) else {
                continue;
            };
            let err = max_rel_error(&ours, &c.trajectory, 0..6);
            assert!(
                err > 1e-3,
                "{} without {key} still matches: {err:e}",
                c.name
            );
            compared += 1;
        }
    }
    assert!(compared > 0, "no case has a hyper-parameter to leave out");
}

// ---------------------------------------------------------------------------------------------
// Regularisation

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

network! {
    /// A small net for scope and state-size checks.
    struct Small {
        Dense<3, 4, Tanh>,
        Dense<4, 2, Identity>,
    }
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

// ---------------------------------------------------------------------------------------------
// Variants without a fixture case: closed forms under a constant gradient

/// Runs `opt` `steps` times from `p0 = 1` (every coordinate) under the constant gradient `g`,
/// returning the first coordinate after each step.
fn constant_gradient<O: ParamsOptimizer<Six>>(mut opt: O, g: f64, steps: usize) -> Vec<f64> {
    let mut p = Six::ZERO.map(|_, _| 1.0);
    let g = Six::ZERO.map(|_, _| g);
    (0..steps)
        .map(|_| {
            opt.update(&mut p, &g);
            p.w[0]
        })
        .collect()
}

fn assert_close(ours: &[f64], expected: &[f64]) {
    for (k, (o, e)) in ours.iter().zip(expected).enumerate() {
        assert!(
            (o - e).abs() <= 1e-13 * e.abs().max(1.0),
            "step {}: {o} vs {e}",
            k + 1
        );
    }
}

/// SGD momentum with dampening `tau`: `b_1 = g`, then `b_k = mu b_{k-1} + (1 - tau) g`.
#[test]
fn sgd_dampening_closed_form() {
    let (lr, mu, tau, g) = (0.1, 0.9, 0.3, 0.7);
    let ours = constant_gradient(Sgd::new(lr).momentum::<Six>(mu).dampening(tau), g, 6);
    let (mut b, mut p, mut expected) = (g, 1.0, vec![]);
    for k in 0..6 {
        if k > 0 {
            b = mu * b + (1.0 - tau) * g;
        }
        p -= lr * b;
        expected.push(p);
    }
    assert_close(&ours, &expected);
}

/// Centered RMSprop with momentum: under a constant gradient `s_k = (1 - alpha^k) g^2` and
/// `a_k = (1 - alpha^k) g`, so the centered variance is `(1 - alpha^k) alpha^k g^2`.
#[test]
fn centered_rmsprop_with_momentum_closed_form() {
    let (lr, alpha, m, eps, g) = (0.01, 0.9, 0.5, 1e-8, 0.7);
    let opt = RmsProp::new(lr).alpha(alpha).momentum(m).centered();
    let ours = constant_gradient(opt, g, 6);
    let (mut b, mut p, mut expected) = (0.0, 1.0, vec![]);
    for k in 1..=6 {
        let ak = alpha.powi(k);
        let denom = ((1.0 - ak) * ak * g * g).sqrt() + eps;
        b = m * b + g / denom;
        p -= lr * b;
        expected.push(p);
    }
    assert_close(&ours, &expected);
    // Centered without momentum.
    let ours = constant_gradient(RmsProp::new(lr).alpha(alpha).centered(), g, 6);
    let mut p = 1.0;
    let expected: Vec<f64> = (1..=6)
        .map(|k| {
            let ak = alpha.powi(k);
            p -= lr * g / (((1.0 - ak) * ak * g * g).sqrt() + eps);
            p
        })
        .collect();
    assert_close(&ours, &expected);
}

/// Adagrad's `lr_decay` and `initial_accumulator_value`: `s_k = s_0 + k g^2`,
/// `lr_k = lr / (1 + (k - 1) decay)`.
#[test]
fn adagrad_decay_and_initial_accumulator_closed_form() {
    let (lr, decay, s0, g) = (0.5, 0.1, 0.2, 0.7);
    let opt = Adagrad::new(lr).lr_decay(decay).initial_accumulator(s0);
    let ours = constant_gradient(opt, g, 6);
    let mut p = 1.0;
    let expected: Vec<f64> = (1..=6)
        .map(|k| {
            let s = s0 + k as f64 * g * g;
            p -= lr / (1.0 + (k - 1) as f64 * decay) * g / (s.sqrt() + 1e-10);
            p
        })
        .collect();
    assert_close(&ours, &expected);
}

/// Runs the optimizer through the case twice, with a `reset` between: the same bits.
struct ResetTwice<'c>(&'c Case);

impl Visit for ResetTwice<'_> {
    type Out = ();
    fn visit<O: ParamsOptimizer<Six>>(self, mut opt: O) {
        let first = run(self.0, &mut opt);
        opt.reset();
        assert_eq!(opt.steps(), 0);
        assert_eq!(first, run(self.0, &mut opt), "{}", self.0.name);
    }
}

/// `reset` clears moments, the step count and the schedule: a second run after it is
/// bit-identical, for every case's optimizer.
#[test]
fn reset_restarts_an_optimizer() {
    let mut checked = 0;
    for c in Case::all() {
        if build(&c, true, ResetTwice(&c)).is_ok() {
            checked += 1;
        }
    }
    assert!(checked > 0);
}

// ---------------------------------------------------------------------------------------------
// State sizes

#[test]
fn state_bytes() {
    type N = Small<f32>;
    type G = SmallGradient<f32>;
    let g = N::GRADIENT_BYTES;
    // Small: 3*4 + 4 + 4*2 + 2 = 26 parameters of 4 bytes; on x86-64 each Dense layer is
    // aligned (and so padded) to 64 bytes for the vector kernels.
    assert_eq!(N::PARAMS, 26);
    let padded = |bytes: usize| {
        if cfg!(target_arch = "x86_64") {
            bytes.div_ceil(64) * 64
        } else {
            bytes
        }
    };
    assert_eq!(g, padded(16 * 4) + padded(10 * 4));
    assert_eq!(core::mem::size_of::<NoState>(), 0);

    assert_eq!(<Sgd<f32> as OptimizerBase>::STATE_BYTES, 0);
    assert_eq!(<SgdMomentum<f32, G> as OptimizerBase>::STATE_BYTES, g);
    assert_eq!(<Adagrad<f32, G> as OptimizerBase>::STATE_BYTES, g);
    assert_eq!(<RmsProp<f32, G> as OptimizerBase>::STATE_BYTES, g);
    assert_eq!(<RmsProp<f32, G, G> as OptimizerBase>::STATE_BYTES, 2 * g);
    assert_eq!(
        <RmsProp<f32, G, NoState, G> as OptimizerBase>::STATE_BYTES,
        2 * g
    );
    assert_eq!(<RmsProp<f32, G, G, G> as OptimizerBase>::STATE_BYTES, 3 * g);
    assert_eq!(<Adam<f32, G> as OptimizerBase>::STATE_BYTES, 2 * g);
    assert_eq!(<AdamW<f32, G> as OptimizerBase>::STATE_BYTES, 2 * g);
    type Decayed = Scheduled<Adam<f32, G>, ExponentialDecay>;
    assert_eq!(<Decayed as OptimizerBase>::STATE_BYTES, 2 * g);

    // The per-network constants name the same numbers.
    assert_eq!(N::SGD_STATE_BYTES, 0);
    assert_eq!(N::SGD_MOMENTUM_STATE_BYTES, g);
    assert_eq!(N::ADAGRAD_STATE_BYTES, g);
    assert_eq!(N::RMSPROP_STATE_BYTES, g);
    assert_eq!(N::RMSPROP_MOMENTUM_STATE_BYTES, 2 * g);
    assert_eq!(N::RMSPROP_CENTERED_MOMENTUM_STATE_BYTES, 3 * g);
    assert_eq!(N::ADAM_STATE_BYTES, 2 * g);
    assert_eq!(N::ADAMW_STATE_BYTES, 2 * g);

    // And the optimizer values are that big plus their hyper-parameters, no hidden buffers.
    let adam = Adam::<f32, G>::new(1e-3);
    let hyper = core::mem::size_of_val(&adam) - <Adam<f32, G> as OptimizerBase>::STATE_BYTES;
    assert!(
        hyper <= 128,
        "Adam's fields besides its moments take {hyper} bytes"
    );
}

// ---------------------------------------------------------------------------------------------
// Every optimizer trains a real network in f32 through `train_batch`

network! {
    /// Linear regression: y = 2 x0 - x1 + 0.5.
    struct Line {
        Dense<2, 1, Identity>,
    }
}

fn train_line<O: Optimizer<Line<f32>>>(mut opt: O, epochs: usize) -> (f32, f32) {
    let xs: Vec<SVector<f32, 2>> = (0..16)
        .map(|i| SVector::from([(i % 4) as f32 / 2.0 - 0.75, (i / 4) as f32 / 2.0 - 0.75]))
        .collect();
    let ys: Vec<SVector<f32, 1>> = xs
        .iter()
        .map(|x| SVector::from([2.0 * x[0] - x[1] + 0.5]))
        .collect();
    let mut net = Line::<f32>::new(1);
    let mut ws = Workspace::new();
    let first = train_batch::<_, Mse, _>(&mut net, &mut opt, &xs, &ys, &mut ws).unwrap();
    let mut last = first;
    for _ in 1..epochs {
        last = train_batch::<_, Mse, _>(&mut net, &mut opt, &xs, &ys, &mut ws).unwrap();
    }
    (first, last)
}

#[test]
fn every_optimizer_trains_a_network_in_f32() {
    let results = [
        ("sgd", train_line(Sgd::new(0.1), 300)),
        ("momentum", train_line(Sgd::new(0.05).momentum(0.9), 300)),
        ("nesterov", train_line(Sgd::new(0.05).nesterov(0.9), 300)),
        ("adagrad", train_line(Adagrad::new(0.5), 300)),
        ("rmsprop", train_line(RmsProp::new(0.01), 300)),
        (
            "rmsprop+m",
            train_line(RmsProp::new(0.01).momentum(0.5).centered(), 300),
        ),
        ("adam", train_line(Adam::new(0.05), 300)),
        ("adamw", train_line(AdamW::new(0.05), 300)),
        (
            "adam+cos",
            train_line(
                Scheduled::per_step(Adam::new(0.0), CosineDecay::new(0.1, 300).warmup(0.0, 20)),
                300,
            ),
        ),
    ];
    for (name, (first, last)) in results {
        println!("{name:<10} loss {first:.4} -> {last:.2e}");
        assert!(last < 1e-3 * first, "{name}: loss {first} -> {last}");
    }
}

// ---------------------------------------------------------------------------------------------
// Hyper-parameters out of range are an error, before any update

fn invalid(name: &'static str, expected: &'static str) -> impl Fn(Result<(), Error>) {
    move |result| match result {
        Err(Error::InvalidHyperParameter {
            name: n,
            expected: e,
            ..
        }) => assert_eq!((n, e), (name, expected)),
        other => panic!("{name}: expected InvalidHyperParameter, got {other:?}"),
    }
}

#[test]
fn invalid_hyper_parameters_are_refused() {
    const NON_NEGATIVE: &str = "finite and >= 0";
    assert_eq!(
        Sgd::<f64>::new(-0.1).validate(),
        Err(Error::InvalidHyperParameter {
            name: "lr",
            value: -0.1,
            expected: NON_NEGATIVE
        })
    );
    invalid("lr", NON_NEGATIVE)(Sgd::<f64>::new(f64::NAN).validate());
    invalid("l1", NON_NEGATIVE)(Sgd::<f64>::new(0.1).l1(f64::INFINITY).validate());
    let l2 = Sgd::<f64>::new(0.1).weight_decay(-1e-4);
    invalid("l2 (weight_decay)", NON_NEGATIVE)(l2.validate());

    let momentum = || Sgd::<f64>::new(0.1).momentum::<Six>(0.9);
    invalid("momentum", NON_NEGATIVE)(Sgd::<f64>::new(0.1).momentum::<Six>(-0.5).validate());
    let damped_nesterov = momentum().dampening(0.1).with_nesterov();
    invalid("dampening", "0 with Nesterov")(damped_nesterov.validate());
    let still_nesterov = Sgd::<f64>::new(0.1).nesterov::<Six>(0.0);
    invalid("momentum", "> 0 with Nesterov")(still_nesterov.validate());
    assert_eq!(momentum().dampening(0.1).validate(), Ok(()));

    invalid("eps", NON_NEGATIVE)(Adagrad::<f64, Six>::new(0.1).eps(-1e-10).validate());
    invalid("lr_decay", NON_NEGATIVE)(Adagrad::<f64, Six>::new(0.1).lr_decay(-1.0).validate());
    invalid("alpha", "in [0, 1]")(RmsProp::<f64, Six>::new(0.1).alpha(1.5).validate());
    let rms = RmsProp::<f64, Six>::new(0.1).momentum(-0.1);
    invalid("momentum", NON_NEGATIVE)(rms.validate());
    invalid("beta1", "in [0, 1)")(Adam::<f64, Six>::new(0.1).betas(1.0, 0.999).validate());
    invalid("beta2", "in [0, 1)")(Adam::<f64, Six>::new(0.1).betas(0.9, -0.1).validate());
    let adamw = AdamW::<f64, Six>::new(0.1).weight_decay(-0.01);
    invalid("decoupled weight decay", NON_NEGATIVE)(adamw.validate());
    let scheduled = Scheduled::per_step(Sgd::<f64>::new(0.1), Constant::new(-1.0));
    invalid("lr", NON_NEGATIVE)(scheduled.validate());

    // PyTorch's defaults are all valid.
    assert_eq!(Sgd::<f64>::default().validate(), Ok(()));
    assert_eq!(Adagrad::<f64, Six>::default().validate(), Ok(()));
    assert_eq!(RmsProp::<f64, Six>::default().validate(), Ok(()));
    assert_eq!(Adam::<f64, Six>::default().validate(), Ok(()));
    assert_eq!(AdamW::<f64, Six>::default().validate(), Ok(()));
}

/// The training functions check the optimizer first: an invalid one is an error and the
/// weights are untouched.
#[test]
fn training_refuses_an_invalid_optimizer() {
    let mut net = Line::<f32>::new(1);
    let before = net.clone();
    let mut ws = Workspace::new();
    let (x, y) = (SVector::from([0.5f32, 0.5]), SVector::from([1.0f32]));
    let mut adam = Adam::new(0.01).betas(0.9, 1.0);
    let err = train_sample::<_, Mse, _>(&mut net, &mut adam, &x, &y, &mut ws).unwrap_err();
    invalid("beta2", "in [0, 1)")(Err(err));
    let err = train_batch::<_, Mse, _>(&mut net, &mut adam, &[x], &[y], &mut ws).unwrap_err();
    assert!(
        err.to_string().contains("beta2 is 1, expected in [0, 1)"),
        "{err}"
    );
    assert_eq!(adam.steps(), 0);
    for i in 0..Line::<f32>::TENSORS {
        assert_eq!(net.tensor(i), before.tensor(i));
    }
}
