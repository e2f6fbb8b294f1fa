//! The parameter image of `dl_core::bytes`: round trips, every error, and a deterministic
//! property test over random and mutated images.

use dl_core::bytes::{crc32, decode_f32, Layout, HEADER_BYTES, MAGIC, VERSION};
use dl_core::prelude::*;

network! {
    /// XOR with named layers.
    pub struct Xor {
        hidden: Dense<2, 4, Sigmoid>,
        out: Dense<4, 1, Sigmoid>,
    }
}

network! {
    /// The same layers as `Xor` under other names (and other spacing).
    pub struct XorRenamed {
        first: Dense<2,4,Sigmoid>,
        Dense<4, 1, Sigmoid>,
    }
}

network! {
    /// As many parameters as `Xor`, but another activation: another architecture.
    pub struct XorTanh {
        hidden: Dense<2, 4, Tanh>,
        out: Dense<4, 1, Sigmoid>,
    }
}

network! {
    /// Three layers, to check the tensor order across more than two.
    pub struct Deep {
        Dense<5, 7, Relu>,
        Dense<7, 3, Tanh>,
        Dense<3, 2, Identity>,
    }
}

/// The weights of `tests/fixtures/xor_f32.bin`, written by `Xor::<f32>::new(FIXTURE_SEED)`.
const FIXTURE_SEED: u64 = 2026;

/// Decoded in the compiler: a `static` in `.rodata`, no RAM copy.
static XOR_IN_FLASH: Xor<f32> = dl_core::include_network!(Xor<f32>, "../fixtures/xor_f32.bin");
/// The same in `f64`, through a path to the type.
static XOR64_IN_FLASH: self::Xor<f64> =
    dl_core::include_network!(self::Xor<f64>, "../fixtures/xor_f64.bin");

fn image<N: Network>(net: &N) -> Vec<u8> {
    let mut out = vec![0u8; N::BYTES];
    net.export_bytes(&mut out)
        .expect("a finite network exports");
    out
}

/// Rewrites the checksum after a deliberate edit, so a test reaches the check behind it.
fn reseal(image: &mut [u8]) {
    let mut covered = image[..20].to_vec();
    covered.extend_from_slice(&image[HEADER_BYTES..]);
    let crc = crc32(&covered);
    image[20..24].copy_from_slice(&crc.to_le_bytes());
}

fn scalars<T: Float, N: Params<T>>(net: &N) -> Vec<T> {
    (0..N::TENSORS)
        .flat_map(|i| net.tensor(i).to_vec())
        .collect()
}

/// Imports `bad` into a trained network and checks it was refused with `want`, untouched.
fn refused<N: Network + ValueOnStack + PartialEq + core::fmt::Debug>(bad: &[u8], want: BytesError) {
    let mut net = N::new(3);
    let before = scalars(&net);
    assert_eq!(net.import_bytes(bad), Err(want));
    assert_eq!(
        scalars(&net),
        before,
        "a refused import changed the network"
    );
    assert_eq!(N::from_bytes(bad).err(), Some(want));
}

#[test]
fn crc32_matches_the_standard_check_value() {
    // The check value of CRC-32/ISO-HDLC (zlib's crc32) for "123456789".
    assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    assert_eq!(crc32(b""), 0);
}

#[test]
fn sizes_are_known_at_compile_time() {
    const _: () = assert!(Xor::<f32>::BYTES == 24 + 17 * 4);
    const _: () = assert!(Xor::<f64>::BYTES == 24 + 17 * 8);
    const _: () = assert!(Deep::<f32>::BYTES == HEADER_BYTES + Deep::<f32>::PARAM_BYTES);
    // Training memory: the workspace holds at least the cache and the gradient.
    const _: () = assert!(
        Workspace::<Xor<f32>>::BYTES >= Xor::<f32>::CACHE_BYTES + Xor::<f32>::GRADIENT_BYTES
    );
    let buf = [0u8; Xor::<f32>::BYTES];
    assert_eq!(buf.len(), 92);
}

#[test]
fn header_and_payload_are_little_endian_in_tensor_order() {
    let net = Deep::<f32>::new(11);
    let img = image(&net);
    assert_eq!(&img[0..4], &MAGIC);
    assert_eq!(u16::from_le_bytes([img[4], img[5]]), VERSION);
    assert_eq!(u16::from_le_bytes([img[6], img[7]]), 4);
    assert_eq!(
        u64::from_le_bytes(img[8..16].try_into().unwrap()),
        Deep::<f32>::ARCHITECTURE
    );
    assert_eq!(
        u32::from_le_bytes(img[16..20].try_into().unwrap()) as usize,
        Deep::<f32>::PARAMS
    );
    let payload: Vec<f32> = img[HEADER_BYTES..]
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes(b.try_into().unwrap()))
        .collect();
    assert_eq!(payload, scalars(&net));
    // Column-major: the second scalar is W[1][0], PyTorch's weight[1][0].
    assert_eq!(payload[1], net.layer1.weight[(1, 0)]);
}

