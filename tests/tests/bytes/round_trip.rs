//! The format: sizes known at compile time, the header and payload layout, round trips,
//! the architecture fingerprint.

use super::*;

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
