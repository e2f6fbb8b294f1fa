//! The data-parallel engine gives bit-identical weights for any number of threads, on the
//! batched MLP path and the per-sample CNN path (with Dropout), through `train_batch` and
//! through `fit_stream`; its `evaluate` and `predict` equal the serial ones bit for bit; the
//! fused reduction and SGD update (`fused`) equal the unfused step bit for bit.

mod fused;

use dl_core::parallel::{
    shard_range, work_per_sample, Parallel, ParallelConfig, DEFAULT_SHARD, SHARD_WORK,
};
use dl_core::prelude::*;
use dl_core::stream::{fit_stream, InMemory, StreamConfig};

network! {
    /// The MNIST-sized MLP (batched kernels).
    struct Mlp {
        Dense<784, 128, Relu>,
        Dense<128, 10, Softmax>,
    }
}

network! {
    /// A small image CNN with Dropout (per-sample path).
    struct Cnn {
        input: [3, 12, 12],
        Conv2D<3, 8, 3, Relu, padding = 1>,
        MaxPool2D<2>,
        Conv2D<8, 8, 3, Relu>,
        Flatten,
        Dropout<0.25>,
        Dense<128, 4, Softmax>,
    }
}

/// `n` deterministic samples of `I` inputs in [0, 1) and one-hot targets over `O` classes.
fn samples<const I: usize, const O: usize>(
    n: usize,
) -> (Vec<SVector<f32, I>>, Vec<SVector<f32, O>>) {
    let mut rng = Rng::new(11);
    let xs = (0..n)
        .map(|_| SVector::from_fn(|_, _| rng.uniform() as f32))
        .collect();
    let ys = (0..n)
        .map(|s| SVector::from_fn(|i, _| f32::from(i == (s * 7) % O)))
        .collect();
    (xs, ys)
}

fn weights<N: Network>(net: &N) -> Vec<u32>
where
    N::Scalar: Into<f64>,
{
    (0..N::TENSORS)
        .flat_map(|i| net.tensor(i).iter().map(|&v| (v.into() as f32).to_bits()))
        .collect()
}

/// Trains a fresh network for `steps` batches of `batch` on `threads` threads with Adam.
fn train<N: Network<Scalar = f32> + Sync + Send>(
    threads: usize,
    xs: &[N::Input],
    ys: &[N::Output],
    batch: usize,
    steps: usize,
) -> (Vec<u32>, Vec<u32>)
where
    N::Input: Sync + Send,
    N::Output: Sync + Send,
    Workspace<N>: Send + Sync,
{
    let mut net = N::boxed(3);
    let mut adam = Adam::new(1e-3);
    let config = ParallelConfig::new().threads(threads).shard(8);
    let mut par = Parallel::<N>::new(config).unwrap();
    assert_eq!(par.threads(), threads);
    let mut losses = Vec::new();
    for step in 0..steps {
        let start = (step * batch) % (xs.len() - batch + 1);
        let range = start..start + batch;
        let loss = par
            .train_batch::<CrossEntropy, _>(&mut net, &mut adam, &xs[range.clone()], &ys[range])
            .unwrap();
        losses.push(loss.to_bits());
    }
    (weights(&*net), losses)
}

fn identical_for_thread_counts<N: Network<Scalar = f32> + Sync + Send>(
    xs: &[N::Input],
    ys: &[N::Output],
) where
    N::Input: Sync + Send,
    N::Output: Sync + Send,
    Workspace<N>: Send + Sync,
{
    // 37 is not a multiple of the shard: the last shard is short.
    let one = train::<N>(1, xs, ys, 37, 6);
    let before = weights(&*N::boxed(3));
    assert_ne!(one.0, before, "training changed nothing");
    for threads in [2, 3, 4, 7] {
        let other = train::<N>(threads, xs, ys, 37, 6);
        assert!(other.1 == one.1, "losses differ at {threads} threads");
        assert!(other.0 == one.0, "weights differ at {threads} threads");
    }
}

