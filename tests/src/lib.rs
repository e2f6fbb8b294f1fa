//! Shared helpers for dl's integration tests: reading the PyTorch float64 fixtures.

use serde_json::Value;
use std::path::PathBuf;

/// The path of a file in `tests/fixtures/`.
pub fn fixture_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

/// Parses a JSON fixture.
pub fn load_json(name: &str) -> Value {
    let path = fixture_path(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

/// Every case of JSON fixture `file` (its `cases` array): failing if it has none, so a
/// regenerated file that lost its cases cannot pass by testing nothing.
pub fn cases(file: &str) -> Vec<Value> {
    let cases = load_json(file)["cases"]
        .as_array()
        .unwrap_or_else(|| panic!("{file} has no `cases` array"))
        .clone();
    assert!(!cases.is_empty(), "{file} has no cases");
    cases
}

/// Runs `run` on every case of `cases` (from fixture `file`) whose architecture, as
/// `architecture` describes it from the case's own fields, is one of those `declared` (each
/// with what it runs the case with); prints why each other case is skipped. Cases are
/// never looked up by name: a regenerated file, or one with new cases, is tested as it is.
/// Fails if no case was run. Returns how many were.
pub fn for_each_declared<C>(
    file: &str,
    cases: &[Value],
    architecture: impl Fn(&Value) -> String,
    declared: &[(String, C)],
    mut run: impl FnMut(&C, &Value),
) -> usize {
    assert!(!cases.is_empty(), "{file} has no cases");
    let mut checked = 0;
    for case in cases {
        let arch = architecture(case);
        match declared.iter().find(|(a, _)| *a == arch) {
            Some((_, with)) => {
                run(with, case);
                checked += 1;
            }
            None => println!(
                "skipping {file} case {}: no network here is declared with its architecture `{arch}`",
                case["name"]
            ),
        }
    }
    assert!(
        checked > 0,
        "no case of {file} has an architecture declared here"
    );
    checked
}

/// A JSON array of numbers (any nesting) flattened in row-major order.
pub fn flat(v: &Value) -> Vec<f64> {
    match v {
        Value::Number(n) => vec![n.as_f64().expect("a number")],
        Value::Array(items) => items.iter().flat_map(flat).collect(),
        other => panic!("expected numbers, found {other}"),
    }
}

/// A JSON matrix `[rows][cols]` as rows.
pub fn matrix(v: &Value) -> Vec<Vec<f64>> {
    v.as_array().expect("a matrix").iter().map(flat).collect()
}

/// The largest relative error `|a - b| / max(|a|, |b|, floor)` over two equal-length slices.
/// The floor (1e-12) keeps exact zeros from dividing by zero; all fixture values of interest
/// are far above it.
pub fn max_rel_error(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len(), "lengths differ");
    a.iter()
        .zip(b)
        .map(|(&x, &y)| (x - y).abs() / x.abs().max(y.abs()).max(1e-12))
        .fold(0.0, f64::max)
}

/// A safetensors file written by hand, independently of the library: `(name, dtype, shape,
/// bytes)` laid out in the order given.
pub fn safetensors_file(tensors: &[(&str, &str, Vec<usize>, Vec<u8>)]) -> Vec<u8> {
    let mut header = serde_json::Map::new();
    let mut data = Vec::new();
    for (name, dtype, shape, bytes) in tensors {
        let start = data.len();
        data.extend_from_slice(bytes);
        header.insert(
            name.to_string(),
            serde_json::json!({"dtype": dtype, "shape": shape, "data_offsets": [start, data.len()]}),
        );
    }
    let header = serde_json::to_vec(&header).expect("a JSON header");
    let mut file = (header.len() as u64).to_le_bytes().to_vec();
    file.extend(header);
    file.extend(data);
    file
}

/// The two models PyTorch trained on digits (`fixtures/digits_models.json`), declared with
/// the same architecture so its `.safetensors` files load into them.
pub mod digits_models {
    use dl_core::prelude::*;

    network! {
        /// PyTorch's `Sequential(Linear(64, 32), ReLU(), Linear(32, 10))`, softmax output.
        pub struct DigitsMlp {
            Dense<64, 32, Relu>,
            Dense<32, 10, Softmax>,
        }
    }

    network! {
        /// PyTorch's `Sequential(Conv2d(1, 4, 3, padding=1), ReLU(), MaxPool2d(2), Flatten(),
        /// Linear(64, 10))`, softmax output: modules 0 to 4.
        pub struct DigitsCnn {
            input: [1, 8, 8],
            Conv2D<1, 4, 3, Relu, padding = 1>,
            MaxPool2D<2>,
            Flatten,
            Dense<64, 10, Softmax>,
        }
    }
}

/// The step of the finite differences the gradient checks take (f64).
pub const GRADCHECK_STEP: f64 = 1e-6;
/// The largest relative error a gradient check accepts (per tensor, see
/// `dl_core::gradcheck::GradCheck`).
pub const GRADCHECK_TOLERANCE: f64 = 1e-6;

/// Gradchecks `N` against central finite differences from seeds 0, 1 and 2: the network
/// from the seed, its biases drawn in [-0.5, 0.5] (off the ReLU kink) and the input in
/// [-1, 1] from `Rng::new(rng_base + seed)`. Asserts every parameter and input was checked
/// and the relative error is below [`GRADCHECK_TOLERANCE`]; returns the worst.
pub fn gradcheck_from_seeds<N, L>(name: &str, y: &N::Output, rng_base: u64) -> f64
where
    N: dl_core::network::Network<Scalar = f64> + dl_core::stack::ValueOnStack,
    L: dl_core::loss::Loss,
{
    use dl_core::network::{TensorKind, Vector};
    use dl_core::rng::Rng;
    let mut worst: f64 = 0.0;
    for seed in 0..3 {
        let mut net = N::new(seed);
        let mut rng = Rng::new(rng_base + seed);
        for t in 0..N::TENSORS {
            if N::tensor_kind(t) == TensorKind::Bias {
                for b in net.tensor_mut(t) {
                    *b = rng.uniform_in(-0.5, 0.5);
                }
            }
        }
        let mut x = N::Input::ZERO;
        for v in x.as_mut_slice() {
            *v = rng.uniform_in(-1.0, 1.0);
        }
        let report = dl_core::gradcheck::gradcheck::<N, L>(&mut net, &x, y, GRADCHECK_STEP);
        assert_eq!(report.checked, N::PARAMS + N::INPUTS);
        assert!(
            report.max_rel_error < GRADCHECK_TOLERANCE,
            "{name} (seed {seed}): relative error {:e} in tensor {:?}",
            report.max_rel_error,
            report.worst_tensor
        );
        worst = worst.max(report.max_rel_error);
    }
    worst
}

/// A global allocator that counts allocations per thread, for the no-allocation tests. A test
/// binary installs it with
/// `#[global_allocator] static GLOBAL: CountingAllocator = CountingAllocator;`
/// and measures with [`allocations`].
pub struct CountingAllocator;

thread_local! {
    static ALLOCATIONS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Allocations on every thread, for code that runs on worker threads.
static ALL_THREADS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

// SAFETY: every call is forwarded unchanged to the system allocator; the counter is a
// thread-local `Cell` that never allocates (`try_with` tolerates thread teardown).
unsafe impl std::alloc::GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
        ALL_THREADS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        unsafe { std::alloc::System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: std::alloc::Layout) {
        unsafe { std::alloc::System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: std::alloc::Layout, new_size: usize) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
        ALL_THREADS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        unsafe { std::alloc::System.realloc(ptr, layout, new_size) }
    }
}

/// Heap allocations made on this thread while `f` runs (with [`CountingAllocator`] installed
/// as the global allocator), and `f`'s result.
pub fn allocations<R>(f: impl FnOnce() -> R) -> (usize, R) {
    let before = ALLOCATIONS.with(std::cell::Cell::get);
    let r = std::hint::black_box(f());
    (ALLOCATIONS.with(std::cell::Cell::get) - before, r)
}

/// Heap allocations made on any thread while `f` runs (with [`CountingAllocator`] installed):
/// for code that runs on worker threads. Other threads of the test binary count too, so a
/// test using it runs alone in its binary.
pub fn allocations_all_threads<R>(f: impl FnOnce() -> R) -> (usize, R) {
    use std::sync::atomic::Ordering::SeqCst;
    let before = ALL_THREADS.load(SeqCst);
    let r = std::hint::black_box(f());
    (ALL_THREADS.load(SeqCst) - before, r)
}

/// Loads PyTorch's weights into `net`: layer `k` of `layers` (each with a row-major
/// `"weight"`, rows = outputs, and a `"bias"`) into tensors `2k` (column-major, as nalgebra
/// stores it) and `2k + 1`.
pub fn load_pytorch_weights<P: dl_core::network::Params<f64>>(net: &mut P, layers: &[&Value]) {
    assert_eq!(layers.len() * 2, P::TENSORS);
    for (k, layer) in layers.iter().enumerate() {
        let w = matrix(&layer["weight"]);
        let rows = w.len();
        let t = net.tensor_mut(2 * k);
        assert_eq!(t.len(), rows * w[0].len());
        for (o, row) in w.iter().enumerate() {
            for (i, &v) in row.iter().enumerate() {
                t[i * rows + o] = v;
            }
        }
        net.tensor_mut(2 * k + 1)
            .copy_from_slice(&flat(&layer["bias"]));
    }
}

/// A column-major weight (or weight gradient) with `rows` rows in PyTorch's row-major order.
pub fn row_major(t: &[f64], rows: usize) -> Vec<f64> {
    let cols = t.len() / rows;
    (0..rows * cols)
        .map(|k| t[(k % cols) * rows + k / cols])
        .collect()
}

/// Every parameter of `net` as the bits of its `f64` value (exact for `f32`): equal vectors
/// mean bit-identical networks.
pub fn param_bits<N: dl_core::network::Network>(net: &N) -> Vec<u64> {
    use dl_core::float::Float;
    (0..N::TENSORS)
        .flat_map(|i| net.tensor(i).iter().map(|v| v.as_f64().to_bits()))
        .collect()
}

/// The int8 TFLite fixtures of `tests/fixtures/tflite` (`make_fixtures.py` writes them).
pub mod tflite;

/// How dl's int8 outputs compare with a fixture's: all equal to LiteRT's reference kernels
/// (asserted), and the largest distance in output steps to LiteRT's optimised kernels and to
/// TFLite Micro's where the cases hold their outputs (`optimized`, `micro`).
pub struct Agreement {
    /// Cases run.
    pub cases: usize,
    /// Largest distance to LiteRT's optimised kernels (0 if not recorded).
    pub optimized_steps: i64,
    /// Largest distance to TFLite Micro (0 if not recorded).
    pub micro_steps: i64,
}

/// Running int8 models on a TFLite fixture's cases.
pub mod tflite_cases;
