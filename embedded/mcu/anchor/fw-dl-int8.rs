
/// dl int8: sine.tflite imported at build time (build.rs), weights in flash.
pub mod int8 {
    include!(concat!(env!("OUT_DIR"), "/sine_i8.rs"));

    /// Quantise, three int8 dense layers, dequantise.
    #[inline(never)]
    pub fn predict(x: f32) -> f32 {
        let q = INPUT.quantize(x);
        let y = L2.forward(&L1.forward(&L0.forward(&[q])));
        L2.output.dequantize(y[0])
    }
}