#[test]
fn mlp_weights_are_bit_identical_for_any_thread_count() {
    let (xs, ys) = samples::<784, 10>(80);
    identical_for_thread_counts::<Mlp<f32>>(&xs, &ys);
}

#[test]
fn cnn_weights_are_bit_identical_for_any_thread_count() {
    let (xs, ys) = samples::<432, 4>(80);
    identical_for_thread_counts::<Cnn<f32>>(&xs, &ys);
}

#[test]
fn a_different_shard_size_is_a_different_but_close_rounding() {
    // The control: the bit-identity above is not vacuous, the shard does change the sums.
    let (xs, ys) = samples::<784, 10>(32);
    let run = |shard| {
        let mut net = Mlp::<f32>::boxed(3);
        let mut par = Parallel::new(ParallelConfig::new().threads(2).shard(shard)).unwrap();
        let mut sgd = Sgd::new(0.1);
        par.train_batch::<CrossEntropy, _>(&mut *net, &mut sgd, &xs, &ys)
            .unwrap();
        net
    };
    let (a, b) = (run(4), run(16));
    let (wa, wb) = (weights(&*a), weights(&*b));
    assert_ne!(
        wa, wb,
        "shards of 4 and 16 rounded the same: the test cannot see order"
    );
    let max = (0..2)
        .flat_map(|i| {
            a.tensor(i)
                .iter()
                .zip(b.tensor(i))
                .map(|(x, y)| (x - y).abs())
        })
        .fold(0.0f32, f32::max);
    assert!(max < 1e-6, "shard sizes disagree by {max}");
}

#[test]
fn one_step_matches_the_serial_train_batch_to_rounding() {
    let (xs, ys) = samples::<784, 10>(32);
    let mut serial = Mlp::<f32>::boxed(4);
    let mut parallel = Mlp::<f32>::boxed(4);
    let mut ws = Workspace::<Mlp<f32>>::boxed();
    let l1 = train_batch::<_, CrossEntropy, _>(&mut *serial, &mut Sgd::new(0.1), &xs, &ys, &mut ws)
        .unwrap();
    let mut par = Parallel::new(ParallelConfig::new().threads(2)).unwrap();
    let l2 = par
        .train_batch::<CrossEntropy, _>(&mut *parallel, &mut Sgd::new(0.1), &xs, &ys)
        .unwrap();
    assert!((l1 - l2).abs() < 1e-5, "{l1} vs {l2}");
    for i in 0..2 {
        for (a, b) in serial.tensor(i).iter().zip(parallel.tensor(i)) {
            assert!((a - b).abs() < 1e-6, "{a} vs {b}");
        }
    }
}

#[test]
fn evaluate_and_predict_equal_the_serial_ones_bit_for_bit() {
    let (xs, ys) = samples::<432, 4>(45);
    let net = Cnn::<f32>::new(9);
    let data = Data::new(&xs, &ys).unwrap();
    let serial = evaluate::<CrossEntropy, Accuracy, _>(&net, data);
    let mut outputs = vec![SVector::zeros(); xs.len()];
    predict(&net, &xs, &mut outputs).unwrap();
    for threads in [1, 2, 3] {
        let mut par = Parallel::new(ParallelConfig::new().threads(threads)).unwrap();
        let p = par.evaluate::<CrossEntropy, Accuracy>(&net, data);
        assert_eq!(p.loss.to_bits(), serial.loss.to_bits());
        assert_eq!(p.metric.to_bits(), serial.metric.to_bits());
        let mut out = vec![SVector::zeros(); xs.len()];
        par.predict(&net, &xs, &mut out).unwrap();
        assert_eq!(out, outputs);
        let short = par.predict(&net, &xs, &mut out[1..]);
        assert!(matches!(short, Err(Error::Length { .. })));
    }
}

