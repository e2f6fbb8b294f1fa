//! `network!`'s int8 type with Sigmoid, Tanh and Softmax (`{field}_sigmoid`... after their
//! dense layer): imported from LiteRT's `.tflite` files it equals LiteRT int8 for int8 on
//! every fixture case; dl's own `quantize`, fed TFLite's float weights and calibration data,
//! gives the converter's model; the int8 byte image round-trips and refuses a damaged table.

use dl_core::bytes::BytesError;
use dl_core::prelude::*;
use dl_core::quant::{QSigmoid, QTanh, QuantParams};
use dl_tests::tflite::{dense_weights, digits_train, ints, load};
use dl_tests::tflite_cases::check;

network! {
    /// make_fixtures.py's `activations` model.
    pub struct Activations {
        hidden: Dense<64, 32, Tanh>,
        Dense<32, 16, Sigmoid>,
        out: Dense<16, 10, Softmax>,
    }
}

network! {
    /// make_fixtures.py's `sine_act` model.
    pub struct SineAct {
        Dense<1, 16, Tanh>,
        Dense<16, 16, Sigmoid>,
        Dense<16, 1, Identity>,
    }
}

#[test]
fn imported_networks_equal_litert() {
    let (bytes, fixture) = load("activations");
    let net = ActivationsI8::from_tflite(&bytes).unwrap();
    assert_eq!(net.hidden_tanh.output, QTanh::<32>::OUTPUT);
    assert_eq!(net.layer2_sigmoid.output, QSigmoid::<16>::OUTPUT);
    assert_eq!(net.output_params(), net.out_softmax.output);
    check("activations", &fixture, |x: &[i8; 64]| net.forward_i8(x));
    // Probabilities out: they sum to about 1.
    let p = net.predict(&digits_train()[0]);
    assert!((p.sum() - 1.0).abs() < 0.05, "{p}");

    let (bytes, fixture) = load("sine_act");
    let net = SineActI8::from_tflite(&bytes).unwrap();
    assert_eq!(
        check("sine_act", &fixture, |x: &[i8; 1]| net.forward_i8(x)).cases,
        256
    );
}

#[test]
fn declared_activation_must_match_the_model() {
    network! {
        /// `activations` with its first two activations swapped.
        pub struct Swapped {
            Dense<64, 32, Sigmoid>,
            Dense<32, 16, Tanh>,
            Dense<16, 10, Softmax>,
        }
    }
    let e = SwappedI8::from_tflite(&load("activations").0).unwrap_err();
    assert_eq!(
        e.to_string(),
        "layer 1 is declared Sigmoid but the model has TANH there"
    );
}

/// The digits `activations` model in f32 from the fixture's float weights.
fn activations_f32() -> Activations<f32> {
    let (_, fixture) = load("activations");
    let w = &fixture["float_weights"];
    let mut net = Activations::<f32>::new(0);
    dense_weights(&mut net.hidden, w, 0);
    dense_weights(&mut net.layer2, w, 1);
    dense_weights(&mut net.out, w, 2);
    net
}

/// How many of the fixture's cases `forward` gets exactly right.
fn agreeing<const I: usize, const O: usize>(
    fixture: &serde_json::Value,
    forward: impl Fn(&[i8; I]) -> [i8; O],
) -> (usize, usize) {
    let cases = fixture["cases"].as_array().unwrap();
    let same = cases
        .iter()
        .filter(|c| forward(&ints(&c["input"])) == ints::<O>(&c["output"]))
        .count();
    (same, cases.len())
}

/// Scales equal to 1 part in 10^6 (the float calibration pass sums and evaluates Tanh and
/// Sigmoid in f32 in another order than TensorFlow's, so a range's end can differ in its last
/// bit); everything else equal.
fn same_but_last_bits(a: QuantParams, b: QuantParams) -> bool {
    a.zero_point == b.zero_point && (a.scale / b.scale - 1.0).abs() < 1e-6
}

