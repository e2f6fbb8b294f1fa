//! The `const` decoders behind [`include_network!`](crate::include_network): an image to an
//! array of scalars, in the compiler.

use super::error::BytesError;
use super::layout::Layout;
use super::HEADER_BYTES;

/// Defines `decode_f32` and `decode_f64`: one `const fn` a scalar type, because stable Rust
/// has no `const` trait methods to turn bytes into a generic `T`.
macro_rules! const_decoder {
    ($(#[$doc:meta])* $name:ident, $t:ty) => {
        $(#[$doc])*
        pub const fn $name<const P: usize>(
            image: &[u8],
            layout: Layout,
        ) -> Result<[$t; P], BytesError> {
            const WIDTH: usize = core::mem::size_of::<$t>();
            if let Err(e) = layout.check(image) {
                return Err(e);
            }
            if P != layout.params || layout.scalar_bytes != WIDTH {
                return Err(BytesError::Params {
                    expected: layout.params,
                    found: P,
                });
            }
            let mut out = [0.0; P];
            let mut i = 0;
            while i < P {
                let mut le = [0u8; WIDTH];
                let mut k = 0;
                while k < WIDTH {
                    le[k] = image[HEADER_BYTES + WIDTH * i + k];
                    k += 1;
                }
                let v = <$t>::from_le_bytes(le);
                if !v.is_finite() {
                    return Err(BytesError::NonFinite { index: i });
                }
                out[i] = v;
                i += 1;
            }
            Ok(out)
        }
    };
}

const_decoder!(
    /// The parameters of an `f32` image, checked against `layout` (header, checksum,
    /// finiteness), as an array: the `const` half of
    /// [`include_network!`](crate::include_network). `P` must equal `layout.params`.
    decode_f32,
    f32
);
const_decoder!(
    /// [`decode_f32`] for `f64` images.
    decode_f64,
    f64
);