#[test]
fn bad_batches_are_refused_and_leave_the_weights() {
    let (mut xs, ys) = samples::<784, 10>(20);
    let mut boxed = Mlp::<f32>::boxed(1);
    let net = &mut *boxed;
    let before = weights(net);
    let mut par = Parallel::new(ParallelConfig::new().threads(2).shard(4)).unwrap();
    let mut sgd = Sgd::new(0.1);
    let r = par.train_batch::<CrossEntropy, _>(net, &mut sgd, &xs[..3], &ys[..4]);
    assert!(matches!(r, Err(Error::BatchMismatch { .. })));
    let r = par.train_batch::<CrossEntropy, _>(net, &mut sgd, &xs[..0], &ys[..0]);
    assert!(matches!(r, Err(Error::EmptyBatch)));
    xs[13][5] = f32::INFINITY;
    let r = par.train_batch::<CrossEntropy, _>(net, &mut sgd, &xs, &ys);
    assert!(r.is_err(), "an infinite input trained: {r:?}");
    assert_eq!(weights(net), before);
    // The workspaces are clean again: the next good step equals a fresh engine's.
    xs[13][5] = 0.5;
    par.train_batch::<CrossEntropy, _>(net, &mut sgd, &xs, &ys)
        .unwrap();
    let mut fresh = Mlp::<f32>::boxed(1);
    let mut fresh_par = Parallel::new(ParallelConfig::new().threads(1).shard(4)).unwrap();
    fresh_par
        .train_batch::<CrossEntropy, _>(&mut *fresh, &mut Sgd::new(0.1), &xs, &ys)
        .unwrap();
    assert_eq!(weights(net), weights(&*fresh));
    assert!(Parallel::<Mlp<f32>>::new(ParallelConfig::new().shard(0)).is_err());
}

#[test]
fn fit_stream_is_identical_for_any_loader_and_thread_count() {
    let (xs, ys) = samples::<432, 4>(70);
    let data = Data::new(&xs, &ys).unwrap();
    let run = |threads, loaders, prefetch| {
        let mut net = Cnn::<f32>::new(2);
        let mut par = Parallel::new(ParallelConfig::new().threads(threads).shard(4)).unwrap();
        let config = StreamConfig::new(3, 16).seed(5).prefetch(prefetch, loaders);
        let source = InMemory(data);
        let history = fit_stream::<CrossEntropy, Accuracy, _, _, _>(
            &mut par,
            &mut net,
            &mut Adam::new(1e-2),
            &source,
            Some(&source),
            &config,
            (),
        )
        .unwrap();
        (weights(&net), history)
    };
    let (w, h) = run(1, 1, 1);
    assert_eq!(h.epochs.len(), 3);
    assert!(h.epochs[2].train_loss < h.epochs[0].train_loss, "{h:?}");
    for (threads, loaders, prefetch) in [(2, 1, 1), (2, 3, 2), (3, 2, 8)] {
        let (w2, h2) = run(threads, loaders, prefetch);
        assert!(
            w2 == w,
            "weights differ: {threads} threads, {loaders} loaders"
        );
        assert_eq!(h2, h);
    }
}

#[test]
fn uneven_batches_are_cut_into_shards_of_nearly_equal_size() {
    for batch in 1..=100usize {
        for shard in 1..=20 {
            let count = batch.div_ceil(shard);
            let ranges: Vec<_> = (0..count).map(|s| shard_range(batch, shard, s)).collect();
            assert_eq!(ranges[0].start, 0);
            assert_eq!(ranges[count - 1].end, batch);
            assert!(ranges.windows(2).all(|w| w[0].end == w[1].start));
            let (min, max) = ranges.iter().fold((usize::MAX, 0), |(lo, hi), r| {
                (lo.min(r.len()), hi.max(r.len()))
            });
            assert!(
                max <= shard && max - min <= 1,
                "{batch} in {shard}: {ranges:?}"
            );
        }
    }
    assert_eq!(shard_range(24, 16, 0), 0..12);
    assert_eq!(shard_range(24, 16, 1), 12..24);
}

