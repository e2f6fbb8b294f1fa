//! A user crate under `#![forbid(unsafe_code)]` declares networks, with Dropout and a
//! convolution, and builds and trains them on the heap (dl-core's `alloc` feature, whose
//! `zeroed` module is the crate's one `unsafe`): the `unsafe impl Zeroable` that `network!`
//! generates comes from dl-core's macro and does not count against the user's crate.
#![forbid(unsafe_code)]

use dl_core::prelude::*;

network! {
    struct Net {
        input: [1, 6, 6],
        Conv2D<1, 2, 3, Relu>,
        Flatten,
        Dropout<0.25>,
        Dense<32, 1, Sigmoid>,
    }
}

#[test]
fn a_forbid_unsafe_crate_declares_builds_and_trains_networks_on_the_heap() {
    let mut net = Net::<f32>::boxed(1);
    let mut ws = Workspace::<Net<f32>>::boxed();
    let mut sgd = Sgd::new(0.1);
    let x = SVector::<f32, 36>::from_fn(|i, _| (i % 5) as f32 / 5.0);
    let y = SVector::from([1.0]);
    let first = train_sample::<_, BinaryCrossEntropy, _>(&mut *net, &mut sgd, &x, &y, &mut ws);
    assert!(first.expect("trains").is_finite());
}
