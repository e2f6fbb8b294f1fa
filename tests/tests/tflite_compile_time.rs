//! `network!`'s `#[tflite("...")]`: a `.tflite` model imported at compile time
//! (`{Name}I8::TFLITE`, run by rustc with the same `const` reader as `from_tflite`) equals
//! the run-time import, field for field, and LiteRT's outputs on every fixture case, Sigmoid
//! and Tanh tables included (`tflite_conv_activations.rs` has a CNN with both). The
//! refusals (a size that differs, an unsupported operator, a missing or corrupt file) are
//! trybuild cases in `tests/ui/fail/tflite_*.rs`.

use dl_core::prelude::*;
use dl_tests::tflite::{libm_table, load};
use dl_tests::tflite_cases::check;

network! {
    /// MicroFlow's sine model, imported at compile time.
    #[tflite("../fixtures/tflite/microflow_sine.tflite")]
    pub struct Sine {
        Dense<1, 16, Relu>,
        Dense<16, 16, Relu>,
        Dense<16, 1, Identity>,
    }
}

network! {
    /// The digits CNN with Softmax (a Dropout between, skipped by the import), imported at
    /// compile time: Conv2D, MaxPool2D, Flatten and Softmax through the `const` reader.
    #[tflite(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/tflite/digits_cnn_softmax.tflite"))]
    pub struct DigitsCnn {
        input: [1, 8, 8],
        conv: Conv2D<1, 4, 3, Relu, padding = 1>,
        MaxPool2D<2>,
        Flatten,
        Dropout<0.25>,
        out: Dense<64, 10, Softmax>,
    }
}

network! {
    /// The digits CNN with average pooling.
    #[tflite("../fixtures/tflite/digits_cnn_avg.tflite")]
    pub struct DigitsCnnAvg {
        input: [1, 8, 8],
        Conv2D<1, 4, 3, Relu, padding = 1>,
        AvgPool2D<2>,
        Flatten,
        Dense<64, 10, Identity>,
    }
}

network! {
    /// The digits MLP with Tanh, Sigmoid and Softmax: rustc fills the int8 tables.
    #[tflite("../fixtures/tflite/activations.tflite")]
    pub struct Activations {
        hidden: Dense<64, 32, Tanh>,
        Dense<32, 16, Sigmoid>,
        out: Dense<16, 10, Softmax>,
    }
}

network! {
    /// The sine with Tanh and Sigmoid.
    #[tflite("../fixtures/tflite/sine_act.tflite")]
    pub struct SineAct {
        Dense<1, 16, Tanh>,
        Dense<16, 16, Sigmoid>,
        Dense<16, 1, Identity>,
    }
}

/// In flash on a microcontroller: the decoded layers only, not the file.
static SINE: SineI8 = SineI8::TFLITE;

#[test]
fn sine_at_compile_time_equals_the_run_time_import() {
    let (bytes, fixture) = load("microflow_sine");
    let run = SineI8::from_tflite(&bytes).unwrap();
    assert_eq!(SINE, run);
    for x in i8::MIN..=i8::MAX {
        assert_eq!(SINE.forward_i8(&[x]), run.forward_i8(&[x]), "input {x}");
    }
    assert_eq!(
        check("microflow_sine", &fixture, |x| SINE.forward_i8(x)).cases,
        256
    );
    let y = SINE.predict(&SVector::from([0.5]));
    assert_eq!(y, run.predict(&SVector::from([0.5])));
}

#[test]
fn convolutional_networks_at_compile_time_equal_the_run_time_import() {
    let (bytes, fixture) = load("digits_cnn_softmax");
    let run = DigitsCnnI8::from_tflite(&bytes).unwrap();
    assert_eq!(DigitsCnnI8::TFLITE, run);
    check("digits_cnn_softmax", &fixture, |x: &[i8; 64]| {
        DigitsCnnI8::TFLITE.forward_i8(x)
    });

    let (bytes, fixture) = load("digits_cnn_avg");
    assert_eq!(
        DigitsCnnAvgI8::TFLITE,
        DigitsCnnAvgI8::from_tflite(&bytes).unwrap()
    );
    check("digits_cnn_avg", &fixture, |x: &[i8; 64]| {
        DigitsCnnAvgI8::TFLITE.forward_i8(x)
    });
}

/// Sigmoid and Tanh at compile time: the tables rustc fills (the `const` port of libm's
/// `expf` and `tanhf`) equal the ones libm's run-time functions fill, for every table of the
/// fixtures (each its own input quantisation), and the networks equal LiteRT on every case.
#[test]
fn tables_filled_by_rustc_equal_the_run_time_ones() {
    let (bytes, fixture) = load("activations");
    let net = ActivationsI8::TFLITE;
    assert_eq!(net, ActivationsI8::from_tflite(&bytes).unwrap());
    let (t, s) = (&net.hidden_tanh, &net.layer2_sigmoid);
    assert_eq!(t.table, libm_table(t.input, t.output, false));
    assert_eq!(s.table, libm_table(s.input, s.output, true));
    check("activations", &fixture, |x: &[i8; 64]| net.forward_i8(x));

    let (bytes, fixture) = load("sine_act");
    let net = SineActI8::TFLITE;
    assert_eq!(net, SineActI8::from_tflite(&bytes).unwrap());
    let (t, s) = (&net.layer1_tanh, &net.layer2_sigmoid);
    assert_eq!(t.table, libm_table(t.input, t.output, false));
    assert_eq!(s.table, libm_table(s.input, s.output, true));
    let n = check("sine_act", &fixture, |x: &[i8; 1]| net.forward_i8(x)).cases;
    assert_eq!(n, 256);
}

/// `from_tflite` is a `const fn`, so a `const` of one's own works too.
#[test]
fn from_tflite_is_const() {
    const BYTES: &[u8] = include_bytes!("../fixtures/tflite/microflow_sine.tflite");
    const NET: Result<SineI8, dl_core::tflite::TfliteError> = SineI8::from_tflite(BYTES);
    assert_eq!(NET.as_ref().ok(), Some(&SINE));
    const SHORT: Result<SineI8, dl_core::tflite::TfliteError> =
        SineI8::from_tflite(BYTES.split_at(100).0);
    assert!(SHORT.is_err());
}
