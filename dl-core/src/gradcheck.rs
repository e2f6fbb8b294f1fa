//! Gradient checking: `backward` against central finite differences, on any network.

use crate::layer::DropoutMasks;
use crate::loss::Loss;
use crate::network::{Network, Params, Vector};
use crate::stack::ByValue;

/// The result of [`gradcheck`].
///
/// ```
/// use dl_core::prelude::*;
/// network! { struct Net { Dense<2, 3, Tanh>, Dense<3, 1, Identity> } }
/// let mut net = Net::<f64>::new(2);
/// let (x, y) = (SVector::from([0.4, -0.9]), SVector::from([0.5]));
/// let check = gradcheck::<_, Mse>(&mut net, &x, &y, 1e-6);
/// assert!(check.max_rel_error < 1e-6, "{check:?}");
/// assert_eq!(check.checked, Net::<f64>::PARAMS + 2);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GradCheck {
    /// The largest relative error over all tensors and the input gradient, where a tensor's
    /// relative error is `|g - n| / (|g| + |n|)` with `g` the analytic and `n` the numerical
    /// gradient as vectors (Euclidean norms; 0 when both are 0).
    pub max_rel_error: f64,
    /// The largest elementwise absolute difference `|g_i - n_i|`.
    pub max_abs_error: f64,
    /// The tensor with the largest relative error (`None` for the input gradient).
    pub worst_tensor: Option<usize>,
    /// How many scalars were checked (parameters and inputs).
    pub checked: usize,
}

/// Compares the analytic gradient of loss `L` at `(x, y)` with central finite differences
/// `(L(p + h) - L(p - h)) / 2h`, for every parameter and every input. `net` is perturbed in
/// place and restored bit for bit.
///
/// Every evaluation draws its Dropout masks from generators at their start
/// ([`DropoutMasks::START`]), so a layer that draws randomness while training uses the same
/// mask in the analytic pass and in every finite difference.
///
/// Meant for `f64` networks and small sizes: it makes two forward passes per scalar. For a
/// large network, [`gradcheck_first`] checks a few scalars of each tensor.
///
/// ```
/// use dl_core::prelude::*;
/// network! { struct Net { Dense<3, 4, Tanh>, Dense<4, 2, Softmax> } }
/// let mut net = Net::<f64>::new(5);
/// let (x, y) = (SVector::from([0.3, -0.7, 1.1]), SVector::from([0.0, 1.0]));
/// let check = gradcheck::<_, CrossEntropy>(&mut net, &x, &y, 1e-6);
/// assert_eq!(check.checked, Net::<f64>::PARAMS + 3); // every weight and every input
/// assert!(check.max_rel_error < 1e-7, "{check:?}");
/// assert_eq!(net, Net::<f64>::new(5)); // restored bit for bit
/// ```
pub fn gradcheck<N, L>(net: &mut N, x: &N::Input, y: &N::Output, h: f64) -> GradCheck
where
    N: Network<Scalar = f64> + ByValue,
    L: Loss,
{
    gradcheck_first::<N, L>(net, x, y, h, usize::MAX)
}

