//! Metrics: how good a network's outputs are, in the units a person reads (accuracy, error,
//! explained variance), as opposed to the loss an optimizer follows.
//!
//! Every metric is computed in one streaming pass by a fixed-size [`MetricState`], so
//! [`evaluate`](crate::fit::evaluate) and [`fit`](crate::fit::fit_with) need no heap. A metric
//! is named by a zero-sized type ([`Accuracy`], [`MeanSquaredError`], [`MeanAbsoluteError`],
//! [`RSquared`], [`Precision`], [`Recall`], [`F1`]) whose [`Metric::State`] does the counting;
//! [`score`] runs one over slices, and [`evaluate_metrics`] a tuple of them over a network's
//! outputs in one pass. [`ConfusionMatrix`] counts every (actual, predicted) pair.

mod classification;
mod set;

pub use classification::{class_of, ClassCounts, ConfusionMatrix, Precision, Recall, F1};
pub use set::{evaluate_metrics, Metrics, MetricsState, Scores};

use crate::float::Float;
use crate::network::Vector;

/// A metric, named by a zero-sized type.
///
/// ```
/// use dl_core::metrics::score;
/// use dl_core::prelude::*;
/// let outputs = [[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]].map(SVector::<f64, 2>::from);
/// let targets = [[1.0, 0.0], [0.0, 1.0], [0.0, 1.0]].map(SVector::<f64, 2>::from);
/// assert_eq!(score::<Accuracy, _, _>(&outputs, &targets), 2.0 / 3.0);
/// assert!(Accuracy::HIGHER_IS_BETTER && !MeanSquaredError::HIGHER_IS_BETTER);
/// ```
pub trait Metric {
    /// Its name, for tables and curves, e.g. `"accuracy"`.
    const NAME: &'static str;
    /// Whether a larger value is better (accuracy, R²) or worse (MSE, MAE).
    const HIGHER_IS_BETTER: bool;
    /// The running sums for outputs and targets of type `O` with scalars `T`.
    type State<T: Float, O: Vector<T>>: MetricState<T, O>;
}

/// The running sums of a metric over `(output, target)` pairs.
pub trait MetricState<T: Float, O: Vector<T>> {
    /// Nothing seen yet.
    fn new() -> Self;
    /// Adds one sample.
    fn add(&mut self, output: &O, target: &O);
    /// The metric over every sample added so far; NaN if none was.
    fn value(&self) -> T;
}

/// The metric `M` of `outputs` against `targets` (pairs beyond the shorter slice are ignored;
/// NaN if there are none).
pub fn score<M: Metric, T: Float, O: Vector<T>>(outputs: &[O], targets: &[O]) -> T {
    let mut state = M::State::<T, O>::new();
    for (o, t) in outputs.iter().zip(targets) {
        state.add(o, t);
    }
    state.value()
}

/// The index of the largest element (the first one on ties; NaN never wins).
#[inline]
pub fn argmax<T: Float>(v: &[T]) -> usize {
    let mut best = 0;
    for (i, &x) in v.iter().enumerate().skip(1) {
        if x > v[best] {
            best = i;
        }
    }
    best
}

/// Classification accuracy: the fraction of samples whose predicted class is the target's.
///
/// With several outputs the class is the argmax (of the output, and of the one-hot target).
/// With one output it is binary: class 1 when the value is above `0.5`, for output and target
/// alike (a sigmoid output against a 0/1 label).
///
/// ```
/// use dl_core::metrics::score;
/// use dl_core::prelude::*;
/// let outputs = [[0.8, 0.2], [0.3, 0.7], [0.6, 0.4]].map(SVector::<f32, 2>::from);
/// let targets = [[1.0, 0.0], [0.0, 1.0], [0.0, 1.0]].map(SVector::<f32, 2>::from);
/// let accuracy: f32 = score::<Accuracy, _, _>(&outputs, &targets); // argmax: 2 of 3 right
/// assert!((accuracy - 2.0 / 3.0).abs() < 1e-6);
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct Accuracy;

/// [`Accuracy`]'s counts.
#[derive(Clone, Copy, Debug, Default)]
pub struct AccuracyState {
    correct: usize,
    total: usize,
}

impl Metric for Accuracy {
    const NAME: &'static str = "accuracy";
    const HIGHER_IS_BETTER: bool = true;
    type State<T: Float, O: Vector<T>> = AccuracyState;
}

impl<T: Float, O: Vector<T>> MetricState<T, O> for AccuracyState {
    fn new() -> Self {
        AccuracyState::default()
    }

    #[inline]
    fn add(&mut self, output: &O, target: &O) {
        let (o, t) = (output.as_slice(), target.as_slice());
        let hit = if o.len() == 1 {
            let half = T::cast(0.5);
            (o[0] > half) == (t[0] > half)
        } else {
            argmax(o) == argmax(t)
        };
        self.correct += usize::from(hit);
        self.total += 1;
    }

    fn value(&self) -> T {
        ratio(self.correct as f64, self.total)
    }
}

/// `sum / count` as `T`, NaN when `count` is 0.
#[inline]
fn ratio<T: Float>(sum: f64, count: usize) -> T {
    if count == 0 {
        T::cast(f64::NAN)
    } else {
        T::cast(sum / count as f64)
    }
}

