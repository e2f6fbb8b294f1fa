//! Inputs paired with their targets, checked once, and what an evaluation measures.

use crate::error::{Error, Operand};
use crate::float::Float;
use crate::network::Vector;

/// Inputs and their targets, checked to be equal in number, not empty, and finite.
///
/// ```
/// use dl_core::prelude::*;
/// let xs = [[0.0, 1.0], [1.0, 0.0]].map(SVector::<f32, 2>::from);
/// let ys = [[1.0], [0.0]].map(SVector::<f32, 1>::from);
/// let data = Data::new(&xs, &ys)?; // checked once: equal counts, not empty, finite
/// assert_eq!((data.len(), data.inputs()[1], data.targets()[1]), (2, xs[1], ys[1]));
/// # Ok::<(), dl_core::error::Error>(())
/// ```
#[derive(Debug)]
pub struct Data<'a, X, Y> {
    inputs: &'a [X],
    targets: &'a [Y],
}

impl<X, Y> Clone for Data<'_, X, Y> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<X, Y> Copy for Data<'_, X, Y> {}

impl<'a, X, Y> Data<'a, X, Y> {
    /// Pairs `inputs[i]` with `targets[i]`.
    ///
    /// Errors: [`Error::BatchMismatch`] if the counts differ, [`Error::EmptyBatch`] if there
    /// are none, [`Error::NonFinite`] (`"input"` or `"target"`, with the sample's index) if a
    /// value is NaN or infinite.
    ///
    /// ```
    /// use dl_core::prelude::*;
    ///
    /// let xs = [[0.0, 1.0], [1.0, f32::NAN]].map(SVector::<f32, 2>::from);
    /// let ys = [[1.0], [0.0]].map(SVector::<f32, 1>::from);
    /// assert_eq!(Data::new(&xs[..1], &ys[..1])?.len(), 1);
    /// assert_eq!(
    ///     Data::new(&xs, &ys).unwrap_err(),
    ///     Error::NonFinite { what: Operand::Input, index: 1 },
    /// );
    /// # Ok::<(), dl_core::error::Error>(())
    /// ```
    pub fn new<T: Float>(inputs: &'a [X], targets: &'a [Y]) -> Result<Self, Error>
    where
        X: Vector<T>,
        Y: Vector<T>,
    {
        if inputs.len() != targets.len() {
            return Err(Error::BatchMismatch {
                inputs: inputs.len(),
                targets: targets.len(),
            });
        }
        if inputs.is_empty() {
            return Err(Error::EmptyBatch);
        }
        let finite = |v: &[T]| v.iter().all(|x| x.finite());
        if let Some(index) = inputs.iter().position(|x| !finite(x.as_slice())) {
            return Err(Error::NonFinite {
                what: Operand::Input,
                index,
            });
        }
        if let Some(index) = targets.iter().position(|y| !finite(y.as_slice())) {
            return Err(Error::NonFinite {
                what: Operand::Target,
                index,
            });
        }
        Ok(Data { inputs, targets })
    }

    /// The inputs.
    pub fn inputs(&self) -> &'a [X] {
        self.inputs
    }

    /// The targets.
    pub fn targets(&self) -> &'a [Y] {
        self.targets
    }

    /// The number of samples (never 0).
    pub fn len(&self) -> usize {
        self.inputs.len()
    }

    /// Always `false`: [`Data::new`] refuses empty data.
    pub fn is_empty(&self) -> bool {
        self.inputs.is_empty()
    }
}

/// A network's mean loss and a metric over a data set.
///
/// ```
/// use dl_core::prelude::*;
/// network! { struct Line { Dense<1, 1, Identity> } }
/// let net = Line::<f64>::from_scalars(&[2.0, 1.0]).unwrap(); // y = 2x + 1
/// let xs = [[0.0], [1.0]].map(SVector::<f64, 1>::from);
/// let ys = [[1.0], [4.0]].map(SVector::<f64, 1>::from);
/// let e: Evaluation<f64> = evaluate::<Mse, MeanAbsoluteError, _>(&net, Data::new(&xs, &ys)?);
/// assert_eq!((e.loss, e.metric), (0.5, 0.5)); // errors 0 and 1
/// # Ok::<(), dl_core::error::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Evaluation<T> {
    /// The loss averaged over the samples.
    pub loss: T,
    /// The metric over the samples.
    pub metric: T,
}
