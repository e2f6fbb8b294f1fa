//! The parameter image of `dl_core::bytes`: round trips, every error, and a deterministic
//! property test over random and mutated images.

mod const_decoding;
mod property;
mod refusals;
mod round_trip;

use dl_core::bytes::{crc32, decode_f32, Layout, HEADER_BYTES, MAGIC, VERSION};
use dl_core::prelude::*;

network! {
    /// XOR with named layers.
    pub struct Xor {
        hidden: Dense<2, 4, Sigmoid>,
        out: Dense<4, 1, Sigmoid>,
    }
}

network! {
    /// The same layers as `Xor` under other names (and other spacing).
    pub struct XorRenamed {
        first: Dense<2,4,Sigmoid>,
        Dense<4, 1, Sigmoid>,
    }
}

network! {
    /// As many parameters as `Xor`, but another activation: another architecture.
    pub struct XorTanh {
        hidden: Dense<2, 4, Tanh>,
        out: Dense<4, 1, Sigmoid>,
    }
}

network! {
    /// Three layers, to check the tensor order across more than two.
    pub struct Deep {
        Dense<5, 7, Relu>,
        Dense<7, 3, Tanh>,
        Dense<3, 2, Identity>,
    }
}

/// The weights of `tests/fixtures/xor_f32.bin`, written by `Xor::<f32>::new(FIXTURE_SEED)`.
const FIXTURE_SEED: u64 = 2026;

/// Decoded in the compiler: a `static` in `.rodata`, no RAM copy.
static XOR_IN_FLASH: Xor<f32> = dl_core::include_network!(Xor<f32>, "../../fixtures/xor_f32.bin");

/// The same in `f64`, through a path to the type.
static XOR64_IN_FLASH: self::Xor<f64> =
    dl_core::include_network!(self::Xor<f64>, "../../fixtures/xor_f64.bin");

fn image<N: Network>(net: &N) -> Vec<u8> {
    let mut out = vec![0u8; N::BYTES];
    net.export_bytes(&mut out)
        .expect("a finite network exports");
    out
}

/// Rewrites the checksum after a deliberate edit, so a test reaches the check behind it.
fn reseal(image: &mut [u8]) {
    let mut covered = image[..20].to_vec();
    covered.extend_from_slice(&image[HEADER_BYTES..]);
    let crc = crc32(&covered);
    image[20..24].copy_from_slice(&crc.to_le_bytes());
}

fn scalars<T: Float, N: Params<T>>(net: &N) -> Vec<T> {
    (0..N::TENSORS)
        .flat_map(|i| net.tensor(i).to_vec())
        .collect()
}

/// Imports `bad` into a trained network and checks it was refused with `want`, untouched.
fn refused<N: Network + ValueOnStack + PartialEq + core::fmt::Debug>(bad: &[u8], want: BytesError) {
    let mut net = N::new(3);
    let before = scalars(&net);
    assert_eq!(net.import_bytes(bad), Err(want));
    assert_eq!(
        scalars(&net),
        before,
        "a refused import changed the network"
    );
    assert_eq!(N::from_bytes(bad).err(), Some(want));
}
