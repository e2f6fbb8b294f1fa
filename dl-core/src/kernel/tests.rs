//! Tests of the kernels: each operation against a naive reference on every path (portable,
//! and AVX2 and AVX-512 where this CPU has them), and empty or inconsistent sizes.

use super::*;
use crate::float::Float;

/// Room for the largest test matrix (100 x 90).
const BUF: usize = 9000;

/// Deterministic values in `[-1, 1)`.
fn values(n: usize, seed: u64) -> [f64; BUF] {
    let mut rng = crate::rng::Rng::new(seed);
    let mut v = [0.0; BUF];
    for x in v.iter_mut().take(n) {
        *x = rng.uniform() * 2.0 - 1.0;
    }
    v
}

/// Every way this build can run a kernel: the dispatched entry points, the portable
/// kernels, and each run-time instruction set (skipped where the CPU lacks it).
#[derive(Clone, Copy, Debug)]
enum Path {
    Dispatched,
    Portable,
    Avx2,
    Avx512,
    /// The hand-written intrinsics (`f32` on AVX-512 only).
    Intrinsics,
}

const PATHS: [Path; 5] = [
    Path::Dispatched,
    Path::Portable,
    Path::Avx2,
    Path::Avx512,
    Path::Intrinsics,
];

/// Runs `op` on `path`; `None` if this CPU or build cannot.
fn exec<O: Op>(path: Path, op: O) -> Option<O::Out> {
    match path {
        Path::Dispatched => Some(run(op)),
        Path::Portable => Some(run_portable(op)),
        #[cfg(all(feature = "std", target_arch = "x86_64"))]
        Path::Avx2 => x86::run_on(x86::Isa::Avx2, op).ok(),
        #[cfg(all(feature = "std", target_arch = "x86_64"))]
        Path::Avx512 => x86::run_on(x86::Isa::Avx512, op).ok(),
        #[cfg(not(all(feature = "std", target_arch = "x86_64")))]
        Path::Avx2 | Path::Avx512 => None,
        Path::Intrinsics => None,
    }
}

fn tolerance<T: Float>(terms: usize) -> f64 {
    let unit = if T::NAME == "f32" { 1e-4 } else { 1e-12 };
    unit * (terms as f64 + 1.0)
}

fn check_matmul<T: Float + Intrinsics>(m: usize, k: usize, n: usize, path: Path) {
    let a64 = values(m * k, 1);
    let b64 = values(k * n, 2);
    let c64 = values(m * n, 3);
    let a: [T; BUF] = a64.map(T::cast);
    let b: [T; BUF] = b64.map(T::cast);
    let mut c: [T; BUF] = c64.map(T::cast);
    let cols: [&[T]; 64] = core::array::from_fn(|j| b.get(j * k..(j + 1) * k).unwrap_or(&[]));
    let mut out = c[..m * n].chunks_exact_mut(m.max(1));
    let mut c_cols: [&mut [T]; 64] = core::array::from_fn(|_| out.next().unwrap_or_default());
    let (a_used, b_used) = (&a[..m * k], &cols[..n]);
    let done = match path {
        Path::Intrinsics => T::matmul(a_used, m, k, b_used, &mut c_cols[..n]),
        _ => {
            let c = &mut c_cols[..n];
            let op = ops::Matmul {
                a: a_used,
                m,
                k,
                b: b_used,
                c,
            };
            exec(path, op).is_some()
        }
    };
    if !done {
        return;
    }
    for j in 0..n {
        for r in 0..m {
            let want = c64[j * m + r]
                + (0..k)
                    .map(|kk| a64[kk * m + r] * b64[j * k + kk])
                    .sum::<f64>();
            let got = c_cols[j][r].as_f64();
            assert!(
                (got - want).abs() <= tolerance::<T>(k),
                "{path:?} {}: {m}x{k} by {k}x{n}: C[{r}][{j}] = {got}, naive {want}",
                T::NAME
            );
        }
    }
}

fn check_outer<T: Float + Intrinsics>(m: usize, n: usize, count: usize, path: Path) {
    let a64 = values(m * count, 4);
    let b64 = values(n * count, 5);
    let g64 = values(m * n, 6);
    let a: [T; BUF] = a64.map(T::cast);
    let b: [T; BUF] = b64.map(T::cast);
    let mut g: [T; BUF] = g64.map(T::cast);
    let a_cols: [&[T]; 64] = core::array::from_fn(|s| a.get(s * m..(s + 1) * m).unwrap_or(&[]));
    let b_cols: [&[T]; 64] = core::array::from_fn(|s| b.get(s * n..(s + 1) * n).unwrap_or(&[]));
    let (g_used, a_used, b_used) = (&mut g[..m * n], &a_cols[..count], &b_cols[..count]);
    let done = match path {
        Path::Intrinsics => T::outer(g_used, m, n, a_used, b_used),
        _ => {
            let op = ops::Outer {
                g: g_used,
                m,
                n,
                a: a_used,
                b: b_used,
            };
            exec(path, op).is_some()
        }
    };
    if !done {
        return;
    }
    for j in 0..n {
        for r in 0..m {
            let want = g64[j * m + r]
                + (0..count)
                    .map(|s| a64[s * m + r] * b64[s * n + j])
                    .sum::<f64>();
            let got = g[j * m + r].as_f64();
            assert!(
                (got - want).abs() <= tolerance::<T>(count),
                "{path:?} {}: outer {m}x{n} over {count}: G[{r}][{j}] = {got}, naive {want}",
                T::NAME
            );
        }
    }
}

