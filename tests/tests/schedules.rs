//! Learning-rate schedules: the PyTorch fixture's rates, cosine decay with warm-up by its
//! formula's values, and how `Scheduled` advances per step and per epoch.

use dl_core::layer::DenseGrad;
use dl_core::prelude::*;
use serde_json::Value;

/// Every case of the optimizer fixture: its hyper-parameters and the rate of each step.
fn fixture_cases() -> Vec<(Value, Vec<f64>)> {
    dl_tests::cases("optimizers.json")
        .into_iter()
        .map(|case| {
            let rates = case["lr_per_step"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_f64().unwrap())
                .collect();
            (case["hyper"].clone(), rates)
        })
        .collect()
}

fn assert_rates(schedule: &impl Schedule, expected: &[f64]) {
    for (t, &e) in expected.iter().enumerate() {
        let ours = schedule.learning_rate(t as u64);
        assert!(
            (ours - e).abs() <= 1e-12 * e.abs(),
            "t = {t}: {ours} vs PyTorch {e}"
        );
    }
}

/// Every case's rates, by the schedule its hyper-parameters describe: `gamma` and
/// `step_size` a step decay, `gamma` alone an exponential decay, neither a constant rate.
/// Whatever cases the file holds; each kind must be among them.
#[test]
fn every_case_rate_matches_pytorch() {
    let mut kinds = std::collections::BTreeSet::new();
    for (h, rates) in fixture_cases() {
        let lr = h["lr"].as_f64().unwrap();
        match (h["gamma"].as_f64(), h["step_size"].as_u64()) {
            (Some(gamma), Some(step)) => {
                let schedule = StepDecay::new(lr, step, gamma);
                assert_rates(&schedule, &rates);
                // The drops land on multiples of the step size exactly.
                for k in 1..4 {
                    assert_eq!(
                        schedule.learning_rate(k * step - 1),
                        lr * gamma.powi(k as i32 - 1)
                    );
                    assert_eq!(schedule.learning_rate(k * step), lr * gamma.powi(k as i32));
                }
                kinds.insert("step");
            }
            (Some(gamma), None) => {
                assert_rates(&ExponentialDecay::new(lr, gamma), &rates);
                kinds.insert("exponential");
            }
            (None, _) => {
                assert_rates(&Constant::new(lr), &rates);
                kinds.insert("constant");
            }
        }
    }
    assert_eq!(
        kinds.len(),
        3,
        "the fixture lacks a kind of schedule: {kinds:?}"
    );
    assert_eq!(Constant::new(0.3).learning_rate(1_000_000), 0.3);
}

/// Warm-up from 0.1 to a peak of 1 over 4 steps, then 10 steps of cosine decay.
#[test]
fn cosine_decay_with_linear_warmup() {
    let schedule = CosineDecay::new(1.0, 10).warmup(0.1, 4);
    let pi = std::f64::consts::PI;
    let expected = [
        (0, 0.1),
        (1, 0.325),
        (2, 0.55),
        (3, 0.775),
        (4, 1.0),
        (5, 0.5 * (1.0 + (pi / 10.0).cos())),
        (9, 0.5),
        (13, 0.5 * (1.0 + (0.9 * pi).cos())),
        (14, 0.0),
        (1000, 0.0),
    ];
    for (t, e) in expected {
        let ours = schedule.learning_rate(t);
        assert!((ours - e).abs() <= 1e-15, "t = {t}: {ours} vs {e}");
    }
    // Monotone up during warm-up, monotone down after.
    let rates: Vec<f64> = (0..20).map(|t| schedule.learning_rate(t)).collect();
    assert!(rates[..5].windows(2).all(|w| w[0] < w[1]));
    assert!(rates[4..].windows(2).all(|w| w[0] >= w[1]));

    // With alpha the floor is alpha * peak; without warm-up it starts at the peak.
    let floored = CosineDecay::new(2.0, 10).alpha(0.1);
    assert_eq!(floored.learning_rate(0), 2.0);
    assert!((floored.learning_rate(5) - 2.0 * (0.9 * 0.5 + 0.1)).abs() <= 1e-15);
    assert!((floored.learning_rate(10) - 0.2).abs() <= 1e-15);
    assert!((floored.learning_rate(99) - 0.2).abs() <= 1e-15);
}

type Layer = Dense<f64, 2, 1, Identity>;
type Grad = DenseGrad<f64, 2, 1>;

/// Per step, the rate used by update `k` is `schedule(k)`, and the parameters move by it.
#[test]
fn scheduled_per_step_sets_the_rate_of_each_update() {
    let mut layer = <Layer as Params<f64>>::ZERO;
    let mut grad = <Grad as Params<f64>>::ZERO;
    grad.fill(1.0);
    let schedule = StepDecay::new(0.4, 2, 0.5);
    let mut opt = Scheduled::per_step(Sgd::new(123.0), schedule);
    let mut position = 0.0;
    for k in 0..6 {
        assert_eq!(opt.learning_rate(), schedule.learning_rate(k));
        opt.update(&mut layer, &grad);
        position -= schedule.learning_rate(k);
        assert_eq!(layer.bias[0], position);
        opt.end_epoch(); // a per-step schedule ignores epochs
    }
    assert_eq!((opt.steps(), opt.position()), (6, 6));
    opt.reset();
    assert_eq!((opt.steps(), opt.position()), (0, 0));
    assert_eq!(opt.learning_rate(), 0.4);
}

/// Per epoch, the rate holds through an epoch's updates and moves at `end_epoch`.
#[test]
fn scheduled_per_epoch_advances_at_end_epoch() {
    let mut layer = <Layer as Params<f64>>::ZERO;
    let grad = <Grad as Params<f64>>::ZERO;
    let schedule = ExponentialDecay::new(1.0, 0.5);
    let mut opt = Scheduled::per_epoch(Adam::new(0.0), schedule);
    for epoch in 0..4 {
        for _ in 0..3 {
            assert_eq!(opt.learning_rate(), schedule.learning_rate(epoch));
            opt.update(&mut layer, &grad);
        }
        opt.end_epoch();
    }
    assert_eq!(opt.learning_rate(), 1.0 / 16.0);
    assert_eq!((opt.steps(), opt.position()), (12, 4));
}
