//! MicroFlow's `sine.tflite` in int8, imported at build time (weights in flash), measured as
//! `../shared/anchors/microflow` measures: markers 1 nothing; 3 one inference at x = 0.5;
//! 5 the 100-point loop without inference; 7 the loop with one inference each. Then the stack
//! of one inference and the accuracy against `libm::sinf`, in millionths (no float
//! formatting). Exits 0 if the max error is below 0.5 (the published model itself is off by
//! 0.32 at 2 pi).
#![no_std]
#![no_main]

use core::fmt::Write;
use core::hint::black_box;
use cortex_m_rt::entry;
use dl_mcu::int8::SINE;
use dl_mcu::measure::{marker, stack_of};
use panic_semihosting as _;

const POINTS: usize = 100;

fn x(i: usize) -> f32 {
    i as f32 * (2.0 * core::f32::consts::PI / (POINTS - 1) as f32)
}

/// The most stack this firmware may use, in bytes (int8 inference; 556 / 1,076 / 1,372 B for
/// int8_digits / int8_digits_cnn / int8_sine on the M0): past it the firmware fails, and CI.
const STACK_BUDGET: usize = 2048;

#[entry]
fn main() -> ! {
    dl_mcu::run(STACK_BUDGET, |out| {
        let net = &SINE;
        let stack = stack_of(|| {
            black_box(net.predict(black_box(0.5)));
        });
        let mut ys = [0f32; POINTS];
        marker();
        marker();
        marker();
        let y = net.predict(black_box(0.5));
        black_box(y);
        marker();
        marker();
        for (i, y) in ys.iter_mut().enumerate() {
            *y = black_box(black_box(x(i)));
        }
        black_box(&mut ys);
        marker();
        marker();
        for (i, y) in ys.iter_mut().enumerate() {
            *y = net.predict(black_box(x(i)));
        }
        black_box(&mut ys);
        marker();
        let (mut max_err, mut sum_err) = (0f32, 0f32);
        for (i, &y) in ys.iter().enumerate() {
            let e = libm::fabsf(y - libm::sinf(x(i)));
            sum_err += e;
            max_err = max_err.max(e);
        }
        let micro = |v: f32| (v * 1e6) as i32;
        let _ = writeln!(out, "engine: dl int8 (sine.tflite)");
        let _ = writeln!(out, "predict(0.5) = {} e-6", micro(y));
        let _ = writeln!(
            out,
            "max |error| over {POINTS} points: {} e-6; mean |error| {} e-6",
            micro(max_err),
            micro(sum_err / POINTS as f32)
        );
        let _ = writeln!(out, "inference stack: {stack} bytes");
        max_err < 0.5
    })
}
