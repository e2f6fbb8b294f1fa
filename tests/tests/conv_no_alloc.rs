//! The digits CNN's full training step allocates nothing: construction, inference, the
//! training forward pass (Dropout masks included), backward, and Adam and SGD updates through
//! `train_sample` and `train_batch`. Counted by a `#[global_allocator]` with a per-thread
//! counter; a negative control shows the counter sees an allocation when there is one.

use dl_core::prelude::*;
use dl_tests::{allocations, CountingAllocator};

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

network! {
    /// The digits CNN of `examples/digits_cnn.rs`, with an average pool as well.
    struct DigitsCnn {
        input: [1, 8, 8],
        Conv2D<1, 8, 3, Relu, padding = 1>,
        MaxPool2D<2>,
        Conv2D<8, 16, 3, Relu, stride = 1, padding = 1>,
        AvgPool2D<2>,
        Flatten,
        Dropout<0.25>,
        Dense<64, 10, Softmax>,
    }
}

#[test]
fn negative_control_counts_an_allocation() {
    let (n, v) = allocations(|| vec![1u8; 16]);
    assert_eq!(v.len(), 16);
    assert!(n >= 1, "the counter missed a Vec allocation");
}

#[test]
fn cnn_training_step_does_not_allocate() {
    let xs: [SVector<f32, 64>; 8] =
        core::array::from_fn(|s| SVector::from_fn(|i, _| ((i * 7 + s * 3) % 17) as f32 / 16.0));
    let ys: [SVector<f32, 10>; 8] =
        core::array::from_fn(|s| SVector::from_fn(|i, _| f32::from(i == s)));

    let (n, total) = allocations(|| {
        let mut net = DigitsCnn::<f32>::new(5);
        let mut ws = Workspace::<DigitsCnn<f32>>::new();
        ws.seed_dropout(3);
        let mut adam = Adam::new(1e-2);
        let mut sgd = Sgd::new(0.05);
        let out = net.forward(&xs[0]);
        net.forward_train(&xs[0], &mut ws.cache, &mut ws.masks);
        let loss =
            net.loss_backward::<CrossEntropy>(&xs[0], &ws.cache, &ys[0], &mut ws.grads, None);
        let mut dx = SVector::<f32, 64>::zeros();
        net.backward(&xs[0], &ws.cache, &out, &mut ws.grads, Some(&mut dx));
        let mut sum = loss + dx.sum();
        for _ in 0..3 {
            sum +=
                train_batch::<_, CrossEntropy, _>(&mut net, &mut adam, &xs, &ys, &mut ws).unwrap();
            sum += train_sample::<_, CrossEntropy, _>(&mut net, &mut sgd, &xs[1], &ys[1], &mut ws)
                .unwrap();
        }
        net.forward_eval(&xs[2], &mut ws.cache);
        sum += DigitsCnn::<f32>::loss::<CrossEntropy>(&ws.cache, &ys[2]);
        sum + net.forward(&xs[3]).sum()
    });
    assert!(total.is_finite());
    assert_eq!(n, 0, "{n} heap allocations in the CNN's training step");
}
