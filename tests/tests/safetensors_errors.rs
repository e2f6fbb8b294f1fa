//! Bad files give a clear error that names the tensor, leave the network unchanged, and never
//! panic: missing, extra, misshapen, wrongly typed and non-finite tensors, corrupt headers and
//! data, and random or mutated files (property tests).

use dl_core::prelude::*;
use dl_core::safetensors::{self, Dtype, Names, SafetensorsError};
use dl_tests::digits_models::{DigitsCnn, DigitsMlp};
use dl_tests::{fixture_path, safetensors_file};
use proptest::prelude::*;

fn pytorch_file() -> Vec<u8> {
    std::fs::read(fixture_path("digits_mlp.safetensors")).expect("fixture")
}

fn f32s(n: usize, v: f32) -> Vec<u8> {
    (0..n).flat_map(|_| v.to_le_bytes()).collect()
}

/// The MLP's four tensors, all 0.5, in F32.
fn good_tensors() -> Vec<(&'static str, &'static str, Vec<usize>, Vec<u8>)> {
    vec![
        ("0.weight", "F32", vec![32, 64], f32s(32 * 64, 0.5)),
        ("0.bias", "F32", vec![32], f32s(32, 0.5)),
        ("2.weight", "F32", vec![10, 32], f32s(10 * 32, 0.5)),
        ("2.bias", "F32", vec![10], f32s(10, 0.5)),
    ]
}

/// Imports `file` into a seeded network and checks that an error left it unchanged.
fn import_err(file: &[u8]) -> SafetensorsError {
    let mut net = DigitsMlp::<f32>::new(3);
    let before = net.clone();
    let err = safetensors::import(&mut net, file, &Names::pytorch()).expect_err("must fail");
    assert_eq!(net, before, "the network changed on error: {err}");
    err
}

#[test]
fn the_handmade_baseline_loads() {
    let mut net = DigitsMlp::<f32>::new(3);
    safetensors::import(
        &mut net,
        &safetensors_file(&good_tensors()),
        &Names::pytorch(),
    )
    .unwrap();
    assert!((0..4).all(|i| net.tensor(i).iter().all(|&v| v == 0.5)));
}

#[test]
fn a_missing_tensor_is_named() {
    let mut tensors = good_tensors();
    tensors.remove(3);
    let err = import_err(&safetensors_file(&tensors));
    assert!(matches!(&err, SafetensorsError::MissingTensor { name } if name == "2.bias"));
    assert_eq!(err.to_string(), "tensor `2.bias` is missing from the file");
}

#[test]
fn an_extra_tensor_is_named() {
    let mut tensors = good_tensors();
    tensors.push(("4.weight", "F32", vec![3], f32s(3, 1.0)));
    let err = import_err(&safetensors_file(&tensors));
    assert!(matches!(&err, SafetensorsError::ExtraTensor { name } if name == "4.weight"));
    assert_eq!(
        err.to_string(),
        "the file holds tensor `4.weight`, which the network does not have"
    );
}

#[test]
fn a_wrong_shape_gives_expected_and_found() {
    // Transposed: [in, out] instead of PyTorch's [out, in]. Same size, so only the shape
    // tells.
    let mut tensors = good_tensors();
    tensors[0].2 = vec![64, 32];
    let err = import_err(&safetensors_file(&tensors));
    match &err {
        SafetensorsError::Shape {
            name,
            expected,
            found,
        } => {
            assert_eq!(name, "0.weight");
            assert_eq!(expected, &[32, 64]);
            assert_eq!(found, &[64, 32]);
        }
        other => panic!("expected a shape error, got {other:?}"),
    }
    assert_eq!(
        err.to_string(),
        "tensor `0.weight` has shape [64, 32] in the file, but the network expects [32, 64]"
    );

    // A flattened weight is a shape error too.
    let mut tensors = good_tensors();
    tensors[2].2 = vec![320];
    let err = import_err(&safetensors_file(&tensors));
    assert!(matches!(&err, SafetensorsError::Shape { name, .. } if name == "2.weight"));
}

#[test]
fn a_wrong_dtype_is_named() {
    let mut tensors = good_tensors();
    tensors[1].1 = "I32";
    let err = import_err(&safetensors_file(&tensors));
    assert!(
        matches!(&err, SafetensorsError::Dtype { name, found } if name == "0.bias" && found == "I32")
    );
    assert_eq!(
        err.to_string(),
        "tensor `0.bias` has dtype I32; only F16, BF16, F32 and F64 can be loaded"
    );
}

