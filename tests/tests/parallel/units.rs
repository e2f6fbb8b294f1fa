//! The unit split (`ParallelConfig::units`): a batch of one shard of a Dense network, with
//! plain SGD, split by output units over 2 and 3 threads, trains bit for bit as the serial
//! `train_batch` (and so as the engine at 1 thread, and with the split off), over several
//! steps, with a hidden layer between two split ones (a shared `dZ`), weight decay and a
//! non-finite step refused as the serial step refuses it. The control: a different batch
//! order (the same samples) gives different bits, so equality here means something.

use super::{samples, weights, Mlp};
use dl_core::parallel::{Parallel, ParallelConfig};
use dl_core::prelude::*;

network! {
    /// Three Dense layers: the middle one's `dZ` crosses the threads (fewer than 32 outputs
    /// past the first layer: wider ones take blocked input gradients, which the split leaves
    /// to the serial path).
    struct Deep {
        Dense<96, 80, Tanh>,
        Dense<80, 30, Sigmoid>,
        Dense<30, 10, Softmax>,
    }
}

network! {
    /// A hidden layer of 48 outputs past the first: blocked input gradients.
    struct Wide {
        Dense<96, 64, Relu>,
        Dense<64, 48, Relu>,
        Dense<48, 10, Softmax>,
    }
}

#[test]
fn a_network_with_blocked_input_gradients_is_not_split() {
    let config = ParallelConfig::new().threads(2).units(true);
    assert!(!Parallel::<Wide<f32>>::new(config).unwrap().splits_units());
    assert!(Parallel::<Deep<f32>>::new(config).unwrap().splits_units());
}

/// Batches of `batch` (the last short one included) for `steps` steps.
fn windows(
    len: usize,
    batch: usize,
    steps: usize,
) -> impl Iterator<Item = core::ops::Range<usize>> {
    (0..steps).map(move |step| {
        let start = (step * batch) % (len - batch + 1);
        start..start + batch
    })
}

/// The serial `train_batch` (threads 0) or the engine on `threads` threads with the unit
/// split on or off: the weights and the losses.
fn run<N: Network<Scalar = f32> + Sync + Send>(
    threads: usize,
    units: bool,
    sgd: Sgd,
    xs: &[N::Input],
    ys: &[N::Output],
    batch: usize,
) -> (Vec<u32>, Vec<u32>)
where
    N::Input: Sync + Send,
    N::Output: Sync + Send,
    Workspace<N>: Send + Sync,
{
    let mut net = N::boxed(5);
    let mut sgd = sgd;
    let mut ws = Workspace::<N>::boxed();
    let config = ParallelConfig::new().threads(threads.max(1)).units(units);
    let mut par = Parallel::<N>::new(config).unwrap();
    assert_eq!(
        par.splits_units(),
        units && threads > 1,
        "{threads} threads"
    );
    let mut losses = Vec::new();
    for range in windows(xs.len(), batch, 5) {
        let (x, y) = (&xs[range.clone()], &ys[range]);
        let loss = match threads {
            0 => train_batch::<_, CrossEntropy, _>(&mut *net, &mut sgd, x, y, &mut ws),
            _ => par.train_batch::<CrossEntropy, _>(&mut net, &mut sgd, x, y),
        };
        losses.push(loss.unwrap().to_bits());
    }
    (weights(&*net), losses)
}

fn all_equal_serial<N: Network<Scalar = f32> + Sync + Send>(
    sgd: Sgd,
    xs: &[N::Input],
    ys: &[N::Output],
    batch: usize,
) where
    N::Input: Sync + Send,
    N::Output: Sync + Send,
    Workspace<N>: Send + Sync,
{
    let serial = run::<N>(0, false, sgd.clone(), xs, ys, batch);
    assert_ne!(serial.0, weights(&*N::boxed(5)), "training changed nothing");
    for (threads, units) in [(1, true), (2, false), (2, true), (3, true), (4, true)] {
        let other = run::<N>(threads, units, sgd.clone(), xs, ys, batch);
        assert!(
            other.1 == serial.1,
            "losses differ at {threads} threads (units {units})"
        );
        assert!(
            other.0 == serial.0,
            "weights differ at {threads} threads (units {units})"
        );
    }
}

