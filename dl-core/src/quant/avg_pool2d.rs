//! int8 average pooling: TFLite's `AVERAGE_POOL_2D` (valid padding) with int8 input and
//! output.

/// The mean of each `K x K` window, stride `S`, on `C x H x W` giving `C x OH x OW`. The sum
/// `s` of the `n = K * K` values is divided rounding half away from zero,
/// `(s + n/2) / n` for `s > 0` and `(s - n/2) / n` otherwise (integer division truncating),
/// then clamped: TFLite's reference int8 `AveragePool` to the bit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QAvgPool2D<
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
    > QAvgPool2D<C, K, S, H, W, OH, OW>
{
    const SHAPES_FIT: () = assert!(
        S > 0 && K > 0 && H >= K && W >= K && OH == (H - K) / S + 1 && OW == (W - K) / S + 1,
        "QAvgPool2D: OH and OW must be (H - K) / S + 1 and (W - K) / S + 1"
    );

    /// A pool with no fused activation.
    pub const fn new() -> Self {
        QAvgPool2D {
            act_min: -128,
            act_max: 127,
        }
    }

    /// The int8 forward pass of one image.
    pub fn forward(&self, x: &[[[i8; W]; H]; C]) -> [[[i8; OW]; OH]; C] {
        let () = Self::SHAPES_FIT;
        let n = (K * K) as i32;
        let mut y = [[[0i8; OW]; OH]; C];
        for (y, x) in y.iter_mut().zip(x) {
            for (i, row) in y.iter_mut().enumerate() {
                for (j, y) in row.iter_mut().enumerate() {
                    let mut s = 0i32;
                    for xr in &x[i * S..i * S + K] {
                        for &v in &xr[j * S..j * S + K] {
                            s += v as i32;
                        }
                    }
                    let mean = if s > 0 {
                        (s + n / 2) / n
                    } else {
                        (s - n / 2) / n
                    };
                    *y = mean.clamp(self.act_min as i32, self.act_max as i32) as i8;
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
    > Default for QAvgPool2D<C, K, S, H, W, OH, OW>
{
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn averages_round_half_away_from_zero() {
        let pool = QAvgPool2D::<1, 2, 2, 2, 2, 1, 1>::new();
        assert_eq!(pool.forward(&[[[1, 1], [1, 3]]]), [[[2]]]); // 1.5 -> 2
        assert_eq!(pool.forward(&[[[-1, -1], [-1, -3]]]), [[[-2]]]); // -1.5 -> -2
        assert_eq!(pool.forward(&[[[1, 0], [0, 0]]]), [[[0]]]); // 0.25 -> 0
        assert_eq!(pool.forward(&[[[127; 2]; 2]]), [[[127]]]);
    }
}
