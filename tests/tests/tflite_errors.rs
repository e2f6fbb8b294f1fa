//! Bad `.tflite` input: every malformed file is an error value, never a panic; a model that
//! does not fit its declaration is an error naming the layer; an unsupported operator is named.

use dl_core::quant::FusedActivation::{Identity, Relu};
use dl_core::quant::{QConv2D, QDense};
use dl_core::tflite::{Importer, TfliteError};
use dl_tests::tflite::read;

/// Imports the sine declaration `Dense<1,16,Relu>, Dense<16,16,Relu>, Dense<16,1,Identity>`.
fn import_sine(bytes: &[u8]) -> Result<(), TfliteError> {
    let mut m = Importer::new(bytes)?;
    m.input_params()?;
    let _: QDense<1, 16> = m.dense(Relu)?;
    let _: QDense<16, 16> = m.dense(Relu)?;
    let _: QDense<16, 1> = m.dense(Identity)?;
    m.finish().map(|_| ())
}

#[test]
fn every_truncation_is_an_error() {
    for file in ["microflow_sine.tflite", "sine.tflite"] {
        let bytes = read(file);
        assert!(import_sine(&bytes).is_ok(), "{file}");
        for n in 0..bytes.len() {
            assert!(
                import_sine(&bytes[..n]).is_err(),
                "{file} truncated to {n} bytes"
            );
        }
    }
}

#[test]
fn corrupted_bytes_never_panic() {
    let bytes = read("microflow_sine.tflite");
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let (mut errors, mut oks) = (0, 0);
    for _ in 0..20_000 {
        let mut b = bytes.clone();
        for _ in 0..1 + (state % 4) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let i = (state as usize) % b.len();
            b[i] = (state >> 32) as u8;
        }
        match import_sine(&b) {
            Ok(()) => oks += 1,
            Err(e) => {
                assert!(!e.to_string().is_empty());
                errors += 1;
            }
        }
    }
    // Most single-byte changes hit weights (still a valid model); many hit the structure.
    assert!(errors > 100, "{errors} errors, {oks} accepted");
}

#[test]
fn not_a_model() {
    assert_eq!(
        import_sine(b"hello world, not tflite"),
        Err(TfliteError::NotTflite)
    );
    assert!(matches!(
        import_sine(b"abc"),
        Err(TfliteError::Malformed { .. })
    ));
}

#[test]
fn mismatches_name_the_layer() {
    let bytes = read("microflow_sine.tflite");
    let mut m = Importer::new(&bytes).unwrap();
    let e = m.dense::<1, 8>(Relu).unwrap_err();
    assert_eq!(
        e,
        TfliteError::Shape {
            layer: 1,
            what: "output size",
            expected: 8,
            found: 16
        }
    );
    assert!(e
        .to_string()
        .starts_with("layer 1: output size is 16 in the model but 8"));

    let mut m = Importer::new(&bytes).unwrap();
    let _: QDense<1, 16> = m.dense(Relu).unwrap();
    let _: QDense<16, 16> = m.dense(Relu).unwrap();
    let e = m.dense::<16, 1>(Relu).unwrap_err();
    assert_eq!(
        e,
        TfliteError::Activation {
            layer: 3,
            expected: "Relu",
            found: 0
        }
    );

    let mut m = Importer::new(&bytes).unwrap();
    let e = m.conv2d::<1, 16, 1, 1, 0, 1, 1, 1, 1>(Relu).unwrap_err();
    assert_eq!(
        e,
        TfliteError::LayerKind {
            layer: 1,
            expected: "Conv2D",
            found: "FULLY_CONNECTED"
        }
    );

    let mut m = Importer::new(&bytes).unwrap();
    let _: QDense<1, 16> = m.dense(Relu).unwrap();
    assert_eq!(m.finish(), Err(TfliteError::TrailingOperators { count: 2 }));

    let mut m = Importer::new(&bytes).unwrap();
    let _: QDense<1, 16> = m.dense(Relu).unwrap();
    let _: QDense<16, 16> = m.dense(Relu).unwrap();
    let _: QDense<16, 1> = m.dense(Identity).unwrap();
    let e = m.dense::<1, 1>(Identity).unwrap_err();
    assert!(e
        .to_string()
        .contains("layer 4 is declared Dense but the model has the end of the model"));
}

#[test]
fn unsupported_operators_are_named() {
    let bytes = read("digits_mlp_leaky.tflite");
    let mut m = Importer::new(&bytes).unwrap();
    let _: QDense<64, 32> = m.dense(Relu).unwrap();
    let _: QDense<32, 10> = m.dense(Identity).unwrap();
    let e = m.dense::<10, 10>(Identity).unwrap_err();
    assert!(
        matches!(
            e,
            TfliteError::UnsupportedOperator {
                code: 98,
                name: "LEAKY_RELU",
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("LEAKY_RELU"));
    // SOFTMAX is imported, but only where a Softmax is declared.
    let bytes = read("digits_mlp_softmax.tflite");
    let mut m = Importer::new(&bytes).unwrap();
    let _: QDense<64, 32> = m.dense(Relu).unwrap();
    let _: QDense<32, 10> = m.dense(Identity).unwrap();
    let e = m.dense::<10, 10>(Identity).unwrap_err();
    assert_eq!(
        e.to_string(),
        "layer 3 is declared Dense but the model has SOFTMAX there"
    );
}

#[test]
fn conv_declaration_mismatches() {
    let bytes = read("digits_cnn.tflite");
    // Declared without padding: the model's SAME padding is 2 in total.
    let mut m = Importer::new(&bytes).unwrap();
    let e = m.conv2d::<1, 4, 3, 1, 0, 8, 8, 6, 6>(Relu).unwrap_err();
    assert!(
        matches!(
            e,
            TfliteError::Shape {
                layer: 1,
                what: "padding (height)",
                expected: 0,
                found: 2
            }
        ),
        "{e:?}"
    );
    let mut m = Importer::new(&bytes).unwrap();
    let e = m.conv2d::<1, 8, 3, 1, 1, 8, 8, 8, 8>(Relu).unwrap_err();
    assert!(matches!(e, TfliteError::Shape { layer: 1, .. }), "{e:?}");
    let _ = QConv2D::<1, 4, 3, 1, 1, 8, 8, 8, 8>::new;
}
