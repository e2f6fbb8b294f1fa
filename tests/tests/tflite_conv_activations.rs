//! int8 Conv2D with Tanh and Sigmoid (TFLite's `CONV_2D` then `TANH` or `LOGISTIC`, a table
//! over the convolution's whole output image): make_fixtures.py's `digits_cnn_act` imported at
//! run time and at compile time equals LiteRT int8 for int8 on every test image; dl's own
//! quantisation of the same float weights, fed the same calibration data, gives the
//! converter's model; the byte image round-trips.
//!
//! LiteRT's optimised kernels (with its default XNNPACK delegate) differ from its reference
//! kernels on this model: 6 of 3,600 outputs, by at most 3 steps of the Softmax's 1/256
//! (`kernels` in the fixture). dl follows the reference kernels; that is the stated
//! tolerance to the optimised ones. TFLite Micro equals the reference on every output.

use dl_core::prelude::*;
use dl_core::quant::{QSigmoid, QTanh};
use dl_tests::tflite::{conv_weights, dense_weights, digits_train, libm_table, load};
use dl_tests::tflite_cases::check;

/// Output steps dl may differ from LiteRT's optimised kernels, and from TFLite Micro's, on
/// this model.
const OPTIMIZED_STEPS: i64 = 3;
const MICRO_STEPS: i64 = 0;

network! {
    /// make_fixtures.py's `digits_cnn_act`: imported at compile time (`TFLITE`, the Tanh and
    /// Sigmoid tables filled by rustc) or at run time, or quantised by dl.
    #[tflite("../fixtures/tflite/digits_cnn_act.tflite")]
    pub struct DigitsCnnAct {
        input: [1, 8, 8],
        c1: Conv2D<1, 4, 3, Tanh, padding = 1>,
        MaxPool2D<2>,
        c2: Conv2D<4, 8, 3, Sigmoid, padding = 1>,
        Flatten,
        out: Dense<128, 10, Softmax>,
    }
}

/// In flash on a microcontroller.
static CONST_NET: DigitsCnnActI8 = DigitsCnnActI8::TFLITE;

#[test]
fn imported_at_run_time_equals_litert() {
    let (bytes, fixture) = load("digits_cnn_act");
    let net = DigitsCnnActI8::from_tflite(&bytes).unwrap();
    assert_eq!(net.c1_tanh.output, QTanh::<256>::OUTPUT);
    assert_eq!(net.c2_sigmoid.output, QSigmoid::<128>::OUTPUT);
    let a = check("digits_cnn_act", &fixture, |x: &[i8; 64]| net.forward_i8(x));
    eprintln!(
        "digits_cnn_act: {} cases; optimised kernels within {}, TFLite Micro within {}",
        a.cases, a.optimized_steps, a.micro_steps
    );
    assert_eq!(a.cases, 360);
    assert!(a.optimized_steps <= OPTIMIZED_STEPS && a.micro_steps <= MICRO_STEPS);
}

#[test]
fn imported_at_compile_time_equals_the_run_time_import() {
    let (bytes, fixture) = load("digits_cnn_act");
    let run = DigitsCnnActI8::from_tflite(&bytes).unwrap();
    assert_eq!(CONST_NET, run);
    // The tables rustc filled equal the ones libm's run-time functions fill.
    let (t, s) = (&CONST_NET.c1_tanh, &CONST_NET.c2_sigmoid);
    assert_eq!(t.table, libm_table(t.input, t.output, false));
    assert_eq!(s.table, libm_table(s.input, s.output, true));
    check("digits_cnn_act", &fixture, |x: &[i8; 64]| {
        CONST_NET.forward_i8(x)
    });
}

/// The fixture's float weights in dl's f32 network.
fn float_net() -> DigitsCnnAct<f32> {
    let (_, fixture) = load("digits_cnn_act");
    let w = &fixture["float_weights"];
    let mut net = DigitsCnnAct::<f32>::new(0);
    conv_weights(&mut net.c1, w, 0);
    conv_weights(&mut net.c2, w, 1);
    dense_weights(&mut net.out, w, 2);
    net
}

#[test]
fn float_weights_reach_the_fixture_accuracy() {
    // The float network dl builds from the fixture is the one TensorFlow converted: its
    // test accuracy is the f32 accuracy make_fixtures.py measured (in `about`).
    let (_, fixture) = load("digits_cnn_act");
    let net = float_net();
    let labels = fixture["labels"].as_array().unwrap();
    let q = fixture["input"]["scale"].as_f64().unwrap() as f32;
    let z = fixture["input"]["zero_point"].as_i64().unwrap() as f32;
    let right = fixture["cases"]
        .as_array()
        .unwrap()
        .iter()
        .zip(labels)
        .filter(|(c, y)| {
            let x = SVector::<f32, 64>::from_fn(|i, _| {
                q * (c["input"][i].as_i64().unwrap() as f32 - z)
            });
            net.forward(&x).imax() as u64 == y.as_u64().unwrap()
        })
        .count();
    let about = fixture["about"].as_str().unwrap();
    let f32_accuracy: f64 = about
        .rsplit("f32 accuracy ")
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let ours = right as f64 / labels.len() as f64;
    eprintln!("dl f32 {ours:.4}, TensorFlow f32 {f32_accuracy:.4}");
    // Inputs quantised to 1/255 steps (the fixture's int8 inputs) can move a close call.
    assert!((ours - f32_accuracy).abs() <= 2.0 / labels.len() as f64);
}

#[test]
fn dl_quantisation_against_tflite_converter() {
    let (bytes, fixture) = load("digits_cnn_act");
    let ours = float_net().quantize(&digits_train()).unwrap();
    let tflite = DigitsCnnActI8::from_tflite(&bytes).unwrap();
    let pairs = [
        (ours.input, tflite.input),
        (ours.c1.output, tflite.c1.output),
        (ours.c2.output, tflite.c2.output),
        (ours.out.output, tflite.out.output),
    ];
    for (a, b) in pairs {
        eprintln!("dl {a:?}, TFLite {b:?}");
        assert_eq!(a.zero_point, b.zero_point);
        // The float calibration pass sums in another order than TensorFlow's.
        assert!((a.scale / b.scale - 1.0).abs() < 1e-6);
    }
    assert_eq!(
        (&ours.c1.weight, &ours.c2.weight, &ours.out.weight),
        (&tflite.c1.weight, &tflite.c2.weight, &tflite.out.weight)
    );
    assert_eq!(
        (&ours.c1.bias, &ours.c2.bias, &ours.out.bias),
        (&tflite.c1.bias, &tflite.c2.bias, &tflite.out.bias)
    );
    assert_eq!(ours.c1_tanh.table, tflite.c1_tanh.table);
    assert_eq!(ours.c2_sigmoid.table, tflite.c2_sigmoid.table);
    let cases = fixture["cases"].as_array().unwrap();
    let same = cases
        .iter()
        .filter(|c| {
            let x = dl_tests::tflite::ints::<64>(&c["input"]);
            ours.forward_i8(&x) == dl_tests::tflite::ints::<10>(&c["output"])
        })
        .count();
    eprintln!(
        "dl's quantisation equals LiteRT on {same} of {} test images",
        cases.len()
    );
    assert_eq!(same, cases.len());
}

#[test]
fn int8_image_round_trips() {
    let net = DigitsCnnActI8::from_tflite(&load("digits_cnn_act").0).unwrap();
    let mut image = vec![0u8; DigitsCnnActI8::BYTES];
    net.export_bytes(&mut image).unwrap();
    assert_eq!(DigitsCnnActI8::from_bytes(&image).unwrap(), net);
}