#[test]
fn mlp_split_by_units_trains_as_the_serial_step() {
    let (xs, ys) = samples::<784, 10>(80);
    for batch in [32, 19, 2] {
        all_equal_serial::<Mlp<f32>>(Sgd::new(0.1), &xs, &ys, batch);
    }
}

#[test]
fn weight_decay_and_a_middle_layer_train_as_the_serial_step() {
    let (xs, ys) = samples::<96, 10>(64);
    all_equal_serial::<Deep<f32>>(Sgd::new(0.3).weight_decay(1e-3), &xs, &ys, 32);
    all_equal_serial::<Mlp<f32>>(
        Sgd::new(0.05).weight_decay(1e-2),
        &samples::<784, 10>(40).0,
        &samples::<784, 10>(40).1,
        32,
    );
}

/// One step from `xs` with SGD at `lr`, serial and split over 2 threads: the same result
/// (an error here), the same weights, and the next step agrees too.
fn refused_alike(xs: &[SVector<f32, 784>], lr: f64) {
    let ys = samples::<784, 10>(xs.len()).1;
    let mut serial = Mlp::<f32>::boxed(5);
    let mut split = Mlp::<f32>::boxed(5);
    let mut ws = Workspace::<Mlp<f32>>::boxed();
    let mut par = Parallel::<Mlp<f32>>::new(ParallelConfig::new().threads(2).units(true)).unwrap();
    assert!(
        par.splits_units(),
        "the engine does not split this network by units"
    );
    let (mut a, mut b) = (Sgd::new(lr), Sgd::new(lr));
    let expected = train_batch::<_, CrossEntropy, _>(&mut *serial, &mut a, xs, &ys, &mut ws);
    let got = par.train_batch::<CrossEntropy, _>(&mut split, &mut b, xs, &ys);
    assert!(
        expected.is_err(),
        "the control step was not refused: {expected:?}"
    );
    assert_eq!(format!("{expected:?}"), format!("{got:?}"));
    assert!(
        weights(&*serial) == weights(&*split),
        "a refused step changed the weights"
    );
    assert!(weights(&*split) == weights(&*Mlp::<f32>::boxed(5)));
    // The next (finite) step still agrees: the gradient was cleared on both.
    let (xs, ys) = samples::<784, 10>(32);
    let (a, b) = (&mut Sgd::new(0.1), &mut Sgd::new(0.1));
    let one = train_batch::<_, CrossEntropy, _>(&mut *serial, a, &xs, &ys, &mut ws);
    let two = par.train_batch::<CrossEntropy, _>(&mut split, b, &xs, &ys);
    assert_eq!(one.unwrap().to_bits(), two.unwrap().to_bits());
    assert!(weights(&*serial) == weights(&*split));
}

#[test]
fn non_finite_steps_are_refused_as_the_serial_step_refuses_them() {
    let (mut xs, _) = samples::<784, 10>(32);
    // An update that overflows (a finite loss and gradient).
    xs[3][100] = 1e30;
    refused_alike(&xs, 1e20);
    // A loss that overflows.
    xs[3][100] = f32::INFINITY;
    refused_alike(&xs, 0.1);
}

#[test]
fn control_the_comparison_sees_a_different_order() {
    // The same 32 samples in another order: the sums round differently, so the equality of
    // the tests above is not vacuous.
    let (xs, ys) = samples::<784, 10>(32);
    let (mut rx, mut ry) = (xs.clone(), ys.clone());
    rx.reverse();
    ry.reverse();
    let a = run::<Mlp<f32>>(2, true, Sgd::new(0.1), &xs, &ys, 32);
    let b = run::<Mlp<f32>>(2, true, Sgd::new(0.1), &rx, &ry, 32);
    assert_ne!(
        a.0, b.0,
        "reordering the batch rounded the same: the tests cannot see order"
    );
}
