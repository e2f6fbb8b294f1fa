//! Precision, recall, F1 and the confusion matrix against scikit-learn's documented examples
//! (`precision_score`, `recall_score`, `f1_score` with `average="macro"`, and
//! `confusion_matrix`), and the binary (one-output) form against hand counts.

use dl_core::metrics::{score, ConfusionMatrix, Metric, MetricState, Precision, Recall, F1};
use dl_core::prelude::*;

fn one_hot(classes: &[usize]) -> Vec<SVector<f64, 3>> {
    classes
        .iter()
        .map(|&c| SVector::from_fn(|i, _| if i == c { 1.0 } else { 0.0 }))
        .collect()
}

/// scikit-learn's docs: y_true = [0, 1, 2, 0, 1, 2], y_pred = [0, 2, 1, 0, 0, 1] gives macro
/// precision 0.22, recall 0.33, F1 0.26 (2/9, 1/3, 4/15).
#[test]
fn macro_scores_match_scikit_learn() {
    let targets = one_hot(&[0, 1, 2, 0, 1, 2]);
    let outputs = one_hot(&[0, 2, 1, 0, 0, 1]);
    let close = |a: f64, b: f64| assert!((a - b).abs() < 1e-15, "{a} vs {b}");
    close(score::<Precision, _, _>(&outputs, &targets), 2.0 / 9.0);
    close(score::<Recall, _, _>(&outputs, &targets), 1.0 / 3.0);
    close(score::<F1, _, _>(&outputs, &targets), 4.0 / 15.0);
}

/// scikit-learn's docs: y_true = [2, 0, 2, 2, 0, 1], y_pred = [0, 0, 2, 2, 0, 2] gives
/// [[2, 0, 0], [0, 0, 1], [1, 0, 2]].
#[test]
fn confusion_matrix_matches_scikit_learn() {
    let targets = one_hot(&[2, 0, 2, 2, 0, 1]);
    let outputs = one_hot(&[0, 0, 2, 2, 0, 2]);
    let mut m = ConfusionMatrix::<3>::new();
    for (o, t) in outputs.iter().zip(&targets) {
        m.add(o.as_slice(), t.as_slice());
    }
    assert_eq!(m.counts, [[2, 0, 0], [0, 0, 1], [1, 0, 2]]);
    assert_eq!(m.total(), 6);
    assert_eq!(m.accuracy(), 4.0 / 6.0);
    assert_eq!(m.precision(2), 2.0 / 3.0);
    assert_eq!(m.recall(1), 0.0);
    assert_eq!(m.f1(0), 2.0 * 2.0 / (3.0 + 2.0));
    let text = m.to_string();
    assert_eq!(text.lines().count(), 4, "{text}");
}

/// One output: the positive class only. Predictions (> 0.5) 1, 1, 0, 1, 0 against labels
/// 1, 0, 0, 1, 1: tp 2, predicted 3, actual 3.
#[test]
fn one_output_scores_the_positive_class() {
    let outputs = [0.9, 0.6, 0.2, 0.7, 0.4].map(|v| SVector::<f32, 1>::from([v]));
    let targets = [1.0, 0.0, 0.0, 1.0, 1.0].map(|v| SVector::<f32, 1>::from([v]));
    assert_eq!(score::<Precision, _, _>(&outputs, &targets), 2.0 / 3.0);
    assert_eq!(score::<Recall, _, _>(&outputs, &targets), 2.0 / 3.0);
    assert_eq!(score::<F1, _, _>(&outputs, &targets), 2.0 / 3.0);
    let mut m = ConfusionMatrix::<2>::new();
    for (o, t) in outputs.iter().zip(&targets) {
        m.add(o.as_slice(), t.as_slice());
    }
    assert_eq!(m.counts, [[1, 1], [1, 2]]);
}

/// No positive prediction: precision 0 (scikit-learn's zero_division=0); no sample: NaN.
#[test]
fn empty_and_degenerate_cases() {
    let outputs = [SVector::<f64, 1>::from([0.1])];
    let targets = [SVector::<f64, 1>::from([1.0])];
    assert_eq!(score::<Precision, _, _>(&outputs, &targets), 0.0);
    assert_eq!(score::<Recall, _, _>(&outputs, &targets), 0.0);
    let state = <F1 as Metric>::State::<f64, SVector<f64, 3>>::new();
    assert!(state.value().is_nan());
}
