//! The data-parallel engine's Dropout masks: every shard and every step draws its own, from
//! `shard_seed(seed, optimizer updates, shard)` alone, so a fresh engine resuming from a saved
//! network and optimizer draws what the uninterrupted run drew; a batch of one shard trains
//! bit for bit as the serial `train_batch`.

use dl_core::parallel::{shard_seed, Parallel, ParallelConfig};
use dl_core::prelude::*;

network! {
    /// A small MLP with Dropout (the per-sample path).
    struct Dropped {
        Dense<6, 32, Relu>,
        Dropout<0.5>,
        Dense<32, 3, Softmax>,
    }
}

network! {
    /// The same without Dropout (the batched path).
    struct Plain {
        Dense<6, 32, Relu>,
        Dense<32, 3, Softmax>,
    }
}

fn sample() -> (SVector<f32, 6>, SVector<f32, 3>) {
    (
        SVector::from([0.9, -0.4, 0.3, 0.7, -0.8, 0.2]),
        SVector::from([0.0, 1.0, 0.0]),
    )
}

fn samples(n: usize) -> (Vec<SVector<f32, 6>>, Vec<SVector<f32, 3>>) {
    let mut rng = Rng::new(21);
    let xs = (0..n)
        .map(|_| SVector::from_fn(|_, _| rng.uniform_in(-1.0, 1.0) as f32))
        .collect();
    let ys = (0..n)
        .map(|s| SVector::from_fn(|i, _| f32::from(i == s % 3)))
        .collect();
    (xs, ys)
}

fn bits<N: Network<Scalar = f32>>(net: &N) -> Vec<u32> {
    (0..N::TENSORS)
        .flat_map(|i| net.tensor(i).iter().map(|v| v.to_bits()))
        .collect()
}

fn engine<N: Network + Sync + Send>(threads: usize, shard: usize) -> Parallel<N>
where
    N::Input: Sync,
    N::Output: Send + Sync,
    Workspace<N>: Send + Sync,
{
    Parallel::new(ParallelConfig::new().threads(threads).shard(shard).seed(3)).unwrap()
}

#[test]
fn every_shard_draws_its_own_masks() {
    // Eight copies of one sample in two shards of four. Were shard 1's masks shard 0's (every
    // shard's generator starting from the same state, as before), its summed loss would be
    // shard 0's and the mean over eight would equal the mean over the first four exactly.
    let (x, y) = sample();
    let (xs, ys) = (vec![x; 8], vec![y; 8]);
    let (four, eight) = (
        mean_loss(&Dropped::<f32>::new(1), &xs[..4], &ys[..4]),
        mean_loss(&Dropped::<f32>::new(1), &xs, &ys),
    );
    assert_ne!(
        four.to_bits(),
        eight.to_bits(),
        "shard 1 drew shard 0's masks: {four} and {eight}"
    );
    // The control: without Dropout the two shards are the same sums, so the means agree.
    let plain = Plain::<f32>::new(1);
    let (four, eight) = (
        mean_loss(&plain, &xs[..4], &ys[..4]),
        mean_loss(&plain, &xs, &ys),
    );
    assert_eq!(four.to_bits(), eight.to_bits());
}

/// The loss of one step of a fresh engine (2 threads, shards of 4) on a copy of `net`.
fn mean_loss<N: Network<Scalar = f32> + Clone + Sync + Send>(
    net: &N,
    xs: &[N::Input],
    ys: &[N::Output],
) -> f32
where
    N::Input: Sync,
    N::Output: Send + Sync,
    Workspace<N>: Send + Sync,
{
    let mut net = net.clone();
    engine::<N>(2, 4)
        .train_batch::<CrossEntropy, _>(&mut net, &mut Sgd::new(0.0), xs, ys)
        .unwrap()
}

#[test]
fn every_step_draws_new_masks() {
    // A learning rate of 0 leaves the weights alone, so only the masks can change the loss.
    let (xs, ys) = samples(8);
    let mut net = Dropped::<f32>::new(2);
    let mut par = engine::<Dropped<f32>>(2, 4);
    let mut sgd = Sgd::new(0.0);
    let losses: Vec<u32> = (0..3)
        .map(|_| {
            par.train_batch::<CrossEntropy, _>(&mut net, &mut sgd, &xs, &ys)
                .unwrap()
                .to_bits()
        })
        .collect();
    assert_ne!(losses[0], losses[1]);
    assert_ne!(losses[1], losses[2]);
}

#[test]
fn shard_seeds_differ_by_seed_step_and_shard() {
    let seeds = [
        shard_seed(0, 0, 0),
        shard_seed(1, 0, 0),
        shard_seed(0, 1, 0),
        shard_seed(0, 0, 1),
        shard_seed(1, 1, 1),
    ];
    for (i, a) in seeds.iter().enumerate() {
        for b in &seeds[i + 1..] {
            assert_ne!(a, b);
        }
    }
    assert_eq!(shard_seed(7, 9, 2), shard_seed(7, 9, 2));
}

#[test]
fn a_fresh_engine_resuming_from_the_optimizer_draws_the_same_masks() {
    // What a resumed run saves is the network and the optimizer's state (its update count
    // among it); the engine's workspaces are not saved. The masks must follow from those.
    let (xs, ys) = samples(24);
    let mut net = Dropped::<f32>::new(4);
    let mut adam = Adam::new(1e-2);
    let mut par = engine::<Dropped<f32>>(2, 4);
    let step =
        |par: &mut Parallel<Dropped<f32>>, net: &mut Dropped<f32>, adam: &mut _, k: usize| {
            let range = (k % 3) * 8..(k % 3) * 8 + 8;
            par.train_batch::<CrossEntropy, _>(net, adam, &xs[range.clone()], &ys[range])
                .unwrap()
        };
    for k in 0..3 {
        step(&mut par, &mut net, &mut adam, k);
    }
    let (mut saved_net, mut saved_adam) = (net.clone(), adam.clone());
    for k in 3..6 {
        step(&mut par, &mut net, &mut adam, k);
    }
    // Resumed on another thread count, which changes nothing either.
    let mut resumed = engine::<Dropped<f32>>(3, 4);
    for k in 3..6 {
        step(&mut resumed, &mut saved_net, &mut saved_adam, k);
    }
    assert_eq!(bits(&saved_net), bits(&net));
}

#[test]
fn a_batch_of_one_shard_trains_as_the_serial_train_batch() {
    let (xs, ys) = samples(16);
    let mut serial = Plain::<f32>::new(5);
    let mut parallel = serial.clone();
    let mut ws = Workspace::<Plain<f32>>::new();
    let (mut a, mut b) = (Adam::new(1e-2), Adam::new(1e-2));
    let mut par = engine::<Plain<f32>>(2, 16);
    for _ in 0..4 {
        let l1 = train_batch::<_, CrossEntropy, _>(&mut serial, &mut a, &xs, &ys, &mut ws).unwrap();
        let l2 = par
            .train_batch::<CrossEntropy, _>(&mut parallel, &mut b, &xs, &ys)
            .unwrap();
        assert_eq!(l1.to_bits(), l2.to_bits());
    }
    assert_eq!(bits(&serial), bits(&parallel));
    // The control: in two shards the sums are grouped differently.
    let mut split = Plain::<f32>::new(5);
    let mut c = Adam::new(1e-2);
    let mut par = engine::<Plain<f32>>(2, 8);
    for _ in 0..4 {
        par.train_batch::<CrossEntropy, _>(&mut split, &mut c, &xs, &ys)
            .unwrap();
    }
    assert_ne!(bits(&split), bits(&serial));
}
