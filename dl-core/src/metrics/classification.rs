//! Precision, recall and F1 (macro-averaged, as scikit-learn's `average="macro"`; for one
//! output, of the positive class, as its `average="binary"`), and the confusion matrix.
//!
//! A sample's class is the argmax of its output (and of its one-hot target); with one output
//! it is binary, class 1 when the value is above `0.5`, as for [`Accuracy`](super::Accuracy).
//! For class `c`, with `tp` the samples of class `c` predicted as `c`:
//!
//! - precision `tp / predicted(c)`, recall `tp / actual(c)`, F1 `2 tp / (predicted(c) + actual(c))`;
//! - a class never predicted has precision 0, one never present recall 0 (scikit-learn's
//!   `zero_division=0`); the macro average is over the classes that occur in the targets or
//!   the predictions, as scikit-learn's default labels.
//!
//! ```
//! use dl_core::metrics::{score, ConfusionMatrix, F1, Precision, Recall};
//! use dl_core::prelude::*;
//!
//! let targets = [[1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.0, 1.0]].map(SVector::<f64, 2>::from);
//! let outputs = [[0.9, 0.1], [0.2, 0.8], [0.3, 0.7], [0.4, 0.6]].map(SVector::<f64, 2>::from);
//! // class 0: tp 1, predicted 1, actual 2; class 1: tp 2, predicted 3, actual 2
//! assert_eq!(score::<Precision, _, _>(&outputs, &targets), (1.0 + 2.0 / 3.0) / 2.0);
//! assert_eq!(score::<Recall, _, _>(&outputs, &targets), (0.5 + 1.0) / 2.0);
//! assert_eq!(score::<F1, _, _>(&outputs, &targets), (2.0 / 3.0 + 0.8) / 2.0);
//!
//! let mut matrix = ConfusionMatrix::<2>::new();
//! for (o, t) in outputs.iter().zip(&targets) {
//!     matrix.add(o.as_slice(), t.as_slice());
//! }
//! assert_eq!(matrix.counts, [[1, 1], [0, 2]]); // rows: actual class, columns: predicted
//! ```

use super::{argmax, Metric, MetricState};
use crate::float::Float;
use crate::network::Vector;
use core::fmt;

/// The class of an output or target: its argmax, or for one value `1` if above `0.5`.
pub fn class_of<T: Float>(v: &[T]) -> usize {
    if v.len() == 1 {
        usize::from(v[0] > T::cast(0.5))
    } else {
        argmax(v)
    }
}

/// Precision: of the samples predicted as a class, the fraction that are of it.
///
/// ```
/// use dl_core::metrics::score;
/// use dl_core::prelude::*;
/// // One sigmoid output: class 1 above 0.5. Predicted positive: samples 0, 1, 3; actual: 0, 3.
/// let outputs = [0.9, 0.8, 0.2, 0.6].map(|v| SVector::<f64, 1>::from([v]));
/// let targets = [1.0, 0.0, 0.0, 1.0].map(|v| SVector::<f64, 1>::from([v]));
/// let precision: f64 = score::<Precision, _, _>(&outputs, &targets);
/// assert!((precision - 2.0 / 3.0).abs() < 1e-15); // 2 of the 3 predicted positives
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct Precision;

/// Recall: of the samples of a class, the fraction predicted as it.
///
/// ```
/// use dl_core::metrics::score;
/// use dl_core::prelude::*;
/// // One sigmoid output: class 1 above 0.5. Predicted positive: samples 0, 1, 3; actual: 0, 3.
/// let outputs = [0.9, 0.8, 0.2, 0.6].map(|v| SVector::<f64, 1>::from([v]));
/// let targets = [1.0, 0.0, 0.0, 1.0].map(|v| SVector::<f64, 1>::from([v]));
/// let recall: f64 = score::<Recall, _, _>(&outputs, &targets);
/// assert_eq!(recall, 1.0); // both positives found
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct Recall;

/// F1: the harmonic mean of precision and recall, per class.
///
/// ```
/// use dl_core::metrics::score;
/// use dl_core::prelude::*;
/// // One sigmoid output: class 1 above 0.5. Predicted positive: samples 0, 1, 3; actual: 0, 3.
/// let outputs = [0.9, 0.8, 0.2, 0.6].map(|v| SVector::<f64, 1>::from([v]));
/// let targets = [1.0, 0.0, 0.0, 1.0].map(|v| SVector::<f64, 1>::from([v]));
/// let f1: f64 = score::<F1, _, _>(&outputs, &targets);
/// assert!((f1 - 0.8).abs() < 1e-15); // 2 (2/3 x 1) / (2/3 + 1)
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct F1;

/// Per-class counts for [`Precision`], [`Recall`] and [`F1`], one entry a class in an
/// output-shaped vector (counts held as scalars: exact up to 2^24 samples in `f32`). With one
/// output, entry 0 counts the positive class.
#[derive(Clone, Debug)]
pub struct ClassCounts<O, const KIND: u8> {
    true_positives: O,
    predicted: O,
    actual: O,
}

const PRECISION: u8 = 0;
const RECALL: u8 = 1;
const F1_SCORE: u8 = 2;

impl Metric for Precision {
    const NAME: &'static str = "precision";
    const HIGHER_IS_BETTER: bool = true;
    type State<T: Float, O: Vector<T>> = ClassCounts<O, PRECISION>;
}

impl Metric for Recall {
    const NAME: &'static str = "recall";
    const HIGHER_IS_BETTER: bool = true;
    type State<T: Float, O: Vector<T>> = ClassCounts<O, RECALL>;
}

