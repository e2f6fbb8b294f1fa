//! Every refusal of a bad image, with the network left unchanged, and what the errors say.

use super::*;

#[test]
fn wrong_magic() {
    let mut img = image(&Xor::<f32>::new(1));
    img[0] = b'X';
    refused::<Xor<f32>>(&img, BytesError::Magic { found: *b"XLNN" });
    // A file of something else entirely.
    refused::<Xor<f32>>(
        b"PK\x03\x04 not a parameter image",
        BytesError::Magic {
            found: *b"PK\x03\x04",
        },
    );
}

#[test]
fn wrong_version() {
    let mut img = image(&Xor::<f32>::new(1));
    img[4..6].copy_from_slice(&2u16.to_le_bytes());
    reseal(&mut img);
    refused::<Xor<f32>>(
        &img,
        BytesError::Version {
            expected: 1,
            found: 2,
        },
    );
}

#[test]
fn wrong_scalar_type() {
    let img = image(&Xor::<f64>::new(1));
    refused::<Xor<f32>>(
        &img,
        BytesError::Scalar {
            expected: 4,
            found: 8,
        },
    );
    let img = image(&Xor::<f32>::new(1));
    refused::<Xor<f64>>(
        &img,
        BytesError::Scalar {
            expected: 8,
            found: 4,
        },
    );
}

#[test]
fn wrong_architecture_even_with_the_same_length() {
    let img = image(&XorTanh::<f32>::new(1));
    assert_eq!(img.len(), Xor::<f32>::BYTES);
    refused::<Xor<f32>>(
        &img,
        BytesError::Architecture {
            expected: Xor::<f32>::ARCHITECTURE,
            found: XorTanh::<f32>::ARCHITECTURE,
        },
    );
    refused::<Xor<f32>>(
        &image(&Deep::<f32>::new(1)),
        BytesError::Architecture {
            expected: Xor::<f32>::ARCHITECTURE,
            found: Deep::<f32>::ARCHITECTURE,
        },
    );
}

#[test]
fn wrong_parameter_count() {
    let mut img = image(&Xor::<f32>::new(1));
    img[16..20].copy_from_slice(&16u32.to_le_bytes());
    reseal(&mut img);
    refused::<Xor<f32>>(
        &img,
        BytesError::Params {
            expected: 17,
            found: 16,
        },
    );
}

#[test]
fn wrong_length() {
    let img = image(&Xor::<f32>::new(1));
    let n = img.len();
    for len in [0, 3, 4, 23, 24, n - 4, n - 1] {
        refused::<Xor<f32>>(
            &img[..len],
            BytesError::Length {
                expected: n,
                found: len,
            },
        );
    }
    let mut longer = img.clone();
    longer.extend_from_slice(&[0; 4]);
    refused::<Xor<f32>>(
        &longer,
        BytesError::Length {
            expected: n,
            found: n + 4,
        },
    );
}

#[test]
fn wrong_checksum() {
    let img = image(&Xor::<f32>::new(1));
    let stored = u32::from_le_bytes(img[20..24].try_into().unwrap());
    let mut bad = img.clone();
    bad[HEADER_BYTES + 5] ^= 0x10;
    let Err(BytesError::Checksum {
        stored: s,
        computed,
    }) = Xor::<f32>::from_bytes(&bad)
    else {
        panic!("a flipped payload bit was not caught by the checksum");
    };
    assert_eq!(s, stored);
    assert_ne!(computed, stored);
    refused::<Xor<f32>>(&bad, BytesError::Checksum { stored, computed });
    // The checksum field itself changed.
    let mut bad = img;
    bad[22] ^= 1;
    assert!(matches!(
        Xor::<f32>::from_bytes(&bad),
        Err(BytesError::Checksum { .. })
    ));
}

#[test]
fn non_finite_parameters_are_refused_on_import_and_export() {
    for (index, v) in [(0, f32::NAN), (7, f32::INFINITY), (16, f32::NEG_INFINITY)] {
        let mut img = image(&Xor::<f32>::new(1));
        let at = HEADER_BYTES + 4 * index;
        img[at..at + 4].copy_from_slice(&v.to_le_bytes());
        reseal(&mut img);
        refused::<Xor<f32>>(&img, BytesError::NonFinite { index });
        assert_eq!(
            decode_f32::<17>(&img, Layout::of::<Xor<f32>>()).err(),
            Some(BytesError::NonFinite { index })
        );
    }
    let mut net = Xor::<f32>::new(1);
    net.out.bias[0] = f32::NAN;
    let mut out = [0xAAu8; Xor::<f32>::BYTES];
    assert_eq!(
        net.export_bytes(&mut out),
        Err(BytesError::NonFinite { index: 16 })
    );
    assert!(
        out.iter().all(|&b| b == 0xAA),
        "a refused export wrote bytes"
    );
}

#[test]
fn export_needs_a_buffer_of_the_exact_length() {
    let net = Xor::<f32>::new(1);
    for len in [0, 91, 93] {
        let mut out = vec![0u8; len];
        assert_eq!(
            net.export_bytes(&mut out),
            Err(BytesError::Length {
                expected: 92,
                found: len
            })
        );
    }
}

#[test]
fn errors_say_what_is_wrong() {
    let e = BytesError::Architecture {
        expected: 1,
        found: 2,
    };
    assert_eq!(
        e.to_string(),
        "the parameter image was made by a network with other layers: \
         fingerprint 0x0000000000000002, expected 0x0000000000000001"
    );
    let e = BytesError::Length {
        expected: 92,
        found: 3,
    };
    assert_eq!(
        e.to_string(),
        "the parameter image has the wrong length: 3 bytes, expected 92"
    );
}
