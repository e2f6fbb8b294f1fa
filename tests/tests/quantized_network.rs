//! The int8 type `network!` generates (`{Name}I8`): imported from LiteRT's `.tflite` files
//! it equals LiteRT int8 for int8 on every fixture case; `quantize` (dl's own post-training
//! quantisation) refuses NaN calibration data and, fed TFLite's float weights and calibration
//! data, is compared with TFLite's converter.

use dl_core::prelude::*;
use dl_core::quant::QuantError;
use dl_core::tflite::TfliteError;
use dl_tests::tflite::{digits_train, ints, load};
use serde_json::Value;

network! {
    /// MicroFlow's sine architecture.
    pub struct Sine {
        Dense<1, 16, Relu>,
        Dense<16, 16, Relu>,
        Dense<16, 1, Identity>,
    }
}

network! {
    /// PyTorch's digits CNN.
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
    /// The sine with a layer too narrow.
    pub struct Narrow {
        Dense<1, 8, Relu>,
        Dense<8, 16, Relu>,
        Dense<16, 1, Identity>,
    }
}

/// How many cases `forward` gets exactly right, of how many.
fn agree<const I: usize, const O: usize>(
    fixture: &Value,
    forward: impl Fn(&[i8; I]) -> [i8; O],
) -> (usize, usize) {
    let cases = fixture["cases"].as_array().unwrap();
    let same = cases
        .iter()
        .filter(|c| forward(&ints::<I>(&c["input"])) == ints::<O>(&c["output"]))
        .count();
    (same, cases.len())
}

#[test]
fn imported_types_equal_litert() {
    for name in ["sine", "microflow_sine"] {
        let (bytes, fixture) = load(name);
        let net = SineI8::from_tflite(&bytes).unwrap();
        let (same, n) = agree(&fixture, |x: &[i8; 1]| net.forward_i8(x));
        assert_eq!((same, n), (n, n), "{name}");
        let y = net.predict(&SVector::from([0.5]));
        assert!((y[0] - 0.4135).abs() < 0.1, "{name}: {y}");
    }
    let (bytes, fixture) = load("digits_cnn_softmax");
    let net = DigitsCnnI8::from_tflite(&bytes).unwrap();
    let (same, n) = agree(&fixture, |x: &[i8; 64]| net.forward_i8(x));
    assert_eq!((same, n), (n, n));
}

#[test]
fn import_mismatch_names_the_layer() {
    let (bytes, _) = load("microflow_sine");
    let e = NarrowI8::from_tflite(&bytes).unwrap_err();
    assert_eq!(
        e,
        TfliteError::Shape {
            layer: 1,
            what: "output size",
            expected: 8,
            found: 16
        }
    );
    let (bytes, _) = load("digits_mlp");
    let e = DigitsCnnI8::from_tflite(&bytes).unwrap_err();
    assert!(
        matches!(
            e,
            TfliteError::LayerKind {
                layer: 1,
                expected: "Conv2D",
                found: "FULLY_CONNECTED"
            }
        ),
        "{e:?}"
    );
}

#[test]
fn calibration_refuses_non_finite_values() {
    let net = Sine::<f32>::new(1);
    let data = [SVector::from([0.5f32]), SVector::from([f32::NAN])];
    assert_eq!(
        net.quantize(&data).unwrap_err(),
        QuantError::NonFinite {
            what: "calibration sample",
            index: 1
        }
    );
    let data = [SVector::from([0.5f32]), SVector::from([f32::INFINITY])];
    assert!(matches!(
        net.quantize(&data),
        Err(QuantError::NonFinite { index: 1, .. })
    ));
}

/// The fixture's float weights (dl's layouts) into a `Sine<f32>`.
fn sine_from_fixture(fixture: &Value) -> Sine<f32> {
    let mut net = Sine::<f32>::new(0);
    let w = &fixture["float_weights"];
    let get = |k: &str, o: usize, i: usize| w[k][o][i].as_f64().unwrap() as f32;
    let b = |k: &str, o: usize| w[k][o].as_f64().unwrap() as f32;
    for o in 0..16 {
        net.layer1.weight[(o, 0)] = get("0.weight", o, 0);
        net.layer1.bias[o] = b("0.bias", o);
        for i in 0..16 {
            net.layer2.weight[(o, i)] = get("1.weight", o, i);
        }
        net.layer2.bias[o] = b("1.bias", o);
        net.layer3.weight[(0, o)] = get("2.weight", 0, o);
    }
    net.layer3.bias[0] = b("2.bias", 0);
    net
}

