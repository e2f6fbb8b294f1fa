//! int8 max pooling: TFLite's `MAX_POOL_2D` (valid padding) with int8 input and output.

/// The maximum of each `K x K` window, stride `S`, on `C x H x W` giving `C x OH x OW`,
/// `OH = (H - K) / S + 1` (checked at compile time), clamped to `[act_min, act_max]`. Input and
/// output share scale and zero point, so no rescale is needed: TFLite's reference int8
/// `MaxPool` to the bit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QMaxPool2D<
    const C: usize,
    const K: usize,
    const S: usize,
    const H: usize,
    const W: usize,
    const OH: usize,
    const OW: usize,
> {
    /// Lower clamp of the output (a fused activation; -128 if none).
    pub act_min: i8,
    /// Upper clamp of the output.
    pub act_max: i8,
}

impl<
        const C: usize,
        const K: usize,
        const S: usize,
        const H: usize,
        const W: usize,
        const OH: usize,
        const OW: usize,
    > QMaxPool2D<C, K, S, H, W, OH, OW>
{
    const SHAPES_FIT: () = assert!(
        S > 0 && K > 0 && H >= K && W >= K && OH == (H - K) / S + 1 && OW == (W - K) / S + 1,
        "QMaxPool2D: OH and OW must be (H - K) / S + 1 and (W - K) / S + 1"
    );

    /// A pool with no fused activation.
    pub const fn new() -> Self {
        QMaxPool2D {
            act_min: -128,
            act_max: 127,
        }
    }

    /// The int8 forward pass of one image.
    pub fn forward(&self, x: &[[[i8; W]; H]; C]) -> [[[i8; OW]; OH]; C] {
        let () = Self::SHAPES_FIT;
        let mut y = [[[0i8; OW]; OH]; C];
        for (y, x) in y.iter_mut().zip(x) {
            for (i, row) in y.iter_mut().enumerate() {
                for (j, y) in row.iter_mut().enumerate() {
                    let mut m = i8::MIN;
                    for xr in &x[i * S..i * S + K] {
                        for &v in &xr[j * S..j * S + K] {
                            m = m.max(v);
                        }
                    }
                    *y = m.clamp(self.act_min, self.act_max);
                }
            }
        }
        y
    }
}

impl<
        const C: usize,
        const K: usize,
        const S: usize,
        const H: usize,
        const W: usize,
        const OH: usize,
        const OW: usize,
    > Default for QMaxPool2D<C, K, S, H, W, OH, OW>
{
    fn default() -> Self {
        Self::new()
    }
}
