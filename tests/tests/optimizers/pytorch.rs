//! Every fixture case against PyTorch's float64 trajectory, every hyper-parameter shown to
//! matter, and `reset`.

use super::*;

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
