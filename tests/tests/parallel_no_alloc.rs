//! After warm-up, a data-parallel training step allocates nothing on any thread: the
//! workspaces are made once. Counted on every thread (the pool's workers included) by the
//! counting allocator; a negative control shows the count sees the workers' allocations.

use dl_core::parallel::{Parallel, ParallelConfig};
use dl_core::prelude::*;
use dl_tests::{allocations_all_threads, CountingAllocator};

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

network! {
    struct Mlp { Dense<64, 32, Relu>, Dense<32, 10, Softmax> }
}

network! {
    struct Cnn {
        input: [1, 8, 8],
        Conv2D<1, 4, 3, Relu, padding = 1>,
        MaxPool2D<2>,
        Flatten,
        Dropout<0.25>,
        Dense<64, 10, Softmax>,
    }
}

fn samples(n: usize) -> (Vec<SVector<f32, 64>>, Vec<SVector<f32, 10>>) {
    let xs = (0..n)
        .map(|s| SVector::from_fn(|i, _| ((i * 7 + s * 3) % 17) as f32 / 16.0))
        .collect();
    let ys = (0..n)
        .map(|s| SVector::from_fn(|i, _| f32::from(i == s % 10)))
        .collect();
    (xs, ys)
}

// One test in this binary: the counter is global, so no other test may run beside it.
#[test]
fn parallel_steps_do_not_allocate_after_warm_up() {
    let (xs, ys) = samples(48);
    let mut mlp = Mlp::<f32>::new(1);
    let mut cnn = Cnn::<f32>::new(1);
    let config = ParallelConfig::new().threads(2).shard(8);
    let mut par_mlp = Parallel::<Mlp<f32>>::new(config).unwrap();
    let mut par_cnn = Parallel::<Cnn<f32>>::new(config).unwrap();
    let (mut adam, mut sgd) = (Adam::new(1e-3), Sgd::new(0.05));
    let mut step = |mlp: &mut Mlp<f32>, cnn: &mut Cnn<f32>| {
        let a = par_mlp
            .train_batch::<CrossEntropy, _>(mlp, &mut adam, &xs, &ys)
            .unwrap();
        let b = par_cnn
            .train_batch::<CrossEntropy, _>(cnn, &mut sgd, &xs[..40], &ys[..40])
            .unwrap();
        a + b
    };
    // Warm-up: the workspaces of a 48-sample batch, the pool's threads.
    step(&mut mlp, &mut cnn);
    let (n, loss) =
        allocations_all_threads(|| (0..5).map(|_| step(&mut mlp, &mut cnn)).sum::<f32>());
    assert!(loss.is_finite());
    assert_eq!(n, 0, "{n} allocations in 500 parallel steps after warm-up");

    // Negative control: a larger batch needs new workspaces, made on this thread, and an
    // allocation on a worker thread is seen too.
    let (big_x, big_y) = samples(96);
    let (n, _) = allocations_all_threads(|| {
        par_mlp
            .train_batch::<CrossEntropy, _>(&mut mlp, &mut Sgd::new(0.01), &big_x, &big_y)
            .unwrap()
    });
    assert!(n >= 1, "growing the workspaces was not counted");
    let pool = other_thread_allocation();
    assert!(pool >= 1, "an allocation on another thread was not counted");
}

/// Allocations counted while another thread allocates.
fn other_thread_allocation() -> usize {
    allocations_all_threads(|| std::thread::scope(|s| s.spawn(|| vec![0u8; 64].len()).join())).0
}
