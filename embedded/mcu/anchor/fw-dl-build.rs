//! dl int8: MicroFlow's sine.tflite imported by dl's importer (checked against the declaration
//! Dense<1,16,Relu>, Dense<16,16,Relu>, Dense<16,1,Identity>) and written as a static of
//! constant expressions (weights in flash).
use dl_core::quant::source::ConstSource;
use dl_core::quant::FusedActivation::{Identity, Relu};
use dl_core::quant::QDense;
use dl_core::tflite::Importer;
use std::{env, fs, path::PathBuf};

fn main() {
    let path = "../fw-microflow/sine.tflite";
    println!("cargo:rerun-if-changed={path}");
    let bytes = fs::read(path).expect("run.sh copies sine.tflite first");
    let mut m = Importer::new(&bytes).unwrap();
    let input = m.input_params().unwrap();
    let l0: QDense<1, 16> = m.dense(Relu).unwrap();
    let l1: QDense<16, 16> = m.dense(Relu).unwrap();
    let l2: QDense<16, 1> = m.dense(Identity).unwrap();
    m.finish().unwrap();
    let src = format!(
        "pub static INPUT: ::dl_core::quant::QuantParams = {};\n\
         pub static L0: ::dl_core::quant::QDense<1, 16> = {};\n\
         pub static L1: ::dl_core::quant::QDense<16, 16> = {};\n\
         pub static L2: ::dl_core::quant::QDense<16, 1> = {};\n",
        input.const_source(), l0.const_source(), l1.const_source(), l2.const_source()
    );
    let out = PathBuf::from(env::var_os("OUT_DIR").unwrap());
    fs::write(out.join("sine_i8.rs"), src).unwrap();
}