#[test]
fn dl_quantisation_against_tflite_converter() {
    let (bytes, fixture) = load("activations");
    let ours = activations_f32().quantize(&digits_train()).unwrap();
    let tflite = ActivationsI8::from_tflite(&bytes).unwrap();
    for (a, b) in [
        (ours.input, tflite.input),
        (ours.hidden.output, tflite.hidden.output),
        (ours.layer2.output, tflite.layer2.output),
        (ours.out.output, tflite.out.output),
    ] {
        eprintln!("dl {a:?}, TFLite {b:?}");
        assert!(same_but_last_bits(a, b));
    }
    assert_eq!(
        (&ours.hidden.weight, &ours.layer2.weight, &ours.out.weight),
        (
            &tflite.hidden.weight,
            &tflite.layer2.weight,
            &tflite.out.weight
        )
    );
    assert_eq!(
        (&ours.hidden.bias, &ours.layer2.bias, &ours.out.bias),
        (&tflite.hidden.bias, &tflite.layer2.bias, &tflite.out.bias)
    );
    assert_eq!(ours.hidden_tanh.table, tflite.hidden_tanh.table);
    assert_eq!(ours.layer2_sigmoid.table, tflite.layer2_sigmoid.table);
    let (same, n) = agreeing(&fixture, |x: &[i8; 64]| ours.forward_i8(x));
    eprintln!("dl's quantisation equals LiteRT on {same} of {n} test images");
    assert_eq!(same, n);

    let (bytes, fixture) = load("sine_act");
    let w = &fixture["float_weights"];
    let mut net = SineAct::<f32>::new(0);
    dense_weights(&mut net.layer1, w, 0);
    dense_weights(&mut net.layer2, w, 1);
    dense_weights(&mut net.layer3, w, 2);
    // TFLite's representative data: 1024 evenly spaced x in [0, 2 pi] (make_fixtures.py).
    let calibration: Vec<SVector<f32, 1>> = (0..1024)
        .map(|i| SVector::from([(i as f64 * 2.0 * std::f64::consts::PI / 1023.0) as f32]))
        .collect();
    let ours = net.quantize(&calibration).unwrap();
    let tflite = SineActI8::from_tflite(&bytes).unwrap();
    for (a, b) in [
        (ours.layer1.output, tflite.layer1.output),
        (ours.layer2.output, tflite.layer2.output),
        (ours.layer3.output, tflite.layer3.output),
    ] {
        eprintln!("dl {a:?}, TFLite {b:?}");
        assert!(same_but_last_bits(a, b));
    }
    let (same, n) = agreeing(&fixture, |x: &[i8; 1]| ours.forward_i8(x));
    eprintln!(
        "dl's quantisation equals LiteRT on {same} of {n} inputs; same model: {}",
        ours == tflite
    );
    assert_eq!(same, n);
}

#[test]
fn int8_images_hold_the_tables() {
    let net = ActivationsI8::from_tflite(&load("activations").0).unwrap();
    let mut image = vec![0u8; ActivationsI8::BYTES];
    net.export_bytes(&mut image).unwrap();
    assert_eq!(ActivationsI8::from_bytes(&image).unwrap(), net);
    assert_eq!(
        ActivationsI8::BYTES,
        24 + 8
            + (18 + 64 * 32 + 12 * 32)
            + 272
            + (18 + 32 * 16 + 12 * 16)
            + 272
            + (18 + 16 * 10 + 12 * 10)
            + 16
    );
    // Two entries of the Tanh's table swapped (checksum rewritten): refused where it starts.
    let table = 24 + 8 + (18 + 64 * 32 + 12 * 32) + 16;
    let mut bad = image.clone();
    bad.swap(table + 1, table + 100);
    let crc = dl_core::bytes::crc32(&[&bad[..20], &bad[24..]].concat());
    bad[20..24].copy_from_slice(&crc.to_le_bytes());
    assert_eq!(
        ActivationsI8::from_bytes(&bad),
        Err(BytesError::Quantization { at: table })
    );
}
