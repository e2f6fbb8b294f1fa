//! The digits MLP (scikit-learn's 8x8 digits, 64-32-10) and the encoding of its test images
//! for firmware.

use dl_core::prelude::*;

network! {
    /// Classifies an 8x8 digit (pixels scaled to `[0, 1]`).
    pub struct DigitsMlp {
        hidden: Dense<64, 32, Relu>,
        out: Dense<32, 10, Softmax>,
    }
}

/// Bytes of one encoded test image: 64 pixels (0..=16, row-major) and the label.
pub const RECORD: usize = 65;

/// The network's input for an encoded image: pixels divided by 16.
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

/// How many of the encoded images (`RECORD` bytes each) the network classifies correctly.
pub fn correct(net: &DigitsMlp<f32>, records: &[u8]) -> usize {
    records
        .chunks_exact(RECORD)
        .filter(|r| argmax(&net.forward(&input(r))) == label(r))
        .count()
}
