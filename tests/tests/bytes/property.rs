//! Property test, deterministic (seeded with our own `Rng`): whatever the bytes, import
//! returns (never panics), and it accepts only an intact image.

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