impl Metric for F1 {
    const NAME: &'static str = "f1";
    const HIGHER_IS_BETTER: bool = true;
    type State<T: Float, O: Vector<T>> = ClassCounts<O, F1_SCORE>;
}

impl<T: Float, O: Vector<T>, const KIND: u8> MetricState<T, O> for ClassCounts<O, KIND> {
    fn new() -> Self {
        ClassCounts {
            true_positives: O::ZERO,
            predicted: O::ZERO,
            actual: O::ZERO,
        }
    }

    fn add(&mut self, output: &O, target: &O) {
        let (predicted, actual) = (class_of(output.as_slice()), class_of(target.as_slice()));
        // One output: only the positive class (1) is counted, in entry 0.
        let binary = O::LEN == 1;
        let entry = |class: usize| {
            if binary {
                class.checked_sub(1)
            } else {
                Some(class)
            }
        };
        if let Some(p) = entry(predicted) {
            self.predicted.as_mut_slice()[p] += T::ONE;
            if predicted == actual {
                self.true_positives.as_mut_slice()[p] += T::ONE;
            }
        }
        if let Some(a) = entry(actual) {
            self.actual.as_mut_slice()[a] += T::ONE;
        }
    }

    fn value(&self) -> T {
        let classes = self.true_positives.as_slice().iter();
        let counts = classes
            .zip(self.predicted.as_slice())
            .zip(self.actual.as_slice());
        let (mut sum, mut n) = (0.0, 0usize);
        for ((&tp, &predicted), &actual) in counts {
            let (tp, predicted, actual) = (tp.as_f64(), predicted.as_f64(), actual.as_f64());
            if predicted + actual == 0.0 && O::LEN > 1 {
                continue;
            }
            let (num, den) = match KIND {
                PRECISION => (tp, predicted),
                RECALL => (tp, actual),
                _ => (2.0 * tp, predicted + actual),
            };
            sum += if den > 0.0 { num / den } else { 0.0 };
            n += 1;
        }
        if n == 0 {
            T::cast(f64::NAN)
        } else {
            T::cast(sum / n as f64)
        }
    }
}

/// Counts of (actual class, predicted class) pairs over `C` classes: `counts[actual][predicted]`
/// (scikit-learn's `confusion_matrix`). With one output use `C = 2` (negative, positive).
///
/// ```
/// use dl_core::prelude::*;
/// let mut matrix = ConfusionMatrix::<3>::new();
/// for (output, target) in [
///     ([0.7, 0.2, 0.1], [1.0, 0.0, 0.0]),
///     ([0.1, 0.8, 0.1], [0.0, 1.0, 0.0]),
///     ([0.5, 0.3, 0.2], [0.0, 0.0, 1.0]), // a 2 taken for a 0
/// ] {
///     matrix.add::<f32>(&output, &target);
/// }
/// assert_eq!(matrix.counts, [[1, 0, 0], [0, 1, 0], [1, 0, 0]]);
/// assert_eq!((matrix.precision(0), matrix.recall(2)), (0.5, 0.0));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConfusionMatrix<const C: usize> {
    /// `counts[actual][predicted]`.
    pub counts: [[u64; C]; C],
}

impl<const C: usize> Default for ConfusionMatrix<C> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const C: usize> ConfusionMatrix<C> {
    /// No samples yet.
    pub const fn new() -> Self {
        ConfusionMatrix {
            counts: [[0; C]; C],
        }
    }

    /// Adds one sample (classes as [`class_of`]); a class outside `0..C` is ignored.
    pub fn add<T: Float>(&mut self, output: &[T], target: &[T]) {
        let (predicted, actual) = (class_of(output), class_of(target));
        if predicted < C && actual < C {
            self.counts[actual][predicted] += 1;
        }
    }

    /// The number of samples added.
    pub fn total(&self) -> u64 {
        self.counts.iter().flatten().sum()
    }

    /// The fraction on the diagonal; NaN if empty.
    pub fn accuracy(&self) -> f64 {
        let correct: u64 = (0..C).map(|c| self.counts[c][c]).sum();
        correct as f64 / self.total() as f64
    }

    /// Precision of class `c` (0 if never predicted).
    pub fn precision(&self, c: usize) -> f64 {
        let predicted: u64 = (0..C).map(|a| self.counts[a][c]).sum();
        ratio(self.counts[c][c], predicted)
    }

    /// Recall of class `c` (0 if never present).
    pub fn recall(&self, c: usize) -> f64 {
        ratio(self.counts[c][c], self.counts[c].iter().sum())
    }

    /// F1 of class `c` (0 if neither predicted nor present).
    pub fn f1(&self, c: usize) -> f64 {
        let predicted: u64 = (0..C).map(|a| self.counts[a][c]).sum();
        let actual: u64 = self.counts[c].iter().sum();
        ratio(2 * self.counts[c][c], predicted + actual)
    }
}

fn ratio(num: u64, den: u64) -> f64 {
    if den == 0 {
        0.0
    } else {
        num as f64 / den as f64
    }
}

/// The matrix as a table: one row an actual class, one column a predicted class.
impl<const C: usize> fmt::Display for ConfusionMatrix<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let width = self
            .counts
            .iter()
            .flatten()
            .max()
            .map_or(1, |m| digits(*m))
            .max(2);
        write!(f, "actual \\ predicted")?;
        for c in 0..C {
            write!(f, " {c:>width$}")?;
        }
        for (a, row) in self.counts.iter().enumerate() {
            write!(f, "\n{a:>18}")?;
            for n in row {
                write!(f, " {n:>width$}")?;
            }
        }
        Ok(())
    }
}

fn digits(mut n: u64) -> usize {
    let mut d = 1;
    while n >= 10 {
        n /= 10;
        d += 1;
    }
    d
}
