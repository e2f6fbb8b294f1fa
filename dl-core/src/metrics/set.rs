//! Several metrics in one pass: a tuple of metric types, `(Accuracy, Precision, Recall, F1)`
//! or `(MeanSquaredError, MeanAbsoluteError, RSquared)`, counted side by side in a fixed-size
//! state, no heap.
//!
//! ```
//! use dl_core::metrics::{evaluate_metrics, Metrics, F1, Precision, Recall};
//! use dl_core::prelude::*;
//!
//! network! {
//!     struct Classifier { Dense<2, 3, Softmax> }
//! }
//!
//! let xs = [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]].map(SVector::<f32, 2>::from);
//! let ys = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]].map(SVector::<f32, 3>::from);
//! let net = Classifier::<f32>::new(1);
//! type Report = (Accuracy, Precision, Recall, F1);
//! let scores = evaluate_metrics::<Report, _>(&net, Data::new(&xs, &ys)?);
//! for (name, value) in Report::NAMES.iter().zip(scores) {
//!     assert!((0.0..=1.0).contains(&value), "{name} {value}");
//! }
//! # Ok::<(), dl_core::error::Error>(())
//! ```

use super::{Metric, MetricState};
use crate::fit::Data;
use crate::float::Float;
use crate::network::{Network, Vector};
use crate::stack::ByValue;

/// A tuple of [`Metric`]s measured together.
pub trait Metrics {
    /// The metrics' names, in order.
    const NAMES: &'static [&'static str];
    /// Their states side by side.
    type State<T: Float, O: Vector<T>>: MetricsState<T, O>;
}

/// The running sums of a tuple of metrics.
pub trait MetricsState<T: Float, O: Vector<T>> {
    /// The values, one a metric: `[T; K]`.
    type Values: AsRef<[T]> + Copy;
    /// Nothing seen yet.
    fn new() -> Self;
    /// Adds one sample to every metric.
    fn add(&mut self, output: &O, target: &O);
    /// Every metric's value so far.
    fn values(&self) -> Self::Values;
}

macro_rules! tuple_metrics {
    ($k:literal: $($m:ident $i:tt),+) => {
        impl<$($m: Metric),+> Metrics for ($($m,)+) {
            const NAMES: &'static [&'static str] = &[$($m::NAME),+];
            type State<T: Float, O: Vector<T>> = ($($m::State<T, O>,)+);
        }

        impl<T: Float, O: Vector<T>, $($m: MetricState<T, O>),+> MetricsState<T, O> for ($($m,)+) {
            type Values = [T; $k];
            fn new() -> Self {
                ($($m::new(),)+)
            }
            fn add(&mut self, output: &O, target: &O) {
                $(self.$i.add(output, target);)+
            }
            fn values(&self) -> [T; $k] {
                [$(self.$i.value()),+]
            }
        }
    };
}

tuple_metrics!(1: A 0);

/// No metric: a run that records only its losses (a [`Trainer`](crate::fit::Trainer) before
/// `.metrics(...)`).
impl Metrics for () {
    const NAMES: &'static [&'static str] = &[];
    type State<T: Float, O: Vector<T>> = ();
}

impl<T: Float, O: Vector<T>> MetricsState<T, O> for () {
    type Values = [T; 0];
    fn new() -> Self {}
    fn add(&mut self, _: &O, _: &O) {}
    fn values(&self) -> [T; 0] {
        []
    }
}

/// One metric is a tuple of one: `fit::<L, Accuracy, ...>` and `.metrics(Accuracy)`.
impl<M: Metric> Metrics for M {
    const NAMES: &'static [&'static str] = &[M::NAME];
    type State<T: Float, O: Vector<T>> = (M::State<T, O>,);
}
tuple_metrics!(2: A 0, B 1);
tuple_metrics!(3: A 0, B 1, C 2);
tuple_metrics!(4: A 0, B 1, C 2, D 3);
tuple_metrics!(5: A 0, B 1, C 2, D 3, E 4);
tuple_metrics!(6: A 0, B 1, C 2, D 3, E 4, F 5);
tuple_metrics!(7: A 0, B 1, C 2, D 3, E 4, F 5, G 6);

/// The values [`evaluate_metrics`] returns for the tuple `S` on network `N`: `[N::Scalar; K]`.
pub type Scores<S, N> =
    <<S as Metrics>::State<<N as Network>::Scalar, <N as Network>::Output> as MetricsState<
        <N as Network>::Scalar,
        <N as Network>::Output,
    >>::Values;

/// Every metric of the tuple `S` on `net`'s outputs for `data`, in one pass (`S::NAMES`
/// names them). Over the [stack budget](crate::stack) (with `alloc`), the forward passes share
/// one heap cache.
pub fn evaluate_metrics<S: Metrics, N: Network + ByValue>(
    net: &N,
    data: Data<'_, N::Input, N::Output>,
) -> Scores<S, N> {
    let mut state = S::State::<N::Scalar, N::Output>::new();
    #[cfg(feature = "alloc")]
    if N::FORWARD_STACK_BYTES > N::STACK_BUDGET {
        let mut cache = crate::scratch::cache::<N>();
        for (x, y) in data.inputs().iter().zip(data.targets()) {
            net.forward_eval(x, &mut cache);
            state.add(N::output(&cache), y);
        }
        return state.values();
    }
    for (x, y) in data.inputs().iter().zip(data.targets()) {
        state.add(&net.forward(x), y);
    }
    state.values()
}