/// Sizes around every tile edge: 1, a batch of one, multiples of the tiles, 10-wide
/// outputs, primes, heights past the 64-row tile, a shared dimension longer than one
/// packed panel (`DEPTH`) or one L1 block of the AVX-512 kernel (100 x 90), and more
/// samples than one packed panel of the outer product.
const SIZES: [(usize, usize, usize); 19] = [
    (100, 90, 5),
    (130, 20, 5),
    (10, 33, 1),
    (37, 5, 1),
    (1, 1, 1),
    (10, 32, 32),
    (10, 128, 7),
    (32, 64, 32),
    (33, 5, 9),
    (7, 300, 3),
    (64, 17, 8),
    (13, 13, 13),
    (4, 520, 5),
    (40, 3, 33),
    (2, 2, 31),
    (15, 260, 12),
    (129, 7, 3),
    (200, 3, 1),
    (24, 5, 64),
];

#[test]
fn matmul_matches_naive_product_on_every_path() {
    for path in PATHS {
        for &(m, k, n) in &SIZES {
            check_matmul::<f32>(m, k, n, path);
            check_matmul::<f64>(m, k, n, path);
        }
    }
}

#[test]
fn outer_matches_naive_product_on_every_path() {
    for path in PATHS {
        for &(m, n, count) in &SIZES {
            check_outer::<f32>(m, n, count, path);
            check_outer::<f64>(m, n, count, path);
        }
    }
}

/// `outer_set` over a gradient full of garbage (NaN, infinities) gives the bits of
/// `outer_acc` of the same sample into zeros, signed zeros included.
fn check_outer_set<T: Float + Intrinsics>(m: usize, n: usize, path: Path) {
    let mut a: [T; BUF] = values(m, 9).map(T::cast);
    let b: [T; BUF] = values(n, 10).map(T::cast);
    // A zero times a negative value: `-0 + 0` is `+0` in the accumulating kernel.
    a[0] = T::ZERO;
    let (a, b) = (&a[..m], &b[..n]);
    let mut want = [T::ZERO; BUF];
    run_portable(ops::Outer {
        g: &mut want[..m * n],
        m,
        n,
        a: &[a],
        b: &[b],
    });
    let garbage = [f64::NAN, f64::INFINITY, -1.5, f64::NEG_INFINITY];
    let mut g: [T; BUF] = core::array::from_fn(|i| T::cast(garbage[i % 4]));
    let g_used = &mut g[..m * n];
    let done = match path {
        Path::Intrinsics => <T as Intrinsics>::outer_set(g_used, m, n, a, b),
        _ => exec(
            path,
            ops::OuterSet {
                g: g_used,
                m,
                n,
                a,
                b,
            },
        )
        .is_some(),
    };
    if !done {
        return;
    }
    for i in 0..m * n {
        assert_eq!(
            g[i].as_f64().to_bits(),
            want[i].as_f64().to_bits(),
            "{path:?} {}: outer_set {m}x{n}, element {i}",
            T::NAME
        );
    }
}

#[test]
fn outer_set_equals_one_sample_added_into_zeros_on_every_path() {
    for path in PATHS {
        for &(m, n, _) in &SIZES {
            check_outer_set::<f32>(m, n, path);
            check_outer_set::<f64>(m, n, path);
        }
    }
}

