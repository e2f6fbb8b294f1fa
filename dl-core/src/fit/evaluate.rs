//! Keras's `evaluate` and `predict`: a network's loss and metrics on a data set, and its
//! outputs for a batch of inputs.

use super::{Data, Evaluation, MetricValues};
use crate::error::{Error, Operand};
use crate::float::Float;
use crate::loss::Loss;
use crate::metrics::{Metric, MetricState, Metrics, MetricsState};
use crate::network::{Network, Vector};
use crate::stack::ByValue;

/// The mean loss `L` and the metric `M` of `net` on `data`, using `cache` (the caller's, e.g.
/// a workspace's) for the forward passes; the loss is computed from the pre-activations, as
/// in training. The form of [`evaluate`] that runs for any size without a heap.
///
/// ```
/// use dl_core::prelude::*;
/// network! { struct Net { Dense<2, 2, Softmax> } }
/// let xs = [[1.0, 0.0], [0.0, 1.0]].map(SVector::<f32, 2>::from);
/// let ys = [[1.0, 0.0], [0.0, 1.0]].map(SVector::<f32, 2>::from);
/// let net = Net::<f32>::new(1);
/// let mut ws = Workspace::<Net<f32>>::new(); // any caller-owned cache will do
/// let result = evaluate_with::<CrossEntropy, Accuracy, _>(&net, Data::new(&xs, &ys)?, &mut ws.cache);
/// assert_eq!(result, evaluate::<CrossEntropy, Accuracy, _>(&net, Data::new(&xs, &ys)?));
/// # Ok::<(), dl_core::error::Error>(())
/// ```
pub fn evaluate_with<L: Loss, M: Metric, N: Network>(
    net: &N,
    data: Data<'_, N::Input, N::Output>,
    cache: &mut N::Cache,
) -> Evaluation<N::Scalar> {
    let mut metric = M::State::<N::Scalar, N::Output>::new();
    let mut total = 0.0;
    for (x, y) in data.inputs().iter().zip(data.targets()) {
        net.forward_eval(x, cache);
        total += N::loss::<L>(cache, y).as_f64();
        metric.add(N::output(cache), y);
    }
    Evaluation {
        loss: N::Scalar::cast(total / data.len() as f64),
        metric: metric.value(),
    }
}

/// The mean loss `L` and every metric of the tuple `S` in one pass over `data`, in `cache`:
/// what the training loop records after each epoch.
pub(super) fn measure_with<L: Loss, S: Metrics, N: Network>(
    net: &N,
    data: Data<'_, N::Input, N::Output>,
    cache: &mut N::Cache,
) -> (N::Scalar, MetricValues<N::Scalar>) {
    let mut metrics = S::State::<N::Scalar, N::Output>::new();
    let mut total = 0.0;
    for (x, y) in data.inputs().iter().zip(data.targets()) {
        net.forward_eval(x, cache);
        total += N::loss::<L>(cache, y).as_f64();
        metrics.add(N::output(cache), y);
    }
    let values = metrics.values();
    (
        N::Scalar::cast(total / data.len() as f64),
        MetricValues::from_slice(values.as_ref()),
    )
}

/// The mean loss `L` and the metric `M` of `net` on `data` (Keras's `evaluate`). Its cache
/// ([`EVALUATE_STACK_BYTES`](Network::EVALUATE_STACK_BYTES)) is on the stack under the
/// [stack budget](crate::stack), on the heap over it (with `alloc`; without, use
/// [`evaluate_with`]). For several metrics at once, see
/// [`evaluate_metrics`](crate::metrics::evaluate_metrics).
///
/// ```
/// use dl_core::prelude::*;
///
/// network! {
///     struct Threshold { Dense<1, 1, Sigmoid> }
/// }
///
/// let xs = [[-2.0], [-1.0], [1.0], [2.0]].map(SVector::<f64, 1>::from);
/// let ys = [[0.0], [0.0], [1.0], [1.0]].map(SVector::<f64, 1>::from);
/// let mut net = Threshold::<f64>::ZERO;
/// net.layer1.weight[0] = 5.0; // sigmoid(5x): above 0.5 exactly when x > 0
/// let result = evaluate::<BinaryCrossEntropy, Accuracy, _>(&net, Data::new(&xs, &ys)?);
/// assert_eq!(result.metric, 1.0);
/// assert!(result.loss < 0.01, "{}", result.loss);
/// # Ok::<(), dl_core::error::Error>(())
/// ```
pub fn evaluate<L: Loss, M: Metric, N: Network + ByValue>(
    net: &N,
    data: Data<'_, N::Input, N::Output>,
) -> Evaluation<N::Scalar> {
    #[cfg(feature = "alloc")]
    if N::EVALUATE_STACK_BYTES > N::STACK_BUDGET {
        return evaluate_with::<L, M, N>(net, data, &mut crate::scratch::cache::<N>());
    }
    evaluate_on_stack::<L, M, N>(net, data)
}

