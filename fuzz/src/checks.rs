//! One function a decoder: feed it any bytes and it asserts the decoder's invariants.
//!
//! - no panic (the fuzzer reports one as a crash);
//! - `Err` means the network (or, for CSV, nothing) is unchanged, bit for bit;
//! - `Ok` means every weight (every value) is finite, and exporting reproduces the input
//!   where the format is canonical (the parameter image is: header, CRC and raw scalars are
//!   all fixed by the weights); where it is not (safetensors: JSON key order, metadata and
//!   dtype are free), export and import give back the same weights bit for bit.
//!
//! Used by the fuzz targets (`fuzz/fuzz_targets`) and, through `#[path]`, by the stable test
//! `tests/tests/fuzz_corpus.rs`.

use dl_core::bytes::{decode_f32, decode_f64, Layout, ParamBytes};
use dl_core::data::{Dataset, Standardizer};
use dl_core::prelude::*;
use dl_core::safetensors::{self, Dtype, Names};

network! {
    /// A small network of two layers (14 parameters), the fuzzed decoders' target.
    pub struct Tiny {
        Dense<3, 2, Tanh>,
        Dense<2, 2, Identity>,
    }
}

network! {
    /// A convolutional network (42 parameters): kernels with PyTorch's four-dimensional
    /// layout and module numbering past parameter-free layers.
    pub struct TinyConv {
        input: [1, 4, 4],
        Conv2D<1, 2, 3, Relu, padding = 1>,
        MaxPool2D<2>,
        Flatten,
        Dense<8, 2, Identity>,
    }
}

/// Every parameter's bits, in tensor order.
pub fn bits<T: Float, P: Params<T>>(p: &P) -> Vec<u64> {
    (0..P::TENSORS)
        .flat_map(|i| {
            p.tensor(i)
                .iter()
                .map(|v| v.as_f64().to_bits())
                .collect::<Vec<_>>()
        })
        .collect()
}

fn all_finite<T: Float, P: Params<T>>(p: &P) -> bool {
    (0..P::TENSORS).all(|i| p.tensor(i).iter().all(|v| v.finite()))
}

/// The parameter image: `import_bytes` into `Tiny<f32>`, `Tiny<f64>` and `TinyConv<f32>`,
/// and the `const` decoder behind `include_network!` (run at run time here), which must
/// agree with `import_bytes` on every input: the same error, or the same weights.
pub fn bytes_image(data: &[u8]) {
    image::<Tiny<f32>>(data);
    image::<Tiny<f64>>(data);
    image::<TinyConv<f32>>(data);

    const P32: usize = <Tiny<f32> as Network>::PARAMS;
    let decoded = decode_f32::<P32>(data, Layout::of::<Tiny<f32>>());
    let imported = Tiny::<f32>::from_bytes(data);
    match (decoded, imported) {
        (Ok(scalars), Ok(net)) => {
            let from_const = Tiny::<f32>::from_scalars(&scalars).expect("the decoded scalars fit");
            assert_eq!(
                bits(&from_const),
                bits(&net),
                "const decoder and import disagree"
            );
        }
        (Err(a), Err(b)) => assert_eq!(a, b, "const decoder and import give other errors"),
        (a, b) => panic!("const decoder {:?} but import {:?}", a.err(), b.err()),
    }
    const P64: usize = <Tiny<f64> as Network>::PARAMS;
    let decoded = decode_f64::<P64>(data, Layout::of::<Tiny<f64>>());
    assert_eq!(decoded.is_ok(), Tiny::<f64>::from_bytes(data).is_ok());
}

