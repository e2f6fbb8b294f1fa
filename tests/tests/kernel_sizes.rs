//! The public kernel API never panics, whatever sizes it is handed (issue 14, defect 6):
//! `f32::outer_acc(&mut [0.0; 4], 4, usize::MAX / 4 + 2, &a, &a)` panicked on the unchecked
//! `m * n`. Sizes whose product overflows or exceeds the slice do nothing; this is checked on
//! every path the build has (dispatched, portable, AVX2, AVX-512), for random sizes mixing
//! small values with values near `usize::MAX`.

use dl_core::kernel::{ops, run_portable, Kernels};
use proptest::prelude::*;

/// Runs `op` on every path this build and CPU have.
fn on_every_path(run: &mut dyn FnMut(Path)) {
    for path in [Path::Dispatched, Path::Portable, Path::Avx2, Path::Avx512] {
        run(path);
    }
}

#[derive(Clone, Copy, Debug)]
enum Path {
    Dispatched,
    Portable,
    Avx2,
    Avx512,
}

fn outer(path: Path, g: &mut [f32], m: usize, n: usize, a: &[&[f32]], b: &[&[f32]]) {
    let op = ops::Outer { g, m, n, a, b };
    match path {
        Path::Dispatched => f32::outer_acc(op.g, op.m, op.n, op.a, op.b),
        Path::Portable => run_portable(op),
        #[cfg(target_arch = "x86_64")]
        Path::Avx2 => drop(dl_core::kernel::x86::run_on(
            dl_core::kernel::x86::Isa::Avx2,
            op,
        )),
        #[cfg(target_arch = "x86_64")]
        Path::Avx512 => drop(dl_core::kernel::x86::run_on(
            dl_core::kernel::x86::Isa::Avx512,
            op,
        )),
        #[cfg(not(target_arch = "x86_64"))]
        _ => {}
    }
}

fn matmul(path: Path, a: &[f32], m: usize, k: usize, b: &[&[f32]], c: &mut [&mut [f32]]) {
    let op = ops::Matmul { a, m, k, b, c };
    match path {
        Path::Dispatched => f32::matmul_acc(op.a, op.m, op.k, op.b, op.c),
        Path::Portable => run_portable(op),
        #[cfg(target_arch = "x86_64")]
        Path::Avx2 => drop(dl_core::kernel::x86::run_on(
            dl_core::kernel::x86::Isa::Avx2,
            op,
        )),
        #[cfg(target_arch = "x86_64")]
        Path::Avx512 => drop(dl_core::kernel::x86::run_on(
            dl_core::kernel::x86::Isa::Avx512,
            op,
        )),
        #[cfg(not(target_arch = "x86_64"))]
        _ => {}
    }
}

/// The reproducer, and its relatives, on every path: nothing happens.
#[test]
fn sizes_whose_product_overflows_do_nothing() {
    let a = [1.0f32; 8];
    let huge = [
        (4, usize::MAX / 4 + 2),
        (usize::MAX / 4 + 2, 4),
        (usize::MAX, usize::MAX),
        (usize::MAX, 0),
        (0, usize::MAX),
        (1 << 33, 1 << 31),
    ];
    on_every_path(&mut |path| {
        for (m, n) in huge {
            let mut g = [0.0f32; 4];
            outer(path, &mut g, m, n, &[&a, &a], &[&a, &a]);
            outer(path, &mut g, m, n, &[&a], &[&a]);
            assert_eq!(g, [0.0; 4], "{path:?} outer {m} x {n}");
            let mut c0 = [0.0f32; 4];
            let mut c1 = [0.0f32; 4];
            matmul(path, &a, m, n, &[&a, &a], &mut [&mut c0, &mut c1]);
            let five: [&[f32]; 5] = [&a; 5];
            let mut outs: [&mut [f32]; 5] = [&mut c0, &mut c1, &mut [], &mut [], &mut []];
            matmul(path, &a, m, n, &five, &mut outs);
            assert_eq!((c0, c1), ([0.0; 4], [0.0; 4]), "{path:?} matmul {m} x {n}");
        }
    });
    for (m, n) in huge {
        let mut c = [0.0f32; 4];
        f32::matvec_acc(&a, m, n, &a, &mut c);
        assert_eq!(c, [0.0; 4], "matvec {m} x {n}");
    }
}

