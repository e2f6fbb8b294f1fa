//! dl's int8 layers, imported from `.tflite` files, against LiteRT's reference kernels: every
//! output equal, int8 for int8, on every case the fixtures hold
//! (`tests/fixtures/tflite/make_fixtures.py` writes them).

use dl_core::quant::FusedActivation::{Identity, Relu};
use dl_core::quant::{QAvgPool2D, QConv2D, QDense, QFlatten, QMaxPool2D, QuantParams};
use dl_core::tflite::{Importer, TfliteError};
use dl_tests::tflite::load;
use dl_tests::tflite_cases::check;
use serde_json::Value;

fn params(v: &Value) -> QuantParams {
    QuantParams::new(
        v["scale"].as_f64().unwrap() as f32,
        v["zero_point"].as_i64().unwrap() as i32,
    )
    .unwrap()
}

struct Sine(QDense<1, 16>, QDense<16, 16>, QDense<16, 1>);

fn import_sine(bytes: &[u8]) -> Result<(Sine, QuantParams, QuantParams), TfliteError> {
    let mut m = Importer::new(bytes)?;
    let input = m.input_params()?;
    let net = Sine(m.dense(Relu)?, m.dense(Relu)?, m.dense(Identity)?);
    Ok((net, input, m.finish()?))
}

#[test]
fn sine_models_equal_litert() {
    for name in ["sine", "microflow_sine"] {
        let (bytes, fixture) = load(name);
        let (net, input, output) = import_sine(&bytes).unwrap();
        assert_eq!(input, params(&fixture["input"]), "{name}");
        assert_eq!(output, params(&fixture["output"]), "{name}");
        let n = check(name, &fixture, |x| {
            net.2.forward(&net.1.forward(&net.0.forward(x)))
        });
        assert_eq!(n.cases, 256, "{name}: every int8 input");
    }
}

#[test]
fn digits_mlp_equals_litert() {
    let (bytes, fixture) = load("digits_mlp");
    let mut m = Importer::new(&bytes).unwrap();
    let (l0, l1): (QDense<64, 32>, QDense<32, 10>) =
        (m.dense(Relu).unwrap(), m.dense(Identity).unwrap());
    assert_eq!(m.finish().unwrap(), params(&fixture["output"]));
    check("digits_mlp", &fixture, |x| l1.forward(&l0.forward(x)));
}

/// `[1][8][8]` from 64 row-major pixels (one channel: TFLite's NHWC is the same order).
fn image(x: &[i8; 64]) -> [[[i8; 8]; 8]; 1] {
    [core::array::from_fn(|r| {
        core::array::from_fn(|c| x[r * 8 + c])
    })]
}

#[test]
fn digits_cnns_equal_litert() {
    let (bytes, fixture) = load("digits_cnn");
    let mut m = Importer::new(&bytes).unwrap();
    let conv: QConv2D<1, 4, 3, 1, 1, 8, 8, 8, 8> = m.conv2d(Relu).unwrap();
    let pool: QMaxPool2D<4, 2, 2, 8, 8, 4, 4> = m.pool2d().unwrap();
    let flat: QFlatten<4, 4, 4, 64> = m.flatten().unwrap();
    let dense: QDense<64, 10> = m.dense(Identity).unwrap();
    m.finish().unwrap();
    check("digits_cnn", &fixture, |x| {
        dense.forward(&flat.forward(&pool.forward(&conv.forward(&image(x)))))
    });

    let (bytes, fixture) = load("digits_cnn_avg");
    let mut m = Importer::new(&bytes).unwrap();
    let conv: QConv2D<1, 4, 3, 1, 1, 8, 8, 8, 8> = m.conv2d(Relu).unwrap();
    let pool: QAvgPool2D<4, 2, 2, 8, 8, 4, 4> = m.pool2d().unwrap();
    let flat: QFlatten<4, 4, 4, 64> = m.flatten().unwrap();
    let dense: QDense<64, 10> = m.dense(Identity).unwrap();
    m.finish().unwrap();
    check("digits_cnn_avg", &fixture, |x| {
        dense.forward(&flat.forward(&pool.forward(&conv.forward(&image(x)))))
    });
}
