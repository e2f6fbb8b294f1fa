//! [`include_network!`](crate::include_network): a network decoded from an image file at
//! compile time.

#[cfg(doc)]
use super::{BytesError, ParamBytes};

/// A network decoded at compile time from a parameter image, for a `const` or `static`:
///
/// ```
/// use dl_core::prelude::*;
///
/// network! {
///     pub struct Xor {
///         hidden: Dense<2, 4, Sigmoid>,
///         out: Dense<4, 1, Sigmoid>,
///     }
/// }
///
/// // Usually a path relative to this source file: include_network!(Xor<f32>, "xor.bin").
/// static NET: Xor<f32> = dl_core::include_network!(
///     Xor<f32>,
///     concat!(env!("CARGO_MANIFEST_DIR"), "/doc/xor.bin") // written by `export_bytes`
/// );
/// const _: () = assert!(Xor::<f32>::PARAM_BYTES <= 1024); // a flash budget, checked by rustc
///
/// for (a, b) in [(0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (1.0, 1.0)] {
///     let y = NET.forward(&SVector::from([a, b]))[0];
///     assert_eq!(y > 0.5, (a != b), "{a} xor {b}: {y}");
/// }
/// ```
///
/// A file for another architecture, a corrupt or truncated one, or NaN weights do not build
/// (the trybuild cases `include_network_wrong_architecture` and `include_network_corrupt`).
///
/// `include_bytes!` reads the file relative to the calling source file. Every check of
/// [`ParamBytes::import_bytes`] runs in the compiler; a failing one stops the build with
/// the [`BytesError::message`]. The image itself does not reach the binary, only the decoded
/// parameters, in `.rodata` (flash) when the result is a `static`. The scalar must be
/// written out (`Net<f32>` or `Net<f64>`), since the decoder is chosen by it; an int8 network
/// (`NetI8`, see `dl_core::quant`) is named alone: `include_network!(NetI8, "net_i8.bin")`.
#[macro_export]
macro_rules! include_network {
    ($($net:ident)::+ < f32 >, $path:expr) => {
        $crate::include_network!(@decode $($net)::+ <f32>, decode_f32, $path)
    };
    ($($net:ident)::+ < f64 >, $path:expr) => {
        $crate::include_network!(@decode $($net)::+ <f64>, decode_f64, $path)
    };
    ($($net:ident)::+, $path:expr) => {{
        // An int8 network (`{Name}I8`): its own const decoder.
        const NET: $($net)::+ = match <$($net)::+>::from_bytes(include_bytes!($path)) {
            Ok(net) => net,
            Err(e) => panic!("{}", e.message()),
        };
        NET
    }};
    (@decode $net:ty, $decode:ident, $path:expr) => {{
        const IMAGE: &[u8] = include_bytes!($path);
        const PARAMS: usize = <$net as $crate::network::Network>::PARAMS;
        const LAYOUT: $crate::bytes::Layout = $crate::bytes::Layout::of::<$net>();
        const NET: $net = match $crate::bytes::$decode::<PARAMS>(IMAGE, LAYOUT) {
            Ok(scalars) => match <$net>::from_scalars(&scalars) {
                Some(net) => net,
                None => panic!("the decoded parameters do not fit the network"),
            },
            Err(e) => panic!("{}", e.message()),
        };
        NET
    }};
}
