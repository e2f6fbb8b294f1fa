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
//!
//! One file a topic: `pytorch`, `regularization`, `closed_forms`, `elementwise`, `state_sizes`, `training`,
//! `hyper_parameters`; the fixture and its helpers are here.

mod closed_forms;
mod elementwise;
mod hyper_parameters;
mod pytorch;
mod regularization;
mod state_sizes;
mod training;

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

network! {
    /// A small net for scope and state-size checks.
    struct Small {
        Dense<3, 4, Tanh>,
        Dense<4, 2, Identity>,
    }
}

network! {
    /// Linear regression: y = 2 x0 - x1 + 0.5.
    struct Line {
        Dense<2, 1, Identity>,
    }
}
