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
use std::cell::RefCell;
use std::collections::BTreeSet;
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

struct Case {
    name: &'static str,
    hyper: serde_json::Map<String, Value>,
    used: RefCell<BTreeSet<String>>,
    lr_per_step: Vec<f64>,
    trajectory: Vec<Six>,
}

impl Case {
    fn load(name: &'static str) -> Case {
        let cases = fixture().json["cases"].as_array().unwrap();
        let case = cases
            .iter()
            .find(|c| c["name"] == name)
            .unwrap_or_else(|| panic!("no case {name} in the fixture"));
        Case {
            name,
            hyper: case["hyper"].as_object().unwrap().clone(),
            used: RefCell::new(BTreeSet::new()),
            lr_per_step: floats(&case["lr_per_step"]),
            trajectory: case["trajectory"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| Six::from_slice(&floats(p)))
                .collect(),
        }
    }

    /// A hyper-parameter of the case; every one must be read before the case counts as run.
    fn h(&self, key: &str) -> f64 {
        self.used.borrow_mut().insert(key.to_string());
        match &self.hyper[key] {
            Value::Bool(b) => f64::from(u8::from(*b)),
            v => v
                .as_f64()
                .unwrap_or_else(|| panic!("{}: {key} missing", self.name)),
        }
    }

    fn check_all_hyper_used(&self) {
        let keys: BTreeSet<String> = self.hyper.keys().cloned().collect();
        assert_eq!(
            keys,
            *self.used.borrow(),
            "{}: hyper-parameters not applied",
            self.name
        );
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

/// Builds each fixture case's optimizer from its `hyper` entries, as PyTorch was configured.
/// The `*_l2`, `*_l1` and `adamw` cases regularise all parameters, as the fixture did.
fn run_case(name: &'static str) -> f64 {
    let c = Case::load(name);
    let ours = match name {
        "sgd" => run(&c, Sgd::new(c.h("lr"))),
        "sgd_momentum" => run(&c, Sgd::new(c.h("lr")).momentum::<Six>(c.h("momentum"))),
        "sgd_nesterov" => {
            assert_eq!(c.h("nesterov"), 1.0);
            run(&c, Sgd::new(c.h("lr")).nesterov::<Six>(c.h("momentum")))
        }
        "sgd_l2" => {
            let opt = Sgd::new(c.h("lr")).weight_decay(c.h("weight_decay"));
            run(&c, opt.regularize_all())
        }
        "sgd_l1" => run(&c, Sgd::new(c.h("lr")).l1(c.h("l1")).regularize_all()),
        "adagrad" => run(&c, Adagrad::new(c.h("lr")).eps(c.h("eps"))),
        "rmsprop" => run(
            &c,
            RmsProp::new(c.h("lr")).alpha(c.h("alpha")).eps(c.h("eps")),
        ),
        "rmsprop_momentum" => {
            let opt = RmsProp::new(c.h("lr")).alpha(c.h("alpha")).eps(c.h("eps"));
            run(&c, opt.momentum(c.h("momentum")))
        }
        "adam" => {
            let opt = Adam::new(c.h("lr")).betas(c.h("beta1"), c.h("beta2"));
            run(&c, opt.eps(c.h("eps")))
        }
        "adam_l2" => {
            let opt = Adam::new(c.h("lr")).betas(c.h("beta1"), c.h("beta2"));
            let opt = opt.eps(c.h("eps")).weight_decay(c.h("weight_decay"));
            run(&c, opt.regularize_all())
        }
        "adamw" => {
            let opt = AdamW::new(c.h("lr")).betas(c.h("beta1"), c.h("beta2"));
            let opt = opt.eps(c.h("eps")).decay(c.h("weight_decay"));
            run(&c, opt.regularize_all())
        }
        "sgd_exponential_decay" => {
            let schedule = ExponentialDecay::new(c.h("lr"), c.h("gamma"));
            run(&c, Scheduled::per_step(Sgd::new(0.0), schedule))
        }
        "sgd_step_decay" => {
            let schedule = StepDecay::new(c.h("lr"), c.h("step_size") as u64, c.h("gamma"));
            run(&c, Scheduled::per_step(Sgd::new(0.0), schedule))
        }
        _ => unreachable!(),
    };
    c.check_all_hyper_used();
    assert_eq!(ours.len(), 25);
    let err = max_rel_error(&ours, &c.trajectory, 0..6);
    println!("{name:<22} max relative error {err:.2e}");
    assert!(err <= TOLERANCE, "{name}: relative error {err:e}");
    err
}

const CASES: [&str; 13] = [
    "sgd",
    "sgd_momentum",
    "sgd_nesterov",
    "sgd_l2",
    "sgd_l1",
    "adagrad",
    "rmsprop",
    "rmsprop_momentum",
    "adam",
    "adam_l2",
    "adamw",
    "sgd_exponential_decay",
    "sgd_step_decay",
];

#[test]
fn every_fixture_case_is_tested() {
    let names: BTreeSet<&str> = fixture().json["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, CASES.into_iter().collect());
}

#[test]
fn fixture_errors() {
    let worst = CASES.into_iter().map(run_case).fold(0.0, f64::max);
    println!("largest relative error over all cases: {worst:.2e}");
}

macro_rules! fixture_tests {
    ($($case:ident),* $(,)?) => {
        $(
            #[test]
            fn $case() {
                run_case(stringify!($case));
            }
        )*
    };
}

fixture_tests!(
    sgd,
    sgd_momentum,
    sgd_nesterov,
    sgd_l2,
    sgd_l1,
    adagrad,
    rmsprop,
    rmsprop_momentum,
    adam,
    adam_l2,
    adamw,
    sgd_exponential_decay,
    sgd_step_decay,
);

/// The check can fail: plain momentum is not Nesterov, and dropping the L1 term is not L1.
#[test]
fn a_wrong_rule_is_caught() {
    let c = Case::load("sgd_nesterov");
    let plain = run(&c, Sgd::new(c.h("lr")).momentum::<Six>(c.h("momentum")));
    assert!(max_rel_error(&plain, &c.trajectory, 0..6) > 1e-3);

    let c = Case::load("sgd_l1");
    let unregularised = run(&c, Sgd::new(c.h("lr")));
    assert!(max_rel_error(&unregularised, &c.trajectory, 0..6) > 1e-3);
}
