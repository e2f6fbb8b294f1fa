//! Save and load give bit-identical weights, for any finite weights (property test).

use super::*;

#[test]
fn save_and_load_give_bit_identical_weights() {
    let dir = std::env::temp_dir().join(format!("dl-safetensors-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();

    let net32 = DigitsMlp::<f32>::new(7);
    let path = dir.join("mlp32.safetensors");
    safetensors::save(&net32, &path).unwrap();
    let mut back32 = DigitsMlp::<f32>::new(8);
    assert_ne!(bits(&back32), bits(&net32));
    safetensors::load(&mut back32, &path).unwrap();
    assert_eq!(bits(&back32), bits(&net32));

    // f64 weights that f32 cannot hold survive an f64 file.
    let mut net64 = DigitsMlp::<f64>::new(7);
    net64.layer2.bias[3] = 0.1 + 1e-12;
    let path = dir.join("mlp64.safetensors");
    safetensors::save(&net64, &path).unwrap();
    let mut back64 = DigitsMlp::<f64>::new(9);
    safetensors::load(&mut back64, &path).unwrap();
    assert_eq!(bits(&back64), bits(&net64));
    let raw = read_raw(&std::fs::read(&path).unwrap());
    assert!(raw.iter().all(|t| t.1 == "F64"));

    // f32 weights survive an f64 file too, and load into f64 exactly.
    let bytes = safetensors::export(&net32, Dtype::F64, &Names::pytorch()).unwrap();
    let mut wide = DigitsMlp::<f64>::ZERO;
    safetensors::import(&mut wide, &bytes, &Names::pytorch()).unwrap();
    assert_eq!(bits(&wide), bits(&net32));
    let mut narrow = DigitsMlp::<f32>::ZERO;
    safetensors::import(&mut narrow, &bytes, &Names::pytorch()).unwrap();
    assert_eq!(bits(&narrow), bits(&net32));

    std::fs::remove_dir_all(&dir).unwrap();
}

network! {
    /// Two small layers, for property tests over arbitrary weights.
    pub struct Small {
        Dense<3, 2, Tanh>,
        Dense<2, 2, Identity>,
    }
}

fn small_from_bits<T: Float>(values: &[T]) -> Small<T> {
    let mut net = Small::<T>::ZERO;
    let mut values = values.iter().copied();
    for i in 0..Small::<T>::TENSORS {
        for v in net.tensor_mut(i) {
            *v = values.next().expect("enough values");
        }
    }
    net
}

proptest::proptest! {
    #[test]
    fn any_finite_weights_round_trip_bit_for_bit(
        bits32 in proptest::collection::vec(proptest::num::f32::ANY, 14),
        bits64 in proptest::collection::vec(proptest::num::f64::ANY, 14),
    ) {
        // Subnormals, -0.0 and extremes included; NaN and infinities are refused on export.
        let finite32: Vec<f32> = bits32.iter().map(|v| if v.is_finite() { *v } else { 0.0 }).collect();
        let finite64: Vec<f64> = bits64.iter().map(|v| if v.is_finite() { *v } else { -0.0 }).collect();
        let net32 = small_from_bits(&finite32);
        let net64 = small_from_bits(&finite64);
        for dtype in [Dtype::F32, Dtype::F64] {
            let bytes = safetensors::export(&net32, dtype, &Names::pytorch()).unwrap();
            let mut back = Small::<f32>::ZERO;
            safetensors::import(&mut back, &bytes, &Names::pytorch()).unwrap();
            proptest::prop_assert_eq!(bits(&back), bits(&net32));
        }
        let bytes = safetensors::export(&net64, Dtype::F64, &Names::pytorch()).unwrap();
        let mut back = Small::<f64>::ZERO;
        safetensors::import(&mut back, &bytes, &Names::pytorch()).unwrap();
        proptest::prop_assert_eq!(bits(&back), bits(&net64));
        let names: Vec<String> = (0..4).map(|i| Names::pytorch_name(&net64, i)).collect();
        proptest::prop_assert_eq!(names, ["0.weight", "0.bias", "2.weight", "2.bias"]);
    }
}
