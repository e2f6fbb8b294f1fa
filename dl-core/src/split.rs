//! A seeded random train/validation split, in place, with no heap (Keras's `validation_split`,
//! but random rather than the last rows, so ordered data sets split fairly).
//!
//! ```
//! use dl_core::prelude::*;
//! use dl_core::split::validation_split;
//!
//! let mut xs: Vec<SVector<f32, 1>> = (0..10).map(|i| SVector::from([i as f32])).collect();
//! let mut ys = xs.clone();
//! let (train, validation) = validation_split(&mut xs, &mut ys, 0.2, 42)?;
//! assert_eq!((train.len(), validation.len()), (8, 2));
//! // Each input stays with its target.
//! for (x, y) in train.inputs().iter().zip(train.targets()) {
//!     assert_eq!(x, y);
//! }
//! # Ok::<(), dl_core::error::Error>(())
//! ```

use crate::error::{Error, HyperParameter};
use crate::fit::Data;
use crate::float::Float;
use crate::network::Vector;
use crate::rng::Rng;

/// The training part and the validation part.
pub type TrainValidation<'a, X, Y> = (Data<'a, X, Y>, Data<'a, X, Y>);

/// Shuffles `inputs` and `targets` together (one seeded Fisher-Yates permutation applied to
/// both), then hands back the first `1 - fraction` of the pairs for training and the rest,
/// `round(fraction * n)` pairs, for validation. The same seed gives the same split.
///
/// Errors: [`Error::InvalidHyperParameter`] ([`HyperParameter::ValidationSplit`]) unless
/// `fraction` is in `(0, 1)` and leaves at least one pair on each side; and [`Data::new`]'s
/// errors (counts that differ, non-finite values).
///
/// ```
/// use dl_core::prelude::*;
/// let mut xs: Vec<SVector<f32, 1>> = (0..10).map(|i| SVector::from([i as f32])).collect();
/// let mut ys = xs.clone(); // y = x, to see that pairs stay together
/// let (train, val) = validation_split(&mut xs, &mut ys, 0.2, 7)?;
/// assert_eq!((train.len(), val.len()), (8, 2));
/// assert!(train.inputs().iter().zip(train.targets()).all(|(x, y)| x == y));
/// # Ok::<(), dl_core::error::Error>(())
/// ```
pub fn validation_split<'a, T: Float, X: Vector<T>, Y: Vector<T>>(
    inputs: &'a mut [X],
    targets: &'a mut [Y],
    fraction: f64,
    seed: u64,
) -> Result<TrainValidation<'a, X, Y>, Error> {
    if inputs.len() != targets.len() {
        return Err(Error::BatchMismatch {
            inputs: inputs.len(),
            targets: targets.len(),
        });
    }
    let n = inputs.len();
    let held = libm::round(fraction * n as f64) as usize;
    if !(fraction > 0.0 && fraction < 1.0) || held == 0 || held >= n {
        return Err(Error::InvalidHyperParameter {
            name: HyperParameter::ValidationSplit,
            value: fraction,
            expected: "in (0, 1), leaving at least one sample on each side",
        });
    }
    let mut rng = Rng::new(seed);
    for i in (1..n).rev() {
        let j = rng.below(i + 1);
        inputs.swap(i, j);
        targets.swap(i, j);
    }
    let (inputs, targets): (&'a [X], &'a [Y]) = (inputs, targets);
    let (train_x, val_x) = inputs.split_at(n - held);
    let (train_y, val_y) = targets.split_at(n - held);
    Ok((Data::new(train_x, train_y)?, Data::new(val_x, val_y)?))
}
