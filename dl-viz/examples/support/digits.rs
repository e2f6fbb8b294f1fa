//! The digits set and network shared by the `digits` and `optimizers` examples: pixels
//! (0..16) scaled to [0, 1], one-hot labels, the fixed test rows, and the last fifth of the
//! fixed training rows held out for validation.

use super::run::Parts;
use dl_core::data::Dataset;
use dl_core::fit::Data;
use dl_core::prelude::*;
use std::error::Error as StdError;

network! {
    /// An 8x8 image of a digit to its class: 64-32-10.
    pub struct DigitsNet {
        hidden: Dense<64, 32, Relu>,
        out: Dense<32, 10, Softmax>,
    }
}

/// The network in `f32`.
pub type Net = DigitsNet<f32>;

type Images = Vec<SVector<f32, 64>>;
type Labels = Vec<SVector<f32, 10>>;

/// The prepared samples, owned.
pub struct Digits {
    x: Images,
    y: Labels,
    test_x: Images,
    test_y: Labels,
}

/// A part's features scaled to [0, 1] and its one-hot labels.
fn prepare(part: &Dataset<f32, 64>) -> Result<(Images, Labels), Box<dyn StdError>> {
    let x = part.features().iter().map(|x| x / 16.0).collect();
    Ok((x, part.one_hot::<10>()?))
}

impl Digits {
    /// Loads `examples/data/digits.csv` with its split file.
    pub fn load() -> Result<Self, Box<dyn StdError>> {
        let digits = Dataset::<f32, 64>::load(super::data("digits.csv"))?;
        let split = digits.split(super::data("digits_split.csv"))?;
        let (x, y) = prepare(&split.train)?;
        let (test_x, test_y) = prepare(&split.test)?;
        Ok(Digits {
            x,
            y,
            test_x,
            test_y,
        })
    }

    /// Train (the first four fifths of the training rows), validation (the last fifth) and
    /// test.
    pub fn parts(&self) -> Result<Parts<'_, Net>, Error> {
        let fit_rows = self.x.len() * 4 / 5;
        Ok(Parts {
            train: Data::new(&self.x[..fit_rows], &self.y[..fit_rows])?,
            validation: Some(Data::new(&self.x[fit_rows..], &self.y[fit_rows..])?),
            test: Data::new(&self.test_x, &self.test_y)?,
        })
    }
}
