//! Variants without a fixture case, checked against closed forms under a constant gradient.

use super::*;

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
