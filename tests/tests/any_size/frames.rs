//! How much stack the passes really take, measured against what the stack consts say.
//!
//! A child process (`overflow_child` with `DL_STACK_BYTES`) runs the passes on a thread of a
//! given stack size; it either returns or dies with Rust's stack-overflow message. The
//! smallest size that returns, found by bisection in 4 KiB steps, less what a thread keeps
//! for itself (glibc puts the thread's TLS, its guard page and start-up frames in the same
//! mapping: measured as the smallest size on which a 32 KiB array fits, less 32 KiB), is
//! what the passes need. Run with
//! `cargo test [--release] -p dl-tests --test any_size -- --ignored --nocapture frames`.

use super::*;

network! {
    /// The digits CNN of `benches/cnn` (issue 4's, without its Dropout): small enough that
    /// its by-value calls keep everything on the stack.
    pub struct Digits {
        input: [1, 8, 8],
        Conv2D<1, 8, 3, Relu, padding = 1>,
        MaxPool2D<2>,
        Conv2D<8, 16, 3, Relu>,
        Flatten,
        Dense<64, 10, Softmax>,
    }
}

/// Stack sizes are tried in steps of this many bytes (a page).
const STEP: usize = 4 << 10;
/// The array the probe puts on the stack.
const PROBE: usize = 32 << 10;

/// Runs `what` in a child process on a `stack`-byte thread: whether it returned. Any failure
/// other than a stack overflow fails the test.
fn survives(what: &str, stack: usize) -> bool {
    let out = Command::new(std::env::current_exe().expect("test binary"))
        .args(["overflow_child", "--exact", "--ignored", "--nocapture"])
        .env("DL_OVERFLOW_CHILD", what)
        .env("DL_STACK_BYTES", stack.to_string())
        .output()
        .expect("runs the child");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() || stderr.contains("has overflowed its stack"),
        "{what} on {stack} bytes failed otherwise: {stderr}"
    );
    out.status.success()
}

/// The smallest stack, a multiple of [`STEP`] in `(low, high]`, on which `what` returns
/// (`low` itself if it returns there: then what it needs is at most that); it must return
/// on `high`.
fn threshold(what: &str, mut low: usize, mut high: usize) -> usize {
    if survives(what, low) {
        return low;
    }
    assert!(survives(what, high), "{what}: dies on {high} bytes");
    while high - low > STEP {
        let mid = (low + high) / 2 / STEP * STEP;
        if survives(what, mid) {
            high = mid;
        } else {
            low = mid;
        }
    }
    high
}

/// What `overflow_child` runs when given `DL_STACK_BYTES`.
pub fn child(what: &std::ffi::OsStr, stack: usize) {
    match what.to_str() {
        Some("probe") => on_stack(stack, || {
            let bytes = [1u8; PROBE];
            std::hint::black_box(&bytes);
        }),
        Some("workspace_passes") => {
            workspace_passes(stack);
        }
        Some("digits_by_value") => on_stack(stack, digits_by_value),
        _ => panic!("unknown child {what:?}"),
    }
}

/// The digits CNN's by-value calls, on the stack (under its budget): `forward`, and
/// `loss_backward` after `forward_train` into a cache on the stack.
fn digits_by_value() {
    type N = Digits<f32>;
    const { assert!(N::CALL_STACK_BYTES <= N::STACK_BUDGET) };
    let net = N::new(1);
    let x = SVector::<f32, 64>::from_fn(|i, _| (i % 7) as f32 / 7.0);
    let y = net.forward(&x);
    let mut cache = N::CACHE_ZERO;
    let mut grads = DigitsGradient::<f32>::ZERO;
    net.forward_train(&x, &mut cache, &mut ());
    let loss = net.loss_backward::<CrossEntropy>(&x, &cache, &y, &mut grads, None);
    assert!(loss.is_finite() && grads.all_finite());
}

/// The measurement: the 150x150x3 network's workspace-backed passes against
/// `LAYER_STACK_BYTES`, the digits CNN's by-value calls against `CALL_STACK_BYTES`. Asserts
/// only what the tests above rely on (the passes fit [`SMALL_STACK`]); the numbers are for
/// the stack consts' docs.
#[test]
#[ignore = "a measurement (a few minutes of child processes in a debug build); see the module docs"]
fn frames_of_the_workspace_backed_passes() {
    let own = threshold("probe", PROBE, PROBE + (1 << 20)) - PROBE;
    // 16 KiB: the least a thread gets (glibc's PTHREAD_STACK_MIN).
    let passes = threshold("workspace_passes", 16 << 10, 1 << 20) - own;
    let digits = threshold("digits_by_value", 16 << 10, 1 << 20) - own;
    let profile = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    println!(
        "{profile}: a thread's own {own} B; 150x150x3 workspace-backed passes need {passes} B \
         (LAYER_STACK_BYTES {} B); digits CNN by-value calls need {digits} B \
         (CALL_STACK_BYTES {} B); steps of {STEP} B (at most, for a need that fits 16 KiB)",
        Cats150::<f32>::LAYER_STACK_BYTES,
        Digits::<f32>::CALL_STACK_BYTES,
    );
    assert!(passes + own <= SMALL_STACK);
}