/// [`gradcheck`] on the first `count` scalars of each tensor and of the input. Its buffers (a
/// cache, a gradient, the input and its gradient) are on the heap with the `alloc` feature, on the
/// stack without (where [`ByValue`] holds them to the stack budget).
///
/// ```
/// use dl_core::prelude::*;
/// network! { struct Net { Dense<4, 8, Tanh>, Dense<8, 2, Softmax> } }
/// let mut net = Net::<f64>::new(3);
/// let (x, y) = (SVector::from([0.1, 0.2, -0.3, 0.4]), SVector::from([1.0, 0.0]));
/// let check = gradcheck_first::<_, CrossEntropy>(&mut net, &x, &y, 1e-6, 2);
/// assert_eq!(check.checked, 4 * 2 + 2); // 2 scalars of each of 4 tensors, 2 inputs
/// assert!(check.max_rel_error < 1e-6, "{check:?}");
/// ```
pub fn gradcheck_first<N, L>(
    net: &mut N,
    x: &N::Input,
    y: &N::Output,
    h: f64,
    count: usize,
) -> GradCheck
where
    N: Network<Scalar = f64> + ByValue,
    L: Loss,
{
    #[cfg(feature = "alloc")]
    let (mut cache, mut grads, mut dx, mut xp) = (
        crate::zeroed::boxed::<N::Cache>(),
        crate::zeroed::boxed::<N::Gradient>(),
        crate::zeroed::boxed::<N::Input>(),
        crate::zeroed::boxed::<N::Input>(),
    );
    #[cfg(not(feature = "alloc"))]
    let (mut cache, mut grads, mut dx, mut xp) = (
        N::CACHE_ZERO,
        <N::Gradient as Params<f64>>::ZERO,
        N::Input::ZERO,
        N::Input::ZERO,
    );
    let start = || <N::Masks as DropoutMasks>::START;
    net.forward_train(x, &mut cache, &mut start());
    net.loss_backward::<L>(x, &cache, y, &mut grads, Some(&mut dx));

    let mut report = GradCheck {
        max_rel_error: 0.0,
        max_abs_error: 0.0,
        worst_tensor: None,
        checked: 0,
    };
    let loss_at = |net: &N, x: &N::Input, cache: &mut N::Cache| -> f64 {
        net.forward_train(x, cache, &mut start());
        N::loss::<L>(cache, y)
    };

    for t in 0..N::TENSORS {
        let mut acc = Accumulator::default();
        for j in 0..net.tensor(t).len().min(count) {
            let orig = net.tensor(t)[j];
            net.tensor_mut(t)[j] = orig + h;
            let plus = loss_at(net, x, &mut cache);
            net.tensor_mut(t)[j] = orig - h;
            let minus = loss_at(net, x, &mut cache);
            net.tensor_mut(t)[j] = orig;
            acc.add(grads.tensor(t)[j], (plus - minus) / (2.0 * h));
        }
        report.merge(&acc, Some(t));
    }

    let mut acc = Accumulator::default();
    xp.as_mut_slice().copy_from_slice(x.as_slice());
    for j in 0..N::Input::LEN.min(count) {
        let orig = xp.as_slice()[j];
        xp.as_mut_slice()[j] = orig + h;
        let plus = loss_at(net, &xp, &mut cache);
        xp.as_mut_slice()[j] = orig - h;
        let minus = loss_at(net, &xp, &mut cache);
        xp.as_mut_slice()[j] = orig;
        acc.add(dx.as_slice()[j], (plus - minus) / (2.0 * h));
    }
    report.merge(&acc, None);
    report
}

#[derive(Default)]
struct Accumulator {
    diff2: f64,
    analytic2: f64,
    numeric2: f64,
    max_abs: f64,
    count: usize,
}

impl Accumulator {
    fn add(&mut self, analytic: f64, numeric: f64) {
        let d = analytic - numeric;
        self.diff2 += d * d;
        self.analytic2 += analytic * analytic;
        self.numeric2 += numeric * numeric;
        self.max_abs = self.max_abs.max(d.abs());
        self.count += 1;
    }
}

impl GradCheck {
    fn merge(&mut self, acc: &Accumulator, tensor: Option<usize>) {
        let denom = libm::sqrt(acc.analytic2) + libm::sqrt(acc.numeric2);
        let rel = if denom == 0.0 {
            0.0
        } else {
            libm::sqrt(acc.diff2) / denom
        };
        if rel > self.max_rel_error || rel.is_nan() {
            self.max_rel_error = rel;
            self.worst_tensor = tensor;
        }
        self.max_abs_error = self.max_abs_error.max(acc.max_abs);
        self.checked += acc.count;
    }
}
