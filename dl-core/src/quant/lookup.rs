//! int8 Sigmoid and Tanh as 256-entry look-up tables: TFLite's `LOGISTIC` and `TANH` with int8
//! input and output, as LiteRT computes them (its reference and optimised kernels alike:
//! `LUTPopulate<int8_t>` in `Prepare`, one table read an element in `Eval`).
//!
//! The table is filled in `f32` exactly as `LUTPopulateInt8` does:
//! `q = clamp(round(f(s_in * (x - z_in)) * (1 / s_out)) + z_out, -128, 127)`, rounding ties
//! away from zero, with `f(v) = 1 / (1 + exp(-v))` or `tanh(v)` (libm's, against glibc's in
//! LiteRT: equal outputs on every fixture case). An element costs one load.
//!
//! TFLite Micro computes the same functions without a table, in gemmlowp's fixed point
//! (`reference_integer_ops::Logistic`/`Tanh`, input in Q4.27). On the fixtures of
//! `tests/fixtures/tflite` its whole models differ from LiteRT's on 9 of 11,056 outputs, by at
//! most 3 steps (its dense layers also round twice). dl follows LiteRT.

use super::params::QuantParams;

/// One table of 256 outputs, indexed by the input's bits (`x as u8`, LiteRT's order).
fn populate(input: QuantParams, output: QuantParams, f: fn(f32) -> f32) -> [i8; 256] {
    let mut table = [0i8; 256];
    let inverse_scale = 1.0 / output.scale;
    for x in -128i32..=127 {
        let dequantized = input.scale * (x - input.zero_point) as f32;
        let rescaled = libm::roundf(f(dequantized) * inverse_scale);
        let q = (rescaled + output.zero_point as f32) as i32;
        table[x as i8 as u8 as usize] = q.clamp(-128, 127) as i8;
    }
    table
}

/// Whether a table is non-decreasing over the inputs in order (-128 up to 127), as a table of
/// a non-decreasing function is: the check a byte image's table passes.
pub const fn monotone(table: &[i8; 256]) -> bool {
    let mut x = -128i32;
    while x < 127 {
        if table[x as i8 as u8 as usize] > table[(x + 1) as i8 as u8 as usize] {
            return false;
        }
        x += 1;
    }
    true
}

fn sigmoid(v: f32) -> f32 {
    1.0 / (1.0 + libm::expf(-v))
}

macro_rules! lookup_layer {
    ($(#[$doc:meta])* $name:ident, $f:expr, $scale:expr, $zero:expr) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq)]
        pub struct $name<const N: usize> {
            /// Input scale and zero point (the previous layer's output).
            pub input: QuantParams,
            /// Output scale and zero point.
            pub output: QuantParams,
            /// The output for each input, at index `x as u8`.
            pub table: [i8; 256],
        }

        impl<const N: usize> $name<N> {
            /// The output quantisation TFLite's converter gives this operator.
            pub const OUTPUT: QuantParams = QuantParams {
                scale: $scale,
                zero_point: $zero,
            };

            /// The layer for an input quantised by `input`, output by `output` (TFLite's
            /// converter always gives [`Self::OUTPUT`]).
            pub fn new(input: QuantParams, output: QuantParams) -> Self {
                Self::from_table(input, output, populate(input, output, $f))
            }

            /// The layer from a stored table; `const`, for weights in flash.
            pub const fn from_table(input: QuantParams, output: QuantParams, table: [i8; 256]) -> Self {
                $name { input, output, table }
            }

            /// The int8 forward pass: one table read an element.
            #[inline]
            pub fn forward(&self, x: &[i8; N]) -> [i8; N] {
                x.map(|v| self.table[v as u8 as usize])
            }
        }
    };
}

lookup_layer!(
    /// int8 Sigmoid: `y = 1 / (1 + exp(-x))`, output scale 1/256, zero point -128.
    QSigmoid,
    sigmoid,
    1.0 / 256.0,
    -128
);

lookup_layer!(
    /// int8 Tanh: `y = tanh(x)`, output scale 1/128, zero point 0.
    QTanh,
    libm::tanhf,
    1.0 / 128.0,
    0
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_follow_the_functions() {
        let input = QuantParams::new(0.05, 3).unwrap();
        let s = QSigmoid::<3>::new(input, QSigmoid::<3>::OUTPUT);
        // x = 3 is real 0: sigmoid 0.5 -> 128 / 256 - 128 = 0; tanh 0 -> 0.
        assert_eq!(s.forward(&[3, -128, 127]), [0, -128, 127]);
        let t = QTanh::<1>::new(input, QTanh::<1>::OUTPUT);
        assert_eq!(t.forward(&[3]), [0]);
        // 127 is real 6.2: tanh 0.99999 -> 127.99 rounds to 128, clamped to 127.
        assert_eq!(t.forward(&[127]), [127]);
        assert!(monotone(&s.table) && monotone(&t.table));
        let mut bad = s.table;
        bad.swap(0, 1);
        assert!(!monotone(&bad));
    }
}