#[test]
fn round_trip_f32() {
    for seed in 0..20 {
        let net = Deep::<f32>::new(seed);
        let img = image(&net);
        let back = Deep::<f32>::from_bytes(&img).unwrap();
        assert_eq!(back, net);
        assert_eq!(image(&back), img);
        let mut other = Deep::<f32>::new(seed + 100);
        other.import_bytes(&img).unwrap();
        assert_eq!(other, net);
    }
}

#[test]
fn round_trip_f64() {
    for seed in 0..20 {
        let mut net = Deep::<f64>::new(seed);
        // Values that f32 cannot hold: the image must keep all 64 bits.
        net.layer1.bias[0] = 1.0 + f64::EPSILON;
        net.layer3.weight[(1, 2)] = -1e-300;
        let img = image(&net);
        assert_eq!(img.len(), HEADER_BYTES + Deep::<f64>::PARAMS * 8);
        let back = Deep::<f64>::from_bytes(&img).unwrap();
        assert_eq!(back, net);
        assert_eq!(image(&back), img);
    }
}

#[test]
fn trained_network_round_trips_and_predicts_the_same() {
    let xs = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]].map(SVector::<f32, 2>::from);
    let ys = [[0.0], [1.0], [1.0], [0.0]].map(SVector::<f32, 1>::from);
    let mut net = Xor::<f32>::new(42);
    let mut sgd = Sgd::new(2.0);
    let mut ws = Workspace::new();
    for _ in 0..200 {
        train_batch::<_, Mse, _>(&mut net, &mut sgd, &xs, &ys, &mut ws).unwrap();
    }
    let back = Xor::<f32>::from_bytes(&image(&net)).unwrap();
    for x in &xs {
        assert_eq!(back.forward(x), net.forward(x));
    }
}

#[test]
fn fingerprint_ignores_names_and_spacing_but_not_layers() {
    assert_eq!(Xor::<f32>::ARCHITECTURE, XorRenamed::<f32>::ARCHITECTURE);
    assert_ne!(Xor::<f32>::ARCHITECTURE, XorTanh::<f32>::ARCHITECTURE);
    assert_ne!(Xor::<f32>::ARCHITECTURE, Deep::<f32>::ARCHITECTURE);
    // Weights move between same-shaped networks whatever the names.
    let net = Xor::<f32>::new(5);
    let renamed = XorRenamed::<f32>::from_bytes(&image(&net)).unwrap();
    assert_eq!(scalars(&renamed), scalars(&net));
}

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

#[test]
fn const_decoding_matches_runtime_import() {
    let fixture = include_bytes!("../fixtures/xor_f32.bin");
    let net = Xor::<f32>::new(FIXTURE_SEED);
    // The fixture is what export writes for this seed, byte for byte...
    assert_eq!(image(&net), fixture.to_vec());
    // ...and the network the compiler decoded from it is the same network.
    assert_eq!(XOR_IN_FLASH, net);
    assert_eq!(Xor::<f32>::from_bytes(fixture).unwrap(), XOR_IN_FLASH);
    let x = SVector::<f32, 2>::new(1.0, 0.0);
    assert_eq!(XOR_IN_FLASH.forward(&x), net.forward(&x));
}

#[test]
fn const_decoding_matches_runtime_import_in_f64() {
    let fixture = include_bytes!("../fixtures/xor_f64.bin");
    let net = Xor::<f64>::new(FIXTURE_SEED);
    assert_eq!(image(&net), fixture.to_vec());
    assert_eq!(XOR64_IN_FLASH, net);
    // An f64 image is refused by the f32 decoder, at run time as in a const.
    assert_eq!(
        decode_f32::<17>(fixture, Layout::of::<Xor<f32>>()).err(),
        Some(BytesError::Scalar {
            expected: 4,
            found: 8
        })
    );
}

#[test]
fn from_scalars_needs_exactly_params_scalars() {
    let net = Deep::<f64>::new(9);
    let flat = scalars(&net);
    assert_eq!(Deep::<f64>::from_scalars(&flat), Some(net));
    assert_eq!(Deep::<f64>::from_scalars(&flat[1..]), None);
    let mut longer = flat.clone();
    longer.push(0.0);
    assert_eq!(Deep::<f64>::from_scalars(&longer), None);
}

