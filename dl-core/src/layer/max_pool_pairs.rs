//! [`MaxPool2D`](super::MaxPool2D)'s 2x2 windows at stride 2 (Keras' and PyTorch's default
//! pool), a whole output row at a time, in loops the compiler vectorises.
//!
//! Why: window by window, the general path's maximum, NaN bits and tie bits (`max_pool2d.rs`)
//! ran scalar: about 5-6% of the CIFAR-sized CNN's training step (`perf`, 2026-12-02; 3% after
//! this). Here a block of windows is the same few compares and selects for every window, with
//! no loop-carried state, and compiles to vector compares and masks (`cmpltps`, `andps`,
//! `orps` in a default x86-64 build).
//!
//! The backward pass stays the general one (clear `dL/dx`, add each output's gradient at its
//! winner): a dense write of every window's four inputs through selects measured slower.
//!
//! The rule is the general path's, bit for bit: the first maximum in row-major window order
//! `(a, b, c, d)` wins a tie. Without NaN, that is the tournament
//! `top = b > a ? b : a`, `bottom = d > c ? d : c`, `winner = bottom > top ? bottom : top`,
//! each `>` keeping the earlier value on a tie. A row with a NaN in any window reports it, and
//! the caller redoes that row by the general rule (a NaN wins and propagates).

use crate::float::Float;

/// Windows pooled a block: the loops over a block's fixed-size arrays are what the compiler
/// turns into vector compares and selects (a loop over the row's windows with a `usize` index
/// a window stayed scalar and branchy). Blocks of 8 made the CIFAR-sized CNN's step about 5%
/// slower than blocks of 16 (A/B, 4 runs each, 2026-12-02).
pub(super) const BLOCK: usize = 16;

/// Whether rows of `windows` windows go through [`pool_row`]: at least half a block. With
/// every width, the digits CNN (rows of 4 and 2 windows) ran its inference in 1,058 ns against
/// 724 ns window by window (`native_rows`, 2026-12-02): a block's fixed cost paid for a few
/// windows. The CIFAR-sized CNN's pools have rows of 16 and 8.
pub(super) const fn worth_it(windows: usize) -> bool {
    windows >= BLOCK / 2
}

/// Pools the 2x2 windows of one output row: `rows` holds input rows `2 oy` and `2 oy + 1`
/// (`2 width` values), `a` and `argmax` the row's outputs, `first` the flat input index of
/// `rows[0]`. Whether no input of these windows is NaN; if one is, the outputs are not the
/// rule's and the caller must redo the row.
#[inline(always)]
pub(super) fn pool_row<T: Float>(
    rows: &[T],
    width: usize,
    first: usize,
    a: &mut [T],
    mut argmax: Option<&mut [usize]>,
) -> bool {
    let (top_row, bottom_row) = rows.split_at(width.min(rows.len()));
    let windows = (width / 2).min(a.len());
    let mut nan = false;
    let mut start = 0;
    while start < windows {
        let n = BLOCK.min(windows - start);
        let mut corners = [[T::ZERO; BLOCK]; 4];
        let top = top_row[2 * start..].chunks_exact(2);
        let bottom = bottom_row[2 * start..].chunks_exact(2);
        for (i, (top, bottom)) in top.zip(bottom).take(n).enumerate() {
            corners[0][i] = top[0];
            corners[1][i] = top[1];
            corners[2][i] = bottom[0];
            corners[3][i] = bottom[1];
            // Scalar loads: vectorised, this stride-2 loop took gathers in
            // `-C target-cpu=native` builds (issue 12); emits no instruction.
            core::sync::atomic::compiler_fence(core::sync::atomic::Ordering::SeqCst);
        }
        let mut values = [T::ZERO; BLOCK];
        let mut positions = [0u32; BLOCK];
        let mut nans = [false; BLOCK];
        for i in 0..BLOCK {
            let [a, b, c, d] = [corners[0][i], corners[1][i], corners[2][i], corners[3][i]];
            (values[i], positions[i]) = winner(a, b, c, d);
            nans[i] = any_nan(a, b, c, d);
        }
        nan |= nans[..n].iter().any(|&n| n);
        a[start..start + n].copy_from_slice(&values[..n]);
        if let Some(argmax) = argmax.as_deref_mut() {
            for (i, (at, &p)) in argmax[start..start + n]
                .iter_mut()
                .zip(&positions)
                .enumerate()
            {
                let p = p as usize;
                *at = first + 2 * (start + i) + p / 2 * width + p % 2;
            }
        }
        start += n;
    }
    !nan
}

