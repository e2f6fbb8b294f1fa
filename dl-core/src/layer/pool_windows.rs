//! The geometry both pooling layers share: `K x K` windows moved by stride `S` over each
//! channel of a `C x H x W` image (flat, `C, H, W` order), without padding, as PyTorch's
//! `MaxPool2d(K, S)` and `AvgPool2d(K, S)` place them.

/// The pooled size of `n`: `(n - k) / s + 1` (0 if the window does not fit or `s` is 0).
pub(crate) const fn pooled(n: usize, k: usize, s: usize) -> usize {
    super::conv2d::out_size(n, k, s, 0)
}

/// Whether the flat sizes `input` and `output` agree with the geometry, and the window fits.
pub(crate) const fn consistent(
    [c, h, w]: [usize; 3],
    k: usize,
    s: usize,
    input: usize,
    output: usize,
) -> bool {
    s > 0
        && k > 0
        && k <= h
        && k <= w
        && input == c * h * w
        && output == c * pooled(h, k, s) * pooled(w, k, s)
}

/// Calls `f(output index, flat index of the window's top-left input)` for every output, in
/// `C, H, W` order.
#[inline(always)]
pub(crate) fn for_each_window<
    const C: usize,
    const H: usize,
    const W: usize,
    const K: usize,
    const S: usize,
>(
    mut f: impl FnMut(usize, usize),
) {
    let (oh, ow) = (pooled(H, K, S), pooled(W, K, S));
    let mut out = 0;
    for c in 0..C {
        for oy in 0..oh {
            for ox in 0..ow {
                f(out, (c * H + oy * S) * W + ox * S);
                out += 1;
            }
        }
    }
}