#[test]
fn a_batch_of_24_in_shards_of_16_trains_as_two_shards_of_12() {
    let (xs, ys) = samples::<784, 10>(24);
    let run = |threads, shard| {
        let mut net = Mlp::<f32>::boxed(5);
        let config = ParallelConfig::new().threads(threads).shard(shard);
        let mut par = Parallel::new(config).unwrap();
        let mut adam = Adam::new(1e-3);
        for _ in 0..3 {
            par.train_batch::<CrossEntropy, _>(&mut *net, &mut adam, &xs, &ys)
                .unwrap();
        }
        weights(&*net)
    };
    let twelves = run(1, 12);
    for threads in [1, 2, 3] {
        assert!(run(threads, 16) == twelves, "{threads} threads");
    }
    // The control: three shards of 8 group the sums differently.
    assert!(run(2, 8) != twelves);
}

#[test]
fn the_engine_grows_shards_only_where_splitting_would_not_pay() {
    let mlp_work = 784 * 128 + 128 + 128 * 10 + 10;
    assert_eq!(work_per_sample(&Mlp::<f32>::summary()), mlp_work);
    // Per-sample work equal to the gradient: shards of at least SHARD_WORK samples.
    let auto = Parallel::<Mlp<f32>>::new(ParallelConfig::new().threads(2)).unwrap();
    assert_eq!(auto.shard(), SHARD_WORK);
    // A set shard is kept; so is the default for a convolution, whose work is many times
    // its gradient.
    let set = Parallel::<Mlp<f32>>::new(ParallelConfig::new().threads(2).shard(4)).unwrap();
    assert_eq!(set.shard(), 4);
    let cnn = Parallel::<Cnn<f32>>::new(ParallelConfig::new().threads(2)).unwrap();
    assert_eq!(cnn.shard(), DEFAULT_SHARD);

    // So the MLP's batch of 32 is one shard: the serial step bit for bit, on any thread count.
    let (xs, ys) = samples::<784, 10>(32);
    let serial = {
        let mut net = Mlp::<f32>::boxed(4);
        let mut ws = Workspace::<Mlp<f32>>::boxed();
        train_batch::<_, CrossEntropy, _>(&mut *net, &mut Sgd::new(0.1), &xs, &ys, &mut ws)
            .unwrap();
        weights(&*net)
    };
    let engine = |config: ParallelConfig| {
        let mut net = Mlp::<f32>::boxed(4);
        let mut par = Parallel::new(config).unwrap();
        par.train_batch::<CrossEntropy, _>(&mut *net, &mut Sgd::new(0.1), &xs, &ys)
            .unwrap();
        weights(&*net)
    };
    for threads in [1, 2, 3] {
        assert!(engine(ParallelConfig::new().threads(threads)) == serial);
    }
    // The control: without growing, two shards of 16 round differently.
    let fixed = ParallelConfig::new().threads(2).auto_shard(false);
    assert!(engine(fixed) != serial);
}

#[test]
fn predict_from_two_threads_at_once_is_still_exact() {
    // `predict` takes `&self`: the engine runs one job at a time whoever calls.
    let (xs, _) = samples::<432, 4>(40);
    let net = Cnn::<f32>::new(9);
    let mut expected = vec![SVector::zeros(); xs.len()];
    predict(&net, &xs, &mut expected).unwrap();
    let par = Parallel::<Cnn<f32>>::new(ParallelConfig::new().threads(2)).unwrap();
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                for _ in 0..50 {
                    let mut out = vec![SVector::zeros(); xs.len()];
                    par.predict(&net, &xs, &mut out).unwrap();
                    assert_eq!(out, expected);
                }
            });
        }
    });
}
