//! int8 Sigmoid and Tanh as 256-entry look-up tables: TFLite's `LOGISTIC` and `TANH` with int8
//! input and output, as LiteRT computes them (its reference and optimised kernels alike:
//! `LUTPopulate<int8_t>` in `Prepare`, one table read an element in `Eval`).
//!
//! The table is filled in `f32` exactly as `LUTPopulateInt8` does, in a `const fn`:
//! `q = clamp(round(f(s_in * (x - z_in)) * (1 / s_out)) + z_out, -128, 127)`, rounding ties
//! away from zero, with `f(v) = 1 / (1 + exp(-v))` or `tanh(v)` (libm's, against glibc's in
//! LiteRT: equal outputs on every fixture case). An element costs one load.
//!
//! TFLite Micro computes the same functions without a table, in gemmlowp's fixed point
//! (`reference_integer_ops::Logistic`/`Tanh`, input in Q4.27). On the fixtures of
//! `tests/fixtures/tflite` its whole models differ from LiteRT's on 9 of 11,056 outputs, by at
//! most 3 steps (its dense layers also round twice). dl follows LiteRT.

use super::const_libm::{expf, roundf, tanhf};
use super::params::QuantParams;

/// The function a table holds.
#[derive(Clone, Copy)]
enum Function {
    Sigmoid,
    Tanh,
}

impl Function {
    /// `1 / (1 + exp(-v))` or `tanh(v)`, as LiteRT's `LUTPopulate` computes them in f32.
    const fn eval(self, v: f32) -> f32 {
        match self {
            Function::Sigmoid => 1.0 / (1.0 + expf(-v)),
            Function::Tanh => tanhf(v),
        }
    }
}

/// One table of 256 outputs, indexed by the input's bits (`x as u8`, LiteRT's order). A
/// `const fn` (libm's functions ported to `const`, [`super::const_libm`]), so a compile-time
/// import fills the same table as a run-time one.
const fn populate(input: QuantParams, output: QuantParams, f: Function) -> [i8; 256] {
    let mut table = [0i8; 256];
    let inverse_scale = 1.0 / output.scale;
    let mut x = -128i32;
    while x <= 127 {
        let dequantized = input.scale * x.wrapping_sub(input.zero_point) as f32;
        let rescaled = roundf(f.eval(dequantized) * inverse_scale);
        let q = (rescaled + output.zero_point as f32) as i32;
        table[x as i8 as u8 as usize] = if q < -128 {
            -128
        } else if q > 127 {
            127
        } else {
            q as i8
        };
        x += 1;
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
            pub const fn new(input: QuantParams, output: QuantParams) -> Self {
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

            /// The int8 forward pass of a `C x H x W` image (a convolution's output, `N =
            /// C * H * W` values): one table read an element.
            #[inline]
            pub fn forward_image<const C: usize, const H: usize, const W: usize>(
                &self,
                x: &[[[i8; W]; H]; C],
            ) -> [[[i8; W]; H]; C] {
                const { assert!(C * H * W == N, "an image of C * H * W = N values") };
                x.map(|c| c.map(|r| r.map(|v| self.table[v as u8 as usize])))
            }
        }
    };
}

lookup_layer!(
    /// int8 Sigmoid: `y = 1 / (1 + exp(-x))`, output scale 1/256, zero point -128.
    QSigmoid,
    Function::Sigmoid,
    1.0 / 256.0,
    -128
);

lookup_layer!(
    /// int8 Tanh: `y = tanh(x)`, output scale 1/128, zero point 0.
    QTanh,
    Function::Tanh,
    1.0 / 128.0,
    0
);

#[cfg(test)]
mod tests {
    use super::*;

    /// The table as the run-time import filled it before the `const` port (libm's functions).
    fn populate_libm(input: QuantParams, output: QuantParams, sigmoid: bool) -> [i8; 256] {
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

    #[test]
    fn tables_equal_libm_filled_ones() {
        // Input scales from 1e-4 to 100 (log-spaced, 1,001 of them), every tenth zero point.
        for k in 0..=1000 {
            let scale = 10f32.powf(-4.0 + k as f32 / 166.67);
            for z in (-128..=127).step_by(10) {
                let input = QuantParams::new(scale, z).unwrap();
                let (s, t) = (QSigmoid::<1>::OUTPUT, QTanh::<1>::OUTPUT);
                assert_eq!(
                    populate(input, s, Function::Sigmoid),
                    populate_libm(input, s, true)
                );
                assert_eq!(
                    populate(input, t, Function::Tanh),
                    populate_libm(input, t, false)
                );
            }
        }
    }

    #[test]
    fn tables_built_by_the_compiler_equal_libm_filled_ones() {
        const IN: QuantParams = QuantParams {
            scale: 0.0371,
            zero_point: -17,
        };
        const S: QSigmoid<4> = QSigmoid::new(IN, QSigmoid::<4>::OUTPUT);
        const T: QTanh<4> = QTanh::new(IN, QTanh::<4>::OUTPUT);
        assert_eq!(S.table, populate_libm(IN, S.output, true));
        assert_eq!(T.table, populate_libm(IN, T.output, false));
    }

    #[test]
    fn images_read_the_table() {
        let t = QTanh::<12>::new(QuantParams::new(0.05, 3).unwrap(), QTanh::<12>::OUTPUT);
        let image: [[[i8; 3]; 2]; 2] = [[[1, 2, 3], [-4, 5, 6]], [[7, -128, 9], [10, 127, 12]]];
        let flat: [i8; 12] = core::array::from_fn(|i| image[i / 6][(i / 3) % 2][i % 3]);
        let (a, b) = (t.forward_image(&image), t.forward(&flat));
        assert_eq!(a.as_flattened().as_flattened(), &b[..]);
    }

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