/// The window `[[a, b], [c, d]]`'s first maximum and its position in row-major order
/// (`0..4`), for windows without NaN.
#[inline(always)]
fn winner<T: Float>(a: T, b: T, c: T, d: T) -> (T, u32) {
    let right = b > a;
    let top = if right { b } else { a };
    let top_at = u32::from(right);
    let right = d > c;
    let bottom = if right { d } else { c };
    let bottom_at = 2 + u32::from(right);
    let lower = bottom > top;
    (
        if lower { bottom } else { top },
        if lower { bottom_at } else { top_at },
    )
}

/// Whether any of the four is NaN.
#[inline(always)]
#[allow(clippy::eq_op)]
fn any_nan<T: Float>(a: T, b: T, c: T, d: T) -> bool {
    (a != a) | (b != b) | (c != c) | (d != d)
}

#[cfg(test)]
mod tests {
    use super::super::pool_windows::for_each_window;
    use super::super::{Layer, MaxPool2D};
    use crate::rng::Rng;
    use nalgebra::SVector;

    /// The rule as it reads: a running maximum that a later input takes only if greater, or
    /// if it is a NaN and the maximum is not. The winner's flat index.
    fn sequential<const W: usize>(x: &[f32], first: usize) -> usize {
        let (mut best, mut at) = (x[first], first);
        for i in [first, first + 1, first + W, first + W + 1] {
            if x[i] > best || (x[i].is_nan() && !best.is_nan()) {
                (best, at) = (x[i], i);
            }
        }
        at
    }

    /// Forward and backward of 2x2 stride-2 pooling against the rule, bit for bit: values
    /// full of ties and signed zeros (with and without NaN), gradients with signed zeros,
    /// even and odd heights and widths (an odd last row or column belongs to no window and
    /// gets a zero gradient).
    fn check<const H: usize, const W: usize, const IN: usize, const OUT: usize>(nan: bool) {
        let values = [
            0.0,
            -0.0,
            1.0,
            -1.0,
            2.0,
            2.0,
            f32::INFINITY,
            f32::NEG_INFINITY,
        ];
        let mut rng = Rng::new((H * 100 + W) as u64 + u64::from(nan));
        let pool = MaxPool2D::<f32, 3, H, W, 2, 2, IN, OUT>::new();
        for _ in 0..500 {
            let x = SVector::<f32, IN>::from_fn(|_, _| match rng.next_u64() % 40 {
                0 if nan => f32::NAN,
                k => values[(k % 8) as usize],
            });
            let dz = SVector::<f32, OUT>::from_fn(|_, _| values[(rng.next_u64() % 4) as usize]);
            let mut cache = MaxPool2D::<f32, 3, H, W, 2, 2, IN, OUT>::CACHE_ZERO;
            pool.forward_train(&x, &mut cache);
            let mut dx = SVector::<f32, IN>::from_element(7.0);
            let mut grad = super::super::parameter_free::NoGrad::default();
            pool.backward_preact(&x, &cache, &dz, &mut grad, Some(&mut dx));
            let mut want = [0.0f32; IN];
            for_each_window::<3, H, W, 2, 2>(|out, first| {
                let at = sequential::<W>(x.as_slice(), first);
                assert_eq!(cache.argmax[out], at, "{H}x{W} window {out} of {x:?}");
                assert_eq!(
                    cache.a[out].to_bits(),
                    x[at].to_bits(),
                    "{H}x{W} window {out}"
                );
                want[at] += dz[out];
            });
            for (i, (&got, &want)) in dx.iter().zip(&want).enumerate() {
                assert_eq!(got.to_bits(), want.to_bits(), "{H}x{W} dx[{i}]");
            }
        }
    }

    #[test]
    fn pairs_follow_the_rule_forward_and_backward() {
        for nan in [false, true] {
            check::<6, 16, 288, 72>(nan); // rows of one block
            check::<5, 19, 285, 54>(nan); // a block and one window; odd height and width
            check::<4, 34, 408, 102>(nan); // two blocks and one window
            check::<4, 3, 36, 6>(nan); // too narrow: the general path
        }
    }
}
