use serde_json::Value;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/tflite");

/// A model's `.tflite` bytes and its fixture (`NAME.json`).
pub fn load(name: &str) -> (Vec<u8>, Value) {
    let json = std::fs::read_to_string(format!("{DIR}/{name}.json")).unwrap();
    let fixture: Value = serde_json::from_str(&json).unwrap();
    let file = fixture["model"].as_str().unwrap();
    (std::fs::read(format!("{DIR}/{file}")).unwrap(), fixture)
}

/// A `.tflite` file of the fixtures folder.
pub fn read(file: &str) -> Vec<u8> {
    std::fs::read(format!("{DIR}/{file}")).unwrap()
}

/// The digits train split, pixels / 16 (make_fixtures.py's representative data, in order).
pub fn digits_train() -> Vec<dl_core::nalgebra::SVector<f32, 64>> {
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/data");
    let rows: Vec<String> = std::fs::read_to_string(format!("{data}/digits.csv"))
        .unwrap()
        .lines()
        .skip(1)
        .map(String::from)
        .collect();
    std::fs::read_to_string(format!("{data}/digits_split.csv"))
        .unwrap()
        .lines()
        .skip(1)
        .filter(|l| l.ends_with(",train"))
        .map(|l| {
            let r: usize = l.split(',').next().unwrap().parse().unwrap();
            let px: Vec<f32> = rows[r]
                .split(',')
                .take(64)
                .map(|v| v.parse::<f32>().unwrap() / 16.0)
                .collect();
            dl_core::nalgebra::SVector::from_fn(|i, _| px[i])
        })
        .collect()
}

/// A fixture's float dense layer `k` (`"{k}.weight"` `[out][in]`, `"{k}.bias"`) into `layer`.
pub fn dense_weights<const I: usize, const O: usize, A: dl_core::activation::Activation>(
    layer: &mut dl_core::layer::Dense<f32, I, O, A>,
    weights: &Value,
    k: usize,
) {
    let (w, b) = (
        &weights[format!("{k}.weight")],
        &weights[format!("{k}.bias")],
    );
    for o in 0..O {
        for i in 0..I {
            layer.weight[(o, i)] = w[o][i].as_f64().unwrap() as f32;
        }
        layer.bias[o] = b[o].as_f64().unwrap() as f32;
    }
}

/// A fixture's float convolution `k` (`"{k}.weight"` `[out][in][kh][kw]`, `"{k}.bias"`)
/// into `layer`.
#[allow(clippy::type_complexity)]
pub fn conv_weights<
    const CI: usize,
    const H: usize,
    const W: usize,
    const CO: usize,
    const K: usize,
    const S: usize,
    const P: usize,
    const PATCH: usize,
    const IN: usize,
    const OUT: usize,
    A: dl_core::activation::Activation,
>(
    layer: &mut dl_core::layer::Conv2D<f32, CI, H, W, CO, K, S, P, PATCH, IN, OUT, A>,
    weights: &Value,
    k: usize,
) {
    let (w, b) = (
        &weights[format!("{k}.weight")],
        &weights[format!("{k}.bias")],
    );
    for o in 0..CO {
        for j in 0..PATCH {
            let (c, u, v) = (j / (K * K), j / K % K, j % K);
            layer.weight[(o, j)] = w[o][c][u][v].as_f64().unwrap() as f32;
        }
        layer.bias[o] = b[o].as_f64().unwrap() as f32;
    }
}

/// An int8 Sigmoid (`sigmoid`) or Tanh table filled as the run-time import filled it
/// before the `const` port of libm's functions: with `libm`'s `expf`, `tanhf`, `roundf`
/// (`LUTPopulateInt8`'s arithmetic).
pub fn libm_table(
    input: dl_core::quant::QuantParams,
    output: dl_core::quant::QuantParams,
    sigmoid: bool,
) -> [i8; 256] {
    let mut table = [0i8; 256];
    let inverse_scale = 1.0 / output.scale;
    for x in -128i32..=127 {
        let v = input.scale * (x - input.zero_point) as f32;
        let f = if sigmoid {
            1.0 / (1.0 + libm::expf(-v))
        } else {
            libm::tanhf(v)
        };
        let q = (libm::roundf(f * inverse_scale) + output.zero_point as f32) as i32;
        table[x as i8 as u8 as usize] = q.clamp(-128, 127) as i8;
    }
    table
}

/// A JSON array of exactly `N` int8 values.
pub fn ints<const N: usize>(v: &Value) -> [i8; N] {
    let v = v.as_array().unwrap();
    assert_eq!(v.len(), N);
    core::array::from_fn(|i| i8::try_from(v[i].as_i64().unwrap()).unwrap())
}