/// `import_bytes` into an `N` of seeded weights: an error leaves them, bit for bit; success
/// gives finite weights whose export is the input, byte for byte.
fn image<N: Network>(data: &[u8]) {
    let mut net = N::boxed(7);
    let before = bits(&*net);
    match (*net).import_bytes(data) {
        Err(e) => {
            assert_eq!(bits(&*net), before, "an error ({e}) changed the network");
            let _ = e.to_string();
        }
        Ok(()) => {
            assert!(
                all_finite(&*net),
                "an accepted image holds a non-finite weight"
            );
            let mut out = vec![0u8; N::BYTES];
            net.export_bytes(&mut out)
                .expect("an imported network exports");
            assert_eq!(out, data, "export does not reproduce the accepted image");
        }
    }
}

/// safetensors import into `Tiny` (f32, f64) and `TinyConv` (f32), with PyTorch's names.
pub fn safetensors_import(data: &[u8]) {
    tensors::<f32, Tiny<f32>>(data);
    tensors::<f64, Tiny<f64>>(data);
    tensors::<f32, TinyConv<f32>>(data);
}

/// An error leaves the network unchanged; success gives finite weights that export (in the
/// network's own dtype, and in F64) and import back bit for bit.
fn tensors<T: Float, N: Network<Scalar = T>>(data: &[u8]) {
    let names = Names::pytorch();
    let mut net = N::boxed(7);
    let before = bits(&*net);
    match safetensors::import(&mut *net, data, &names) {
        Err(e) => {
            assert_eq!(bits(&*net), before, "an error ({e}) changed the network");
            let _ = e.to_string();
        }
        Ok(()) => {
            assert!(
                all_finite(&*net),
                "an accepted file holds a non-finite weight"
            );
            for dtype in [Dtype::of::<T>(), Dtype::F64] {
                let file =
                    safetensors::export(&*net, dtype, &names).expect("finite weights export");
                let mut again = N::boxed(0);
                safetensors::import(&mut *again, &file, &names).expect("our export imports");
                assert_eq!(
                    bits(&*again),
                    bits(&*net),
                    "{dtype} round trip changed a weight"
                );
            }
        }
    }
}

/// CSV loading: the bytes as UTF-8 text (other bytes are what `Dataset::load` refuses
/// before parsing), split at a line `#split` into a data file and a split file.
pub fn csv_load(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (csv, split) = text.split_once("\n#split\n").unwrap_or((text, ""));
    table::<f32, 2>(csv, split);
    table::<f64, 1>(csv, split);
    table::<f32, 3>(csv, split);
}

/// Parses a data set of `F` features; on success, every feature and label is finite in `T`,
/// every derived target too, standardisation is finite, and a split partitions the rows.
fn table<T: Float, const F: usize>(csv: &str, split: &str) {
    let ds = match Dataset::<T, F>::parse("fuzz.csv", csv) {
        Err(e) => {
            let _ = e.to_string();
            return;
        }
        Ok(ds) => ds,
    };
    assert!(!ds.is_empty(), "an accepted file has rows");
    for s in ds.samples() {
        assert!(s.features.iter().all(|v| v.finite()), "line {}", s.line);
        assert!(
            T::cast(s.label).finite(),
            "line {}: label {}",
            s.line,
            s.label
        );
    }
    assert!(ds.values().iter().all(|y| y[0].finite()));
    if let Ok(classes) = ds.classes(3) {
        assert!(classes.iter().all(|&c| c < 3));
        assert_eq!(ds.one_hot::<3>().expect("classes fit").len(), ds.len());
    }
    let _ = ds.binary();
    let scaler = Standardizer::fit(&ds).expect("rows to fit on");
    assert!(scaler.mean.iter().all(|v| v.finite()));
    assert!(scaler.scale.iter().all(|v| v.finite() && *v > T::ZERO));
    for z in scaler.apply(&ds) {
        assert!(
            z.iter().all(|v| v.finite()),
            "a standardised value is not finite: {z}"
        );
    }
    match ds.split_text("fuzz_split.csv", split) {
        Err(e) => {
            let _ = e.to_string();
        }
        Ok(parts) => assert_eq!(parts.train.len() + parts.test.len(), ds.len()),
    }
}
