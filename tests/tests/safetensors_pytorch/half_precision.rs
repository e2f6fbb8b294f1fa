//! F16 and BF16: exact on import, rounded to nearest on export.

use super::*;

network! {
    /// One weight row `[1, 2]` and one bias: small enough to write a file by hand.
    pub struct Tiny {
        Dense<2, 1, Identity>,
    }
}

fn u16s(v: &[u16]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

#[test]
fn f16_and_bf16_files_convert_exactly_on_import() {
    // f16: 0x3C00 = 1, 0xC000 = -2, 0x3555 = 0.333251953125, 0x0001 = 2^-24 (subnormal).
    let file = safetensors_file(&[
        ("0.weight", "F16", vec![1, 2], u16s(&[0x3C00, 0x3555])),
        ("0.bias", "F16", vec![1], u16s(&[0x0001])),
    ]);
    let mut net = Tiny::<f64>::ZERO;
    safetensors::import(&mut net, &file, &Names::pytorch()).unwrap();
    assert_eq!(net.layer1.weight.as_slice(), [1.0, 0.333251953125]);
    assert_eq!(net.layer1.bias[0], 2f64.powi(-24));

    // bf16 is the top half of an f32: 0x3FC0 = 1.5, 0xC2F7 = -123.5, 0x0001 = 2^-133.
    let file = safetensors_file(&[
        ("0.weight", "BF16", vec![1, 2], u16s(&[0x3FC0, 0xC2F7])),
        ("0.bias", "BF16", vec![1], u16s(&[0x0001])),
    ]);
    let mut net = Tiny::<f32>::ZERO;
    safetensors::import(&mut net, &file, &Names::pytorch()).unwrap();
    assert_eq!(net.layer1.weight.as_slice(), [1.5, -123.5]);
    assert_eq!(net.layer1.bias[0].to_bits(), 0x0001_0000);
}

#[test]
fn half_precision_exports_round_to_nearest() {
    // bf16 keeps the top 16 bits of an f32, rounded to nearest even.
    let round_bf16 = |x: f32| {
        let b = x.to_bits();
        f32::from_bits(((b + 0x7FFF + ((b >> 16) & 1)) >> 16) << 16)
    };
    let net = loaded::<f32>();
    let bytes = safetensors::export(&net, Dtype::BF16, &Names::pytorch()).unwrap();
    assert!(read_raw(&bytes).iter().all(|t| t.1 == "BF16"));
    let mut back = DigitsMlp::<f32>::ZERO;
    safetensors::import(&mut back, &bytes, &Names::pytorch()).unwrap();
    for i in 0..4 {
        for (a, b) in net.tensor(i).iter().zip(back.tensor(i)) {
            assert_eq!(round_bf16(*a).to_bits(), b.to_bits());
        }
    }

    // f16 has 11 significant bits: within half an ulp (2^-11 relative) for normal values.
    let bytes = safetensors::export(&net, Dtype::F16, &Names::pytorch()).unwrap();
    safetensors::import(&mut back, &bytes, &Names::pytorch()).unwrap();
    for i in 0..4 {
        for (a, b) in net.tensor(i).iter().zip(back.tensor(i)) {
            let tolerance = (a.abs() * 2f32.powi(-11)).max(2f32.powi(-25));
            assert!((a - b).abs() <= tolerance, "{a} became {b}");
        }
    }
}
