//! The digits classifiers (scikit-learn's 8x8 digits): an MLP (64-32-10) and a small CNN
//! (PyTorch's `digits_cnn` architecture), and the encoding of test images for firmware.

use core::fmt::{self, Write};
use dl_core::prelude::*;

network! {
    /// Classifies an 8x8 digit (pixels scaled to `[0, 1]`).
    pub struct DigitsMlp {
        hidden: Dense<64, 32, Relu>,
        out: Dense<32, 10, Softmax>,
    }
}

network! {
    /// Classifies an 8x8 digit with 4 3x3 filters, 2x2 max-pooling and a dense layer.
    pub struct DigitsCnn {
        input: [1, 8, 8],
        conv: Conv2D<1, 4, 3, Relu, padding = 1>,
        MaxPool2D<2>,
        Flatten,
        out: Dense<64, 10, Softmax>,
    }
}

/// Bytes of one encoded test image: 64 pixels (0..=16, row-major) and the label.
pub const RECORD: usize = 65;

/// The network's input for an encoded image: pixels divided by 16, row-major (which is also
/// the CNN's `[1, 8, 8]` layout).
pub fn input(record: &[u8]) -> SVector<f32, 64> {
    SVector::from_fn(|i, _| record[i] as f32 / 16.0)
}

/// The label of an encoded image.
pub fn label(record: &[u8]) -> usize {
    record[64] as usize
}

/// The index of the largest output.
pub fn argmax(y: &SVector<f32, 10>) -> usize {
    let mut best = 0;
    for i in 1..10 {
        if y[i] > y[best] {
            best = i;
        }
    }
    best
}

/// A classifier of 8x8 digits in `f32`.
pub trait Classifier:
    Network<Scalar = f32, Input = SVector<f32, 64>, Output = SVector<f32, 10>> + ByValue
{
}

impl<N> Classifier for N where
    N: Network<Scalar = f32, Input = SVector<f32, 64>, Output = SVector<f32, 10>> + ByValue
{
}

/// The predicted class of an encoded image.
pub fn predict<N: Classifier>(net: &N, record: &[u8]) -> usize {
    argmax(&net.forward(&input(record)))
}

/// How many of the encoded images (`RECORD` bytes each) the network classifies correctly.
pub fn correct<N: Classifier>(net: &N, records: &[u8]) -> usize {
    records
        .chunks_exact(RECORD)
        .filter(|r| predict(net, r) == label(r))
        .count()
}

/// Classifies the encoded images, printing each prediction when there are at most ten, then
/// `test accuracy N/M`. Returns whether at least 90 % were right.
pub fn report<N: Classifier>(
    out: &mut impl Write,
    name: &str,
    net: &N,
    records: &[u8],
) -> Result<bool, fmt::Error> {
    let n = records.len() / RECORD;
    writeln!(
        out,
        "{name}: {} parameters ({} bytes) at {:p}",
        N::PARAMS,
        N::PARAM_BYTES,
        net
    )?;
    if n <= 10 {
        for r in records.chunks_exact(RECORD) {
            writeln!(out, "label {}  predicted {}", label(r), predict(net, r))?;
        }
    }
    let correct = correct(net, records);
    writeln!(out, "test accuracy {correct}/{n}")?;
    Ok(correct * 10 >= n * 9)
}
