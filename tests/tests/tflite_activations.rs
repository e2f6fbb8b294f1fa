//! dl's int8 Sigmoid, Tanh and Softmax, imported from `.tflite` files, against LiteRT's
//! reference kernels: every output equal, int8 for int8, on every case the fixtures hold
//! (`tests/fixtures/tflite/make_fixtures.py` writes them). Each case also holds the outputs of
//! LiteRT's optimised kernels and of TFLite Micro's; dl's distance to those is the stated
//! tolerance between TFLite's kernels: 0 steps to LiteRT's optimised kernels, at most 3 output
//! steps to TFLite Micro's (which rounds its dense layers twice and computes Sigmoid and Tanh in
//! fixed point instead of a table).

use dl_core::quant::FusedActivation::{Identity, Relu};
use dl_core::quant::{QConv2D, QDense, QFlatten, QMaxPool2D, QSigmoid, QSoftmax, QTanh};
use dl_core::tflite::Importer;
use dl_tests::tflite::load;
use dl_tests::tflite_cases::check;

/// Output steps dl may differ from LiteRT's optimised kernels, and from TFLite Micro's.
const OPTIMIZED_STEPS: i64 = 0;
const MICRO_STEPS: i64 = 3;

/// Every case of fixture `name` equal to LiteRT's reference, and within the stated tolerance
/// of LiteRT's optimised kernels and TFLite Micro's; returns the number of cases.
fn check_cases<const I: usize, const O: usize>(
    name: &str,
    forward: impl Fn(&[i8; I]) -> [i8; O],
) -> usize {
    let (_, fixture) = load(name);
    let a = check(name, &fixture, forward);
    eprintln!(
        "{name}: {} cases; optimised kernels within {}, TFLite Micro within {}",
        a.cases, a.optimized_steps, a.micro_steps
    );
    assert!(a.optimized_steps <= OPTIMIZED_STEPS && a.micro_steps <= MICRO_STEPS);
    a.cases
}

#[test]
fn tanh_sigmoid_softmax_mlp_equals_litert() {
    let (bytes, _) = load("activations");
    let mut m = Importer::new(&bytes).unwrap();
    let l0: QDense<64, 32> = m.dense(Identity).unwrap();
    let a0: QTanh<32> = m.tanh().unwrap();
    let l1: QDense<32, 16> = m.dense(Identity).unwrap();
    let a1: QSigmoid<16> = m.sigmoid().unwrap();
    let l2: QDense<16, 10> = m.dense(Identity).unwrap();
    let a2: QSoftmax<10> = m.softmax().unwrap();
    assert_eq!(m.finish().unwrap(), a2.output);
    assert_eq!(
        (a0.output, a1.output),
        (QTanh::<32>::OUTPUT, QSigmoid::<16>::OUTPUT)
    );
    check_cases("activations", |x: &[i8; 64]| {
        let x = a0.forward(&l0.forward(x));
        let x = a1.forward(&l1.forward(&x));
        a2.forward(&l2.forward(&x))
    });
}

#[test]
fn sine_with_tanh_and_sigmoid_equals_litert_on_every_input() {
    let (bytes, _) = load("sine_act");
    let mut m = Importer::new(&bytes).unwrap();
    let l0: QDense<1, 16> = m.dense(Identity).unwrap();
    let a0: QTanh<16> = m.tanh().unwrap();
    let l1: QDense<16, 16> = m.dense(Identity).unwrap();
    let a1: QSigmoid<16> = m.sigmoid().unwrap();
    let l2: QDense<16, 1> = m.dense(Identity).unwrap();
    m.finish().unwrap();
    let n = check_cases("sine_act", |x: &[i8; 1]| {
        l2.forward(&a1.forward(&l1.forward(&a0.forward(&l0.forward(x)))))
    });
    assert_eq!(n, 256);
}

#[test]
fn classifiers_ending_in_softmax_equal_litert() {
    let (bytes, _) = load("digits_mlp_softmax");
    let mut m = Importer::new(&bytes).unwrap();
    let l0: QDense<64, 32> = m.dense(Relu).unwrap();
    let l1: QDense<32, 10> = m.dense(Identity).unwrap();
    let s: QSoftmax<10> = m.softmax().unwrap();
    m.finish().unwrap();
    check_cases("digits_mlp_softmax", |x: &[i8; 64]| {
        s.forward(&l1.forward(&l0.forward(x)))
    });

    let (bytes, _) = load("digits_cnn_softmax");
    let mut m = Importer::new(&bytes).unwrap();
    let conv: QConv2D<1, 4, 3, 1, 1, 8, 8, 8, 8> = m.conv2d(Relu).unwrap();
    let pool: QMaxPool2D<4, 2, 2, 8, 8, 4, 4> = m.pool2d().unwrap();
    let flat: QFlatten<4, 4, 4, 64> = m.flatten().unwrap();
    let out: QDense<64, 10> = m.dense(Identity).unwrap();
    let s: QSoftmax<10> = m.softmax().unwrap();
    m.finish().unwrap();
    check_cases("digits_cnn_softmax", |x: &[i8; 64]| {
        let image = QFlatten::<1, 8, 8, 64>::unflatten(x);
        let y = flat.forward(&pool.forward(&conv.forward(&image)));
        s.forward(&out.forward(&y))
    });
}

#[test]
fn activation_mismatches_name_the_layer() {
    let (bytes, _) = load("activations");
    let mut m = Importer::new(&bytes).unwrap();
    let _: QDense<64, 32> = m.dense(Identity).unwrap();
    let e = m.sigmoid::<32>().unwrap_err();
    assert_eq!(
        e.to_string(),
        "layer 1 is declared Sigmoid but the model has TANH there"
    );
    let mut m = Importer::new(&bytes).unwrap();
    let _: QDense<64, 32> = m.dense(Identity).unwrap();
    let e = m.tanh::<16>().unwrap_err();
    assert_eq!(
        e.to_string(),
        "layer 1: input size is 32 in the model but 16 in the declaration"
    );
    // A dense layer declared with a fused ReLU where the model has none then TANH.
    let mut m = Importer::new(&bytes).unwrap();
    assert!(m
        .dense::<64, 32>(Relu)
        .unwrap_err()
        .to_string()
        .contains("layer 1"));
}
