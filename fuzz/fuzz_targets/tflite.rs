//! The TFLite reader on arbitrary bytes: every input either imports or gives an error, never a
//! panic (out-of-range offsets, truncation, absurd shapes, bad quantisation). Each declaration
//! that dl's tests import is tried; what imports is run once. Seed corpus:
//! `tests/fixtures/tflite/*.tflite`.
//!
//!     cd fuzz && cargo +nightly fuzz run tflite ../tests/fixtures/tflite -- -max_total_time=60
#![no_main]

use dl_core::quant::FusedActivation::{Identity, Relu};
use dl_core::quant::{QConv2D, QDense, QFlatten, QMaxPool2D, QSigmoid, QSoftmax, QTanh};
use dl_core::tflite::{Importer, TfliteError};
use libfuzzer_sys::fuzz_target;

fn sine(bytes: &[u8]) -> Result<i8, TfliteError> {
    let mut m = Importer::new(bytes)?;
    m.input_params()?;
    let l0: QDense<1, 16> = m.dense(Relu)?;
    let l1: QDense<16, 16> = m.dense(Relu)?;
    let l2: QDense<16, 1> = m.dense(Identity)?;
    m.finish()?;
    Ok(l2.forward(&l1.forward(&l0.forward(&[3])))[0])
}

fn cnn(bytes: &[u8]) -> Result<i8, TfliteError> {
    let mut m = Importer::new(bytes)?;
    let conv: QConv2D<1, 4, 3, 1, 1, 8, 8, 8, 8> = m.conv2d(Relu)?;
    let pool: QMaxPool2D<4, 2, 2, 8, 8, 4, 4> = m.pool2d()?;
    let flat: QFlatten<4, 4, 4, 64> = m.flatten()?;
    let dense: QDense<64, 10> = m.dense(Identity)?;
    m.finish()?;
    let y = dense.forward(&flat.forward(&pool.forward(&conv.forward(&[[[5; 8]; 8]]))));
    Ok(y[0])
}

fn activations(bytes: &[u8]) -> Result<i8, TfliteError> {
    let mut m = Importer::new(bytes)?;
    let l0: QDense<64, 32> = m.dense(Identity)?;
    let a0: QTanh<32> = m.tanh()?;
    let l1: QDense<32, 16> = m.dense(Identity)?;
    let a1: QSigmoid<16> = m.sigmoid()?;
    let l2: QDense<16, 10> = m.dense(Identity)?;
    let a2: QSoftmax<10> = m.softmax()?;
    m.finish()?;
    let x = a1.forward(&l1.forward(&a0.forward(&l0.forward(&[7; 64]))));
    Ok(a2.forward(&l2.forward(&x))[0])
}

/// Convolutions followed by `TANH` and `LOGISTIC` (make_fixtures.py's `digits_cnn_act`).
fn cnn_act(bytes: &[u8]) -> Result<i8, TfliteError> {
    let mut m = Importer::new(bytes)?;
    let c1: QConv2D<1, 4, 3, 1, 1, 8, 8, 8, 8> = m.conv2d(Identity)?;
    let a1: QTanh<256> = m.tanh()?;
    let pool: QMaxPool2D<4, 2, 2, 8, 8, 4, 4> = m.pool2d()?;
    let c2: QConv2D<4, 8, 3, 1, 1, 4, 4, 4, 4> = m.conv2d(Identity)?;
    let a2: QSigmoid<128> = m.sigmoid()?;
    let flat: QFlatten<8, 4, 4, 128> = m.flatten()?;
    let dense: QDense<128, 10> = m.dense(Identity)?;
    let soft: QSoftmax<10> = m.softmax()?;
    m.finish()?;
    let x = pool.forward(&a1.forward_image(&c1.forward(&[[[5; 8]; 8]])));
    let x = flat.forward(&a2.forward_image(&c2.forward(&x)));
    Ok(soft.forward(&dense.forward(&x))[0])
}

fuzz_target!(|bytes: &[u8]| {
    for result in [sine(bytes), cnn(bytes), activations(bytes), cnn_act(bytes)] {
        if let Err(e) = result {
            // Display must not panic either.
            let _ = format!("{e}");
        }
    }
});