#[test]
fn non_finite_values_are_refused_with_their_index() {
    let mut tensors = good_tensors();
    tensors[3].3[4 * 7..4 * 8].copy_from_slice(&f32::NAN.to_le_bytes());
    let err = import_err(&safetensors_file(&tensors));
    assert!(matches!(&err, SafetensorsError::NonFinite { name, index: 7 } if name == "2.bias"));

    // Finite in F64 but infinite once rounded to the network's f32.
    let mut tensors = good_tensors();
    tensors[1] = ("0.bias", "F64", vec![32], 1e300f64.to_le_bytes().repeat(32));
    let err = import_err(&safetensors_file(&tensors));
    assert!(matches!(&err, SafetensorsError::NonFinite { name, index: 0 } if name == "0.bias"));
}

#[test]
fn corrupt_files_are_errors_naming_the_tensor_where_one_is_at_fault() {
    let good = pytorch_file();

    // Empty, shorter than the length prefix, a header length past the end.
    for bytes in [
        &[][..],
        &good[..5],
        &[255, 255, 255, 255, 255, 255, 255, 127, b'{'],
    ] {
        let err = import_err(bytes);
        assert!(
            matches!(err, SafetensorsError::Corrupt { tensor: None, .. }),
            "{err}"
        );
    }

    // Truncated data: the last tensor in the file runs past the end.
    let err = import_err(&good[..good.len() - 4]);
    assert!(
        matches!(
            &err,
            SafetensorsError::Corrupt {
                tensor: Some(_),
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("past the end"), "{err}");

    // A header that is not JSON.
    let mut bytes = good.clone();
    bytes[8] = b'[';
    let err = import_err(&bytes);
    assert!(
        matches!(err, SafetensorsError::Corrupt { tensor: None, .. }),
        "{err}"
    );

    // Offsets that do not fit the shape.
    let mut tensors = good_tensors();
    tensors[2].3.truncate(4 * 100);
    let err = import_err(&safetensors_file(&tensors));
    assert!(
        matches!(&err, SafetensorsError::Corrupt { tensor: Some(name), .. } if name == "2.weight"),
        "{err}"
    );
    assert!(err
        .to_string()
        .starts_with("corrupt safetensors file: tensor `2.weight`: "));

    // An unknown dtype.
    let mut tensors = good_tensors();
    tensors[0].1 = "F7";
    let err = import_err(&safetensors_file(&tensors));
    assert!(
        matches!(&err, SafetensorsError::Corrupt { tensor: Some(name), .. } if name == "0.weight"),
        "{err}"
    );
}

#[test]
fn a_missing_file_is_an_io_error() {
    let mut net = DigitsMlp::<f32>::new(3);
    let err = safetensors::load(&mut net, "/nonexistent/model.safetensors").unwrap_err();
    assert!(matches!(err, SafetensorsError::Io { .. }));
    assert!(err.to_string().contains("/nonexistent/model.safetensors"));
}

/// Issue 14, defect 9: `safetensors::load` read whole files with no size limit (`/dev/zero`
/// ran until memory was gone). The default limit is the largest file that can fit the
/// network (its parameters in F64 plus a header allowance); past it, or past a given limit,
/// the file is refused after reading at most that much, and the network is unchanged.
#[test]
fn files_past_the_size_limit_are_refused() {
    let limit = safetensors::default_limit::<f32, DigitsMlp<f32>>();
    assert_eq!(limit, safetensors::HEADER_LIMIT + 8 * 2410);
    let mut net = DigitsMlp::<f32>::new(3);
    let before = net.clone();
    if std::path::Path::new("/dev/zero").exists() {
        let start = std::time::Instant::now();
        let err = safetensors::load(&mut net, "/dev/zero").unwrap_err();
        assert!(
            matches!(&err, SafetensorsError::TooLarge { limit: l, .. } if *l == limit),
            "{err}"
        );
        assert!(err.to_string().contains("larger than the limit"), "{err}");
        assert!(start.elapsed().as_secs() < 10);
    }
    let path = fixture_path("digits_mlp.safetensors");
    let size = std::fs::metadata(&path).unwrap().len();
    let err = safetensors::load_limited(&mut net, &path, &Names::pytorch(), size - 1).unwrap_err();
    assert!(matches!(err, SafetensorsError::TooLarge { .. }), "{err}");
    assert_eq!(net, before);
    safetensors::load_limited(&mut net, &path, &Names::pytorch(), size).unwrap();
    assert_ne!(net, before);
    // An F64 export, the largest a network's file can be, is within the default limit.
    let bytes = safetensors::export(&net, Dtype::F64, &Names::pytorch()).unwrap();
    assert!((bytes.len() as u64) < limit);
}

#[test]
fn export_refuses_values_it_cannot_write() {
    let mut net = DigitsMlp::<f32>::new(3);
    net.layer2.weight[(1, 2)] = f32::NAN;
    let err = safetensors::export(&net, Dtype::F32, &Names::pytorch()).unwrap_err();
    // Row-major index of [1][2] in a [10, 32] tensor.
    assert!(matches!(&err, SafetensorsError::NonFinite { name, index: 34 } if name == "2.weight"));

    // 1e5 is finite in f32 but beyond f16's largest value, 65504.
    let mut net = DigitsMlp::<f32>::new(3);
    net.layer1.bias[4] = 1e5;
    let err = safetensors::export(&net, Dtype::F16, &Names::pytorch()).unwrap_err();
    assert!(matches!(&err, SafetensorsError::NonFinite { name, index: 4 } if name == "0.bias"));
    assert!(safetensors::export(&net, Dtype::BF16, &Names::pytorch()).is_ok());
}

#[test]
fn inconsistent_names_are_refused() {
    let net = DigitsMlp::<f32>::new(3);
    let typo = Names::pytorch().rename("0.weigth", "fc.weight");
    let err = safetensors::export(&net, Dtype::F32, &typo).unwrap_err();
    assert!(matches!(&err, SafetensorsError::UnknownRename { name } if name == "0.weigth"));
    let clash = Names::pytorch().rename("0.weight", "2.weight");
    let err = safetensors::export(&net, Dtype::F32, &clash).unwrap_err();
    assert!(matches!(&err, SafetensorsError::DuplicateName { name } if name == "2.weight"));
    let mut copy = net.clone();
    let err = safetensors::import(&mut copy, &pytorch_file(), &clash).unwrap_err();
    assert!(matches!(err, SafetensorsError::DuplicateName { .. }));
    assert_eq!(copy, net);
}

/// Imports arbitrary bytes: any outcome but a panic is fine, and an error leaves the network
/// as it was.
fn import_any(bytes: &[u8]) -> Result<(), SafetensorsError> {
    let mut net = DigitsMlp::<f32>::new(3);
    let before = net.clone();
    let result = safetensors::import(&mut net, bytes, &Names::pytorch());
    match &result {
        Err(_) => assert_eq!(net, before),
        Ok(()) => assert!(net.all_finite()),
    }
    result
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        prop_assert!(import_any(&bytes).is_err());
    }

    #[test]
    fn random_headers_never_panic(
        header in "\\{(\"[0-9a-z.]{0,8}\":\\{\"dtype\":\"[A-Z0-9]{2,4}\",\"shape\":\\[[0-9,]{0,8}\\],\"data_offsets\":\\[[0-9]{1,4},[0-9]{1,4}\\]\\},?){0,5}\\}",
        data in proptest::collection::vec(any::<u8>(), 0..64),
    ) {
        let mut bytes = (header.len() as u64).to_le_bytes().to_vec();
        bytes.extend(header.as_bytes());
        bytes.extend(data);
        let _ = import_any(&bytes);
    }

    #[test]
    fn mutated_pytorch_files_never_panic(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
        cut in proptest::option::of(any::<prop::sample::Index>()),
    ) {
        let mut bytes = pytorch_file();
        for (at, byte) in edits {
            let k = at.index(bytes.len());
            bytes[k] = byte;
        }
        if let Some(cut) = cut {
            bytes.truncate(cut.index(bytes.len()));
        }
        let _ = import_any(&bytes);
    }

    #[test]
    fn mutated_headers_never_panic(
        edits in proptest::collection::vec((0usize..300, any::<u8>()), 1..4),
    ) {
        // Mutations aimed at the JSON header, where the parsing is.
        let mut bytes = pytorch_file();
        let header_len = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
        for (at, byte) in edits {
            bytes[8 + at % header_len] = byte;
        }
        let _ = import_any(&bytes);
    }
}

#[test]
fn the_wrong_models_file_names_the_first_tensor_that_differs() {
    // The MLP's file into the CNN: `0.weight` is a Linear's [32, 64], not a kernel.
    let mut cnn = DigitsCnn::<f32>::new(3);
    let before = cnn.clone();
    let err = safetensors::import(&mut cnn, &pytorch_file(), &Names::pytorch()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "tensor `0.weight` has shape [32, 64] in the file, but the network expects [4, 1, 3, 3]"
    );
    assert_eq!(cnn, before);

    // The CNN's file into the MLP.
    let cnn_file = std::fs::read(fixture_path("digits_cnn.safetensors")).unwrap();
    let err = import_err(&cnn_file);
    assert!(matches!(&err, SafetensorsError::Shape { name, .. } if name == "0.weight"));
}