/// Property test, deterministic (seeded with our own `Rng`): whatever the bytes, import
/// returns (never panics), and it accepts only an intact image.
mod property {
    use super::*;

    const CASES: usize = 4000;

    fn random_bytes(rng: &mut Rng, len: usize) -> Vec<u8> {
        (0..len).map(|_| rng.next_u64() as u8).collect()
    }

    /// Applies a mutation that CRC-32 is certain to catch, or that an earlier check catches:
    /// 1 to 3 flipped bits, a changed burst of 1 to 4 bytes, a truncation or an extension.
    fn mutate(rng: &mut Rng, img: &[u8]) -> Vec<u8> {
        let mut bad = img.to_vec();
        match rng.below(4) {
            0 => {
                let flips = 1 + rng.below(3);
                let mut bits: Vec<usize> = Vec::new();
                while bits.len() < flips {
                    let bit = rng.below(img.len() * 8);
                    if !bits.contains(&bit) {
                        bits.push(bit);
                    }
                }
                for bit in bits {
                    bad[bit / 8] ^= 1 << (bit % 8);
                }
            }
            1 => {
                let len = 1 + rng.below(4);
                let at = rng.below(img.len() - len + 1);
                for b in &mut bad[at..at + len] {
                    *b ^= 1 + rng.below(255) as u8;
                }
            }
            2 => bad.truncate(rng.below(img.len())),
            _ => {
                let extra = 1 + rng.below(16);
                bad.extend(random_bytes(rng, extra));
            }
        }
        assert_ne!(bad, img);
        bad
    }

    #[test]
    fn random_bytes_are_refused() {
        let mut rng = Rng::new(0xB17E5);
        let n = Xor::<f32>::BYTES;
        for case in 0..CASES {
            let len = if case % 2 == 0 { n } else { rng.below(2 * n) };
            let mut bytes = random_bytes(&mut rng, len);
            // Half of the exact-length cases get a valid header, so they reach the checksum.
            if case % 4 == 0 {
                let valid = image(&Xor::<f32>::new(case as u64));
                bytes[..20].copy_from_slice(&valid[..20]);
            }
            refused_any::<Xor<f32>>(&bytes);
            assert!(decode_f32::<17>(&bytes, Layout::of::<Xor<f32>>()).is_err());
        }
    }

    #[test]
    fn mutated_images_are_refused() {
        let mut rng = Rng::new(0x5EED);
        for case in 0..CASES {
            let good32 = image(&Deep::<f32>::new(case as u64));
            refused_any::<Deep<f32>>(&mutate(&mut rng, &good32));
            let good64 = image(&Deep::<f64>::new(case as u64));
            refused_any::<Deep<f64>>(&mutate(&mut rng, &good64));
        }
    }

    #[test]
    fn sealed_random_payloads_are_accepted_exactly_when_finite() {
        let mut rng = Rng::new(0xF1A7);
        let mut accepted = 0;
        for case in 0..CASES {
            let mut img = image(&Xor::<f32>::new(0));
            for b in &mut img[HEADER_BYTES..] {
                *b = rng.next_u64() as u8;
            }
            // Most random bit patterns are finite; make some payloads NaN-free on purpose
            // and others hold exactly one NaN.
            if case % 3 == 0 {
                let at = HEADER_BYTES + 4 * rng.below(17);
                img[at..at + 4].copy_from_slice(&f32::NAN.to_le_bytes());
            }
            reseal(&mut img);
            let payload: Vec<f32> = img[HEADER_BYTES..]
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes(b.try_into().unwrap()))
                .collect();
            let mut net = Xor::<f32>::new(1);
            let before = scalars(&net);
            match payload.iter().position(|v| !v.is_finite()) {
                None => {
                    net.import_bytes(&img).unwrap();
                    let got = scalars(&net);
                    assert!(got
                        .iter()
                        .zip(&payload)
                        .all(|(a, b)| a.to_bits() == b.to_bits()));
                    accepted += 1;
                }
                Some(index) => {
                    assert_eq!(net.import_bytes(&img), Err(BytesError::NonFinite { index }));
                    assert_eq!(scalars(&net), before);
                }
            }
        }
        assert!(accepted > CASES / 3, "only {accepted} payloads were finite");
    }

    fn refused_any<N: Network + ValueOnStack>(bad: &[u8]) {
        let mut net = N::new(3);
        let before = scalars(&net);
        assert!(net.import_bytes(bad).is_err(), "accepted corrupted bytes");
        assert_eq!(
            scalars(&net),
            before,
            "a refused import changed the network"
        );
    }
}