fn check_elementwise<T: Float>(path: Path) {
    for len in [0, 1, 15, 63, 64, 65, 200, 1000] {
        let x64 = values(len, 7);
        let y64 = values(len, 8);
        let x: [T; BUF] = x64.map(T::cast);
        let mut y: [T; BUF] = y64.map(T::cast);
        let alpha = T::cast(-0.375);
        let op = ops::Axpy {
            y: &mut y[..len],
            alpha,
            x: &x[..len],
        };
        if exec(path, op).is_none() {
            return;
        }
        for i in 0..len {
            let want = y64[i] - 0.375 * x64[i];
            assert!(
                (y[i].as_f64() - want).abs() <= tolerance::<T>(1),
                "{path:?} axpy"
            );
        }
        assert_eq!(exec(path, ops::AllFinite { v: &x[..len] }), Some(true));
        let mut v = x;
        let op = ops::ScaleAllFinite {
            v: &mut v[..len],
            s: T::cast(0.5),
        };
        assert_eq!(exec(path, op), Some(true));
        for i in 0..len {
            assert_eq!(v[i], x[i] * T::cast(0.5), "{path:?} scale");
        }
        for bad in [
            T::cast(f64::NAN),
            T::cast(f64::INFINITY),
            T::cast(f64::NEG_INFINITY),
        ] {
            for at in [0, len / 2, len.saturating_sub(1)] {
                if len == 0 {
                    continue;
                }
                let mut w = x;
                w[at] = bad;
                assert_eq!(exec(path, ops::AllFinite { v: &w[..len] }), Some(false));
                let op = ops::ScaleAllFinite {
                    v: &mut w[..len],
                    s: T::cast(0.25),
                };
                assert_eq!(exec(path, op), Some(false), "{path:?} {len} {at}");
            }
        }
        // A finite value whose scaled result overflows is caught too.
        if len > 0 {
            let mut w = x;
            w[len - 1] = T::max_value().unwrap_or(T::ZERO);
            let op = ops::ScaleAllFinite {
                v: &mut w[..len],
                s: T::cast(4.0),
            };
            assert_eq!(exec(path, op), Some(false), "{path:?} overflow");
        }
    }
}

#[test]
fn elementwise_kernels_on_every_path() {
    for path in PATHS {
        check_elementwise::<f32>(path);
        check_elementwise::<f64>(path);
    }
}

/// `AxpySwap`: the step, the old values where the gradient was, and which of the two
/// had a non-finite value (a bad gradient value at the start, middle or end; a finite
/// one whose step overflows).
fn check_swap<T: Float>(path: Path) {
    const N: usize = 1000;
    for len in [1, 15, 64, 65, 200, N] {
        let (x64, y64) = (values(len, 9), values(len, 10));
        let x: [T; N] = core::array::from_fn(|i| T::cast(x64[i]));
        let y: [T; N] = core::array::from_fn(|i| T::cast(y64[i]));
        let alpha = T::cast(-0.375);
        let (mut p, mut g) = (y, x);
        let op = ops::AxpySwap {
            y: &mut p[..len],
            alpha,
            x: &mut g[..len],
        };
        let Some(finite) = exec(path, op) else {
            return;
        };
        assert_eq!(finite, (true, true), "{path:?} {len}");
        assert_eq!(g[..len], y[..len], "{path:?} {len}: the old values");
        let mut want = y;
        exec(
            path,
            ops::Axpy {
                y: &mut want[..len],
                alpha,
                x: &x[..len],
            },
        );
        assert_eq!(p[..len], want[..len], "{path:?} {len}: the step, as axpy");
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            for at in [0, len / 2, len - 1] {
                let (mut p, mut g) = (y, x);
                g[at] = T::cast(bad);
                let op = ops::AxpySwap {
                    y: &mut p[..len],
                    alpha,
                    x: &mut g[..len],
                };
                assert_eq!(exec(path, op), Some((false, false)), "{path:?} {len} {at}");
            }
        }
        let (mut p, mut g) = (y, x);
        let max = T::max_value().unwrap_or(T::ZERO);
        (p[len / 2], g[len / 2]) = (max, max);
        let op = ops::AxpySwap {
            y: &mut p[..len],
            alpha: T::cast(2.0),
            x: &mut g[..len],
        };
        assert_eq!(
            exec(path, op),
            Some((false, true)),
            "{path:?} {len}: overflow"
        );
    }
}

#[test]
fn swap_kernel_on_every_path() {
    for path in PATHS {
        check_swap::<f32>(path);
        check_swap::<f64>(path);
    }
}

#[test]
fn empty_sizes_do_nothing() {
    let mut g = [1.0f32; 4];
    let empty: &[f32] = &[];
    f32::outer_acc(&mut g, 0, 4, &[empty; 3], &[empty; 3]);
    f32::matmul_acc(&[], 2, 0, &[empty; 2], &mut [&mut [], &mut []]);
    assert_eq!(g, [1.0; 4]);
}

/// Columns shorter than the sizes claim are skipped, never a panic.
#[test]
fn inconsistent_sizes_do_not_panic() {
    let a = [1.0f32; 64];
    let mut c0 = [0.0f32; 3];
    f32::matmul_acc(&a, 8, 8, &[&[1.0; 2]], &mut [&mut c0]);
    let mut g = [0.0f32; 64];
    f32::outer_acc(
        &mut g,
        8,
        8,
        &[&[1.0; 3], &[1.0; 8]],
        &[&[1.0; 8], &[1.0; 2]],
    );
}