/// `matvec_acc` is `matmul_acc` of one column, bit for bit (the one-sample `W x` of a Dense
/// layer and the column of a batch), at heights around every tile and vector edge and depths
/// around the four chains, in `f32` and `f64`.
#[test]
fn matvec_equals_one_column_matmul_bit_for_bit() {
    fn check<T: Kernels + From<f32> + PartialEq + core::fmt::Debug>() {
        for m in [1, 3, 5, 10, 15, 16, 17, 31, 32, 33, 48, 63, 64, 65, 70, 128] {
            for k in [1, 2, 3, 4, 5, 7, 8, 31, 32, 33, 64, 65] {
                let value = |i: usize| T::from(((i * 7919) % 23) as f32 * 0.125 - 1.375);
                let a: Vec<T> = (0..m * k).map(value).collect();
                let b: Vec<T> = (0..k).map(|i| value(i + 5)).collect();
                let c0: Vec<T> = (0..m).map(|i| value(i + 11)).collect();
                let (mut one, mut column) = (c0.clone(), c0.clone());
                T::matvec_acc(&a, m, k, &b, &mut one);
                T::matmul_acc(&a, m, k, &[&b], &mut [&mut column]);
                assert_eq!(one, column, "{m} x {k}");
                assert_ne!(one, c0, "{m} x {k}: nothing written");
                // Columns too short: no panic (what is written is unspecified).
                let mut short = c0.clone();
                T::matvec_acc(&a, m, k, &b[..k - 1], &mut short);
                T::matvec_acc(&a, m, k, &b, &mut short[..m - 1]);
            }
        }
    }
    check::<f32>();
    check::<f64>();
}

/// Sizes drawn near 0, near the slices' lengths and near `usize::MAX`.
fn size() -> impl Strategy<Value = usize> {
    prop_oneof![
        0usize..12,
        Just(usize::MAX),
        (0usize..8).prop_map(|d| usize::MAX - d),
        (0usize..8).prop_map(|d| usize::MAX / 4 + d),
        (0u32..64).prop_map(|s| 1usize << s),
        any::<usize>(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 2000,
        rng_seed: proptest::test_runner::RngSeed::Fixed(14),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// Any sizes, any slice lengths: no panic; when the sizes do not fit the slices, nothing
    /// is written.
    #[test]
    fn any_sizes_never_panic(
        m in size(),
        n in size(),
        len in 0usize..40,
        columns in proptest::collection::vec(0usize..12, 0..6),
    ) {
        let data: Vec<f32> = (0..40).map(|i| i as f32 * 0.25).collect();
        let cols: Vec<&[f32]> = columns.iter().map(|&l| &data[..l]).collect();
        let fits = m > 0 && n > 0 && m.checked_mul(n).is_some_and(|mn| mn <= len);
        on_every_path(&mut |path| {
            let mut g = vec![0.0f32; len];
            outer(path, &mut g, m, n, &cols, &cols);
            if !fits {
                assert!(g.iter().all(|&v| v == 0.0), "{path:?} wrote with {m} x {n} into {len}");
            }
            let mut outs: Vec<Vec<f32>> = columns.iter().map(|&l| vec![0.0; l]).collect();
            let mut c: Vec<&mut [f32]> = outs.iter_mut().map(|v| v.as_mut_slice()).collect();
            matmul(path, &data[..len], m, n, &cols, &mut c);
            if !fits {
                assert!(outs.iter().flatten().all(|&v| v == 0.0), "{path:?} matmul {m} x {n}");
            }
        });
    }
}

/// `outer_sgd` (where this CPU has it) is `outer_set` into `G`, then the dispatched
/// `axpy_swap(W, alpha, G)`, bit for bit: the new weights, the old ones left in `G`, and both finiteness flags,
/// at heights around every vector edge, with an infinite or NaN `a_i b_j` and an overflowing
/// step among them.
#[test]
fn outer_sgd_equals_outer_set_then_axpy_swap() {
    let bad = [None, Some(f32::INFINITY), Some(f32::NAN), Some(3e38)];
    for m in [1, 5, 10, 16, 17, 32, 33, 64, 65, 70] {
        for n in [1, 3, 7, 32, 64] {
            for (case, bad) in bad.iter().enumerate() {
                let value = |i: usize| ((i * 7919) % 23) as f32 * 0.125 - 1.375;
                let w0: Vec<f32> = (0..m * n).map(value).collect();
                let mut a: Vec<f32> = (0..m).map(|i| value(i + 3)).collect();
                let b: Vec<f32> = (0..n).map(|i| value(i + 7)).collect();
                if let Some(v) = bad {
                    a[m / 2] = *v;
                }
                let alpha = if case == 3 { -1e38 } else { -0.05 };
                let (mut w, mut g) = (w0.clone(), vec![1.0f32; m * n]);
                let Some(fused) = f32::outer_sgd(&mut w, &mut g, m, n, &a, &b, alpha) else {
                    return; // no fused kernel on this CPU: the caller runs the pair
                };
                let (mut w_ref, mut g_ref) = (w0.clone(), vec![1.0f32; m * n]);
                f32::outer_set(&mut g_ref, m, n, &a, &b);
                // The dispatched kernel, which Dense's unfused step runs at these sizes (from
                // kernel::MIN_ELEMENTS up; shorter slices run the portable loop instead).
                let pair = f32::axpy_swap(&mut w_ref, alpha, &mut g_ref);
                let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                assert_eq!(fused, pair, "{m} x {n}, case {case}: flags");
                assert_eq!(bits(&w), bits(&w_ref), "{m} x {n}, case {case}: weights");
                assert_eq!(
                    bits(&g),
                    bits(&g_ref),
                    "{m} x {n}, case {case}: old weights"
                );
            }
        }
    }
}
