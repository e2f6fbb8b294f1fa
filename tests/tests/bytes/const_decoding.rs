//! The `const` decoders behind `include_network!` agree with the run-time import.

use super::*;

#[test]
fn const_decoding_matches_runtime_import() {
    let fixture = include_bytes!("../../fixtures/xor_f32.bin");
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
    let fixture = include_bytes!("../../fixtures/xor_f64.bin");
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
