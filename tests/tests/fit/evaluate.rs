//! `predict`, `evaluate` and each metric on hand-computed values.

use super::*;

#[test]
fn predict_writes_every_output_and_checks_lengths() {
    let net = Classifier::<f32>::new(3);
    let (xs, _) = blobs();
    let mut out = vec![V2::zeros(); xs.len()];
    predict(&net, &xs, &mut out).unwrap();
    for (x, y) in xs.iter().zip(&out) {
        assert_eq!(*y, net.forward(x));
    }
    assert_eq!(predict_all(&net, &xs), out);
    assert_eq!(
        predict(&net, &xs, &mut out[..5]).unwrap_err(),
        Error::Length {
            what: Operand::Outputs,
            expected: 24,
            found: 5
        }
    );
}

#[test]
fn evaluate_is_the_mean_loss_and_the_metric() {
    let net = Classifier::<f64>::new(3);
    let mut rng = Rng::new(1);
    let xs: Vec<SVector<f64, 2>> = (0..10)
        .map(|_| SVector::<f64, 2>::new(rng.uniform_in(-1.0, 1.0), rng.uniform_in(-1.0, 1.0)))
        .collect();
    let ys: Vec<SVector<f64, 2>> = (0..10)
        .map(|i| SVector::<f64, 2>::new((i % 2) as f64, (1 - i % 2) as f64))
        .collect();
    let eval = evaluate::<CrossEntropy, Accuracy, _>(&net, Data::new(&xs, &ys).unwrap());
    let outputs: Vec<_> = xs.iter().map(|x| net.forward(x)).collect();
    let loss: f64 = outputs
        .iter()
        .zip(&ys)
        .map(|(p, y)| -(y[0] * p[0].ln() + y[1] * p[1].ln()))
        .sum::<f64>()
        / 10.0;
    approx::assert_relative_eq!(eval.loss, loss, max_relative = 1e-12);
    assert_eq!(eval.metric, score::<Accuracy, _, _>(&outputs, &ys));
}

fn v<const K: usize>(x: [f64; K]) -> SVector<f64, K> {
    SVector::from(x)
}

#[test]
fn accuracy_by_argmax_and_by_threshold() {
    let outputs = [
        v([0.1, 0.7, 0.2]),
        v([0.5, 0.3, 0.2]),
        v([0.2, 0.2, 0.6]),
        v([0.3, 0.4, 0.3]),
    ];
    let targets = [
        v([0.0, 1.0, 0.0]),
        v([0.0, 1.0, 0.0]),
        v([0.0, 0.0, 1.0]),
        v([1.0, 0.0, 0.0]),
    ];
    assert_eq!(score::<Accuracy, f64, _>(&outputs, &targets), 0.5);

    let outputs = [v([0.9]), v([0.4]), v([0.51]), v([0.2]), v([0.6])];
    let targets = [v([1.0]), v([1.0]), v([1.0]), v([0.0]), v([0.0])];
    assert_eq!(score::<Accuracy, f64, _>(&outputs, &targets), 0.6);

    assert!(score::<Accuracy, f64, SVector<f64, 1>>(&[], &[]).is_nan());
}

#[test]
fn mse_and_mae_over_every_element() {
    let outputs = [v([1.0, 2.0]), v([0.0, -1.0])];
    let targets = [v([0.0, 4.0]), v([0.5, -1.0])];
    // errors: 1, -2, -0.5, 0
    assert_eq!(
        score::<MeanSquaredError, f64, _>(&outputs, &targets),
        (1.0 + 4.0 + 0.25) / 4.0
    );
    assert_eq!(
        score::<MeanAbsoluteError, f64, _>(&outputs, &targets),
        (1.0 + 2.0 + 0.5) / 4.0
    );
}

#[test]
fn r_squared_as_scikit_learn() {
    // y = [3, -0.5, 2, 7], o = [2.5, 0, 2, 8]: scikit-learn's r2_score docstring gives 0.948...
    let targets = [v([3.0]), v([-0.5]), v([2.0]), v([7.0])];
    let outputs = [v([2.5]), v([0.0]), v([2.0]), v([8.0])];
    let ss_res = 0.25 + 0.25 + 0.0 + 1.0;
    let mean = 11.5 / 4.0;
    let ss_tot: f64 = [3.0, -0.5, 2.0, 7.0]
        .iter()
        .map(|y: &f64| (y - mean).powi(2))
        .sum();
    let r2: f64 = score::<RSquared, f64, _>(&outputs, &targets);
    approx::assert_relative_eq!(r2, 1.0 - ss_res / ss_tot, max_relative = 1e-14);
    approx::assert_relative_eq!(r2, 0.9486081370449679, max_relative = 1e-14);

    // Two outputs: the average of each output's R²; a constant target predicted exactly is 1.
    let targets = [v([0.5, 1.0]), v([-1.0, 1.0]), v([7.0, 1.0])];
    let outputs = [v([0.0, 1.0]), v([-1.0, 1.0]), v([8.0, 1.0])];
    let m = 6.5 / 3.0;
    let ss_tot: f64 = [0.5, -1.0, 7.0].iter().map(|y: &f64| (y - m).powi(2)).sum();
    let first = 1.0 - (0.25 + 0.0 + 1.0) / ss_tot;
    let r2: f64 = score::<RSquared, f64, _>(&outputs, &targets);
    approx::assert_relative_eq!(r2, (first + 1.0) / 2.0, max_relative = 1e-14);

    // Predicting the mean scores 0; a constant target predicted wrongly scores 0.
    let outputs = [v([m, 2.0]); 3];
    let r2: f64 = score::<RSquared, f64, _>(&outputs, &targets);
    approx::assert_abs_diff_eq!(r2, 0.0, epsilon = 1e-14);

    // Streaming gives the same as the one-shot score.
    let mut state = <RSquared as Metric>::State::<f64, SVector<f64, 2>>::new();
    for (o, t) in outputs.iter().zip(&targets) {
        state.add(o, t);
    }
    assert_eq!(state.value(), r2);
}