#[test]
fn dl_quantisation_against_tflite_converter() {
    let (bytes, fixture) = load("sine");
    let tflite = SineI8::from_tflite(&bytes).unwrap();
    let net = sine_from_fixture(&fixture);
    // TFLite's representative data: 1024 evenly spaced x in [0, 2 pi] (make_fixtures.py).
    let calibration: Vec<SVector<f32, 1>> = (0..1024)
        .map(|i| SVector::from([(i as f64 * 2.0 * std::f64::consts::PI / 1023.0) as f32]))
        .collect();
    let ours = net.quantize(&calibration).unwrap();
    eprintln!("input  dl {:?} tflite {:?}", ours.input, tflite.input);
    eprintln!(
        "output dl {:?} tflite {:?}",
        ours.output_params(),
        tflite.output_params()
    );
    let (same, n) = agree(&fixture, |x: &[i8; 1]| ours.forward_i8(x));
    let weights_equal = ours.layer1.weight == tflite.layer1.weight
        && ours.layer2.weight == tflite.layer2.weight
        && ours.layer3.weight == tflite.layer3.weight;
    eprintln!(
        "dl's quantisation equals LiteRT on {same} of {n} inputs; weights equal: {weights_equal}"
    );
    assert_eq!(ours, tflite, "the same int8 model as TFLite's converter");
    assert_eq!((same, n), (n, n));
}

network! {
    /// PyTorch's digits MLP.
    pub struct DigitsMlp {
        Dense<64, 32, Relu>,
        Dense<32, 10, Softmax>,
    }
}

#[test]
fn dl_quantisation_of_the_digits_mlp_against_tflite_converter() {
    let (bytes, fixture) = load("digits_mlp_softmax");
    let tflite = DigitsMlpI8::from_tflite(&bytes).unwrap();
    let w = &fixture["float_weights"];
    let mut net = DigitsMlp::<f32>::new(0);
    for o in 0..32 {
        for i in 0..64 {
            net.layer1.weight[(o, i)] = w["0.weight"][o][i].as_f64().unwrap() as f32;
        }
        net.layer1.bias[o] = w["0.bias"][o].as_f64().unwrap() as f32;
    }
    for o in 0..10 {
        for i in 0..32 {
            net.layer2.weight[(o, i)] = w["1.weight"][o][i].as_f64().unwrap() as f32;
        }
        net.layer2.bias[o] = w["1.bias"][o].as_f64().unwrap() as f32;
    }
    let ours = net.quantize(&digits_train()).unwrap();
    let (same, n) = agree(&fixture, |x: &[i8; 64]| ours.forward_i8(x));
    eprintln!("input dl {:?} tflite {:?}", ours.input, tflite.input);
    eprintln!(
        "hidden dl {:?} tflite {:?}",
        ours.layer1.output, tflite.layer1.output
    );
    eprintln!(
        "output dl {:?} tflite {:?}",
        ours.output_params(),
        tflite.output_params()
    );
    eprintln!(
        "weights equal: {} {}; biases equal: {} {}",
        ours.layer1.weight == tflite.layer1.weight,
        ours.layer2.weight == tflite.layer2.weight,
        ours.layer1.bias == tflite.layer1.bias,
        ours.layer2.bias == tflite.layer2.bias
    );
    eprintln!("dl's quantisation equals LiteRT on {same} of {n} test images");
    assert_eq!(ours, tflite, "the same int8 model as TFLite's converter");
}

/// The sine from MicroFlow's file, as a const image round trip.
static SINE_I8: SineI8 =
    dl_core::include_network!(SineI8, "../fixtures/tflite/microflow_sine_i8.bin");

#[test]
fn int8_images_round_trip_and_refuse_damage() {
    let (bytes, fixture) = load("microflow_sine");
    let net = SineI8::from_tflite(&bytes).unwrap();
    let mut image = vec![0u8; SineI8::BYTES];
    net.export_bytes(&mut image).unwrap();
    assert_eq!(SineI8::from_bytes(&image).unwrap(), net);
    // The committed image (written by this test's export) decodes in the compiler to the same.
    let committed = dl_tests::tflite::read("microflow_sine_i8.bin");
    assert_eq!(
        committed, image,
        "tests/fixtures/tflite/microflow_sine_i8.bin is stale"
    );
    assert_eq!(SINE_I8, net);
    let (same, n) = agree(&fixture, |x: &[i8; 1]| SINE_I8.forward_i8(x));
    assert_eq!(same, n);

    let mut bad = image.clone();
    *bad.last_mut().unwrap() ^= 1;
    assert!(matches!(
        SineI8::from_bytes(&bad),
        Err(dl_core::bytes::BytesError::Checksum { .. })
    ));
    assert!(matches!(
        SineI8::from_bytes(&image[..30]),
        Err(dl_core::bytes::BytesError::Length { .. })
    ));
    let mut mlp = vec![0u8; DigitsMlpI8::BYTES];
    DigitsMlpI8::from_tflite(&load("digits_mlp_softmax").0)
        .unwrap()
        .export_bytes(&mut mlp)
        .unwrap();
    assert!(matches!(
        SineI8::from_bytes(&mlp),
        Err(dl_core::bytes::BytesError::Architecture { .. })
    ));
    // A zero scale with a correct checksum is still refused.
    let mut zero = image.clone();
    zero[24..28].copy_from_slice(&0f32.to_bits().to_le_bytes());
    let crc = dl_core::bytes::crc32(&[&zero[..20], &zero[24..]].concat());
    zero[20..24].copy_from_slice(&crc.to_le_bytes());
    assert_eq!(
        SineI8::from_bytes(&zero),
        Err(dl_core::bytes::BytesError::Quantization { at: 24 })
    );
    assert_eq!(SineI8::BYTES, 24 + 8 + 3 * 18 + (16 + 256 + 16) + 12 * 33);
}
