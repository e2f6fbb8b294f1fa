//! Puts memory.x where cortex-m-rt's link.x finds it, as cortex-m-quickstart does; and imports
//! the int8 digits models of `tests/fixtures/tflite` into the declarations of `src/int8.rs`
//! with dl's importer (operators, shapes and quantisation checked; a mismatch fails the build
//! naming the layer), writing each as a `static` of constant expressions. The sine is imported
//! by `network!`'s `#[tflite]` instead (`src/int8.rs`).

use dl_core::quant::source::ConstSource;
use dl_core::quant::FusedActivation::{Identity, Relu};
use dl_core::quant::{QConv2D, QDense, QFlatten, QMaxPool2D};
use dl_core::tflite::{Importer, TfliteError};
use std::{env, fs, path::PathBuf};

const MODELS: &str = "../../tests/fixtures/tflite";

fn read(file: &str) -> Vec<u8> {
    fs::read(format!("{MODELS}/{file}")).unwrap_or_else(|e| panic!("{MODELS}/{file}: {e}"))
}

fn digits_mlp() -> Result<String, TfliteError> {
    let bytes = read("digits_mlp.tflite");
    let mut m = Importer::new(&bytes)?;
    let input = m.input_params()?;
    let l0: QDense<64, 32> = m.dense(Relu)?;
    let l1: QDense<32, 10> = m.dense(Identity)?;
    m.finish()?;
    Ok(format!(
        "/// digits_mlp.tflite.\npub static DIGITS_MLP: DigitsMlp = DigitsMlp {{ input: {}, l0: {}, l1: {} }};\n",
        input.const_source(),
        l0.const_source(),
        l1.const_source()
    ))
}

fn digits_cnn() -> Result<String, TfliteError> {
    let bytes = read("digits_cnn.tflite");
    let mut m = Importer::new(&bytes)?;
    let input = m.input_params()?;
    let conv: QConv2D<1, 4, 3, 1, 1, 8, 8, 8, 8> = m.conv2d(Relu)?;
    let pool: QMaxPool2D<4, 2, 2, 8, 8, 4, 4> = m.pool2d()?;
    let flat: QFlatten<4, 4, 4, 64> = m.flatten()?;
    let out: QDense<64, 10> = m.dense(Identity)?;
    m.finish()?;
    Ok(format!(
        "/// digits_cnn.tflite.\npub static DIGITS_CNN: DigitsCnn = DigitsCnn {{ input: {}, conv: {}, pool: {}, flat: {}, out: {} }};\n",
        input.const_source(),
        conv.const_source(),
        pool.const_source(),
        flat.const_source(),
        out.const_source()
    ))
}

fn main() {
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    fs::write(out.join("memory.x"), include_bytes!("memory.x")).expect("OUT_DIR is writable");
    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rerun-if-changed=memory.x");
    println!("cargo:rerun-if-changed=weights");
    println!("cargo:rerun-if-changed={MODELS}");
    let mut src = String::new();
    for (name, model) in [
        ("digits MLP", digits_mlp as fn() -> _),
        ("digits CNN", digits_cnn),
    ] {
        match model() {
            Ok(s) => src += &s,
            Err(e) => panic!("importing the {name} model: {e}"),
        }
    }
    fs::write(out.join("int8_models.rs"), src).expect("OUT_DIR is writable");
}