/// Mean squared error over every output element of every sample: `(1/nk) sum (o - y)^2`.
///
/// ```
/// use dl_core::metrics::score;
/// use dl_core::prelude::*;
/// let outputs = [1.0, 2.0, 4.0].map(|v| SVector::<f64, 1>::from([v]));
/// let targets = [1.0, 3.0, 3.0].map(|v| SVector::<f64, 1>::from([v]));
/// let mse: f64 = score::<MeanSquaredError, _, _>(&outputs, &targets);
/// assert!((mse - 2.0 / 3.0).abs() < 1e-15); // (0 + 1 + 1) / 3
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct MeanSquaredError;

/// Mean absolute error over every output element of every sample: `(1/nk) sum |o - y|`.
///
/// ```
/// use dl_core::metrics::score;
/// use dl_core::prelude::*;
/// let outputs = [1.0, 2.0, 5.0].map(|v| SVector::<f64, 1>::from([v]));
/// let targets = [1.0, 3.0, 3.0].map(|v| SVector::<f64, 1>::from([v]));
/// let mae: f64 = score::<MeanAbsoluteError, _, _>(&outputs, &targets);
/// assert_eq!(mae, 1.0); // (0 + 1 + 2) / 3
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct MeanAbsoluteError;

/// The running sum of a per-element error, accumulated in `f64`.
#[derive(Clone, Copy, Debug)]
pub struct ErrorSum<const SQUARED: bool> {
    sum: f64,
    count: usize,
}

impl Metric for MeanSquaredError {
    const NAME: &'static str = "mse";
    const HIGHER_IS_BETTER: bool = false;
    type State<T: Float, O: Vector<T>> = ErrorSum<true>;
}

impl Metric for MeanAbsoluteError {
    const NAME: &'static str = "mae";
    const HIGHER_IS_BETTER: bool = false;
    type State<T: Float, O: Vector<T>> = ErrorSum<false>;
}

impl<T: Float, O: Vector<T>, const SQUARED: bool> MetricState<T, O> for ErrorSum<SQUARED> {
    fn new() -> Self {
        ErrorSum { sum: 0.0, count: 0 }
    }

    #[inline]
    fn add(&mut self, output: &O, target: &O) {
        for (&o, &t) in output.as_slice().iter().zip(target.as_slice()) {
            let e = o.as_f64() - t.as_f64();
            self.sum += if SQUARED { e * e } else { e.abs() };
            self.count += 1;
        }
    }

    fn value(&self) -> T {
        ratio(self.sum, self.count)
    }
}

/// The coefficient of determination, `R² = 1 - SS_res / SS_tot` with
/// `SS_res = sum (y - o)^2` and `SS_tot = sum (y - mean(y))^2`, as scikit-learn's `r2_score`:
/// with several outputs, the average of each output's R²; an output whose targets are all
/// equal scores 1 if predicted exactly and 0 otherwise.
///
/// 1 is a perfect fit, 0 is no better than predicting the mean, and it is negative when worse.
///
/// ```
/// use dl_core::metrics::score;
/// use dl_core::prelude::*;
/// let outputs = [1.0, 2.0, 4.0].map(|v| SVector::<f64, 1>::from([v]));
/// let targets = [1.0, 3.0, 3.0].map(|v| SVector::<f64, 1>::from([v]));
/// // SS_res = 2, SS_tot = 24/9 around the mean 7/3: R² = 1 - 18/24.
/// let r2: f64 = score::<RSquared, _, _>(&outputs, &targets);
/// assert!((r2 - 0.25).abs() < 1e-12);
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct RSquared;

/// [`RSquared`]'s sums, one per output: the targets' running mean and squared deviation
/// (Welford's update, which does not cancel) and the residual sum of squares.
#[derive(Clone, Debug)]
pub struct RSquaredState<O> {
    count: usize,
    mean: O,
    deviation: O,
    residual: O,
}

impl Metric for RSquared {
    const NAME: &'static str = "r2";
    const HIGHER_IS_BETTER: bool = true;
    type State<T: Float, O: Vector<T>> = RSquaredState<O>;
}

impl<T: Float, O: Vector<T>> MetricState<T, O> for RSquaredState<O> {
    fn new() -> Self {
        RSquaredState {
            count: 0,
            mean: O::ZERO,
            deviation: O::ZERO,
            residual: O::ZERO,
        }
    }

    #[inline]
    fn add(&mut self, output: &O, target: &O) {
        self.count += 1;
        let n = T::cast(self.count as f64);
        let outputs = output.as_slice().iter().zip(target.as_slice());
        let sums = self.mean.as_mut_slice().iter_mut();
        let sums = sums.zip(self.deviation.as_mut_slice().iter_mut());
        for (((&o, &y), (mean, dev)), res) in outputs.zip(sums).zip(self.residual.as_mut_slice()) {
            let before = y - *mean;
            *mean += before / n;
            *dev += before * (y - *mean);
            *res += (y - o) * (y - o);
        }
    }

    fn value(&self) -> T {
        if self.count == 0 {
            return T::cast(f64::NAN);
        }
        let pairs = self
            .residual
            .as_slice()
            .iter()
            .zip(self.deviation.as_slice());
        let total: f64 = pairs
            .map(|(&res, &dev)| {
                let (res, dev) = (res.as_f64(), dev.as_f64());
                if dev > 0.0 {
                    1.0 - res / dev
                } else if res == 0.0 {
                    1.0
                } else {
                    0.0
                }
            })
            .sum();
        T::cast(total / O::LEN as f64)
    }
}