/// [`evaluate`] with its cache on the stack: a function of its own, so that its frame is
/// only entered under the budget.
fn evaluate_on_stack<L: Loss, M: Metric, N: Network>(
    net: &N,
    data: Data<'_, N::Input, N::Output>,
) -> Evaluation<N::Scalar> {
    let mut cache = N::CACHE_ZERO;
    evaluate_with::<L, M, N>(net, data, &mut cache)
}

/// Writes `net`'s output for each of `inputs` into `outputs` (Keras's `predict`), through
/// [`Network::forward`]; over the stack budget (with `alloc`) all samples share one heap
/// cache.
///
/// Errors: [`Error::Length`] if `outputs` is not as long as `inputs`.
///
/// ```
/// use dl_core::prelude::*;
///
/// network! {
///     struct Double { Dense<1, 1, Identity> }
/// }
///
/// let mut net = Double::<f32>::ZERO;
/// net.layer1.weight[0] = 2.0;
/// let inputs = [[1.0], [2.5]].map(SVector::<f32, 1>::from);
/// let mut outputs = [SVector::zeros(); 2];
/// predict(&net, &inputs, &mut outputs)?;
/// assert_eq!(outputs.map(|y| y[0]), [2.0, 5.0]);
/// assert!(predict(&net, &inputs, &mut outputs[..1]).is_err()); // a buffer too short
/// # Ok::<(), dl_core::error::Error>(())
/// ```
pub fn predict<N: Network + ByValue>(
    net: &N,
    inputs: &[N::Input],
    outputs: &mut [N::Output],
) -> Result<(), Error> {
    #[cfg(feature = "alloc")]
    if N::FORWARD_STACK_BYTES > N::STACK_BUDGET {
        return predict_with(net, inputs, outputs, &mut crate::scratch::cache::<N>());
    }
    same_length(inputs, outputs)?;
    for (x, y) in inputs.iter().zip(outputs) {
        *y = net.forward(x);
    }
    Ok(())
}

/// [`predict`] with the forward passes in `cache`, the caller's: any size, no heap.
///
/// Errors: [`Error::Length`] if `outputs` is not as long as `inputs`.
///
/// ```
/// use dl_core::prelude::*;
/// network! { struct Net { Dense<2, 1, Identity> } }
/// let net = Net::<f64>::new(1);
/// let xs = [[1.0, 2.0], [3.0, 4.0]].map(SVector::<f64, 2>::from);
/// let mut outputs = [SVector::<f64, 1>::zeros(); 2];
/// let mut ws = Workspace::<Net<f64>>::new();
/// predict_with(&net, &xs, &mut outputs, &mut ws.cache)?;
/// assert_eq!(outputs[1], net.forward(&xs[1]));
/// assert!(predict_with(&net, &xs, &mut outputs[..1], &mut ws.cache).is_err()); // too short
/// # Ok::<(), dl_core::error::Error>(())
/// ```
pub fn predict_with<N: Network>(
    net: &N,
    inputs: &[N::Input],
    outputs: &mut [N::Output],
    cache: &mut N::Cache,
) -> Result<(), Error> {
    same_length(inputs, outputs)?;
    for (x, y) in inputs.iter().zip(outputs) {
        net.forward_eval(x, cache);
        y.as_mut_slice()
            .copy_from_slice(N::output(cache).as_slice());
    }
    Ok(())
}

fn same_length<X, Y>(inputs: &[X], outputs: &[Y]) -> Result<(), Error> {
    if inputs.len() != outputs.len() {
        return Err(Error::Length {
            what: Operand::Outputs,
            expected: inputs.len(),
            found: outputs.len(),
        });
    }
    Ok(())
}

/// `net`'s output for each of `inputs`, in a new vector ([`predict`] into it).
///
/// ```
/// use dl_core::prelude::*;
///
/// network! {
///     struct Probabilities { Dense<3, 2, Softmax> }
/// }
///
/// let net = Probabilities::<f32>::new(4);
/// let outputs = predict_all(&net, &[SVector::from([1.0, 0.0, -1.0]); 5]);
/// assert_eq!(outputs.len(), 5);
/// assert!(outputs.iter().all(|p| (p.sum() - 1.0).abs() < 1e-6));
/// ```
#[cfg(feature = "alloc")]
pub fn predict_all<N: Network + ByValue>(
    net: &N,
    inputs: &[N::Input],
) -> alloc::vec::Vec<N::Output> {
    let mut outputs = crate::zeroed::boxed_slice::<N::Output>(inputs.len()).into_vec();
    // The lengths agree by construction.
    let _ = predict(net, inputs, &mut outputs);
    outputs
}
