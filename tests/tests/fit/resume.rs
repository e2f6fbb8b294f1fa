//! Optimizer state saved and restored: every optimizer's state round-trips bit for bit, bad
//! bytes are refused with the optimizer unchanged, and a training run resumed from a
//! checkpoint (weights, optimizer state, epoch) trains the same weights as one that never
//! stopped.

use dl_core::optim::{OptimizerState, StateError, StateField};
use dl_core::prelude::*;
use dl_core::schedule::StepDecay;
use dl_tests::param_bits;

network! {
    /// A small classifier: 3 inputs, 3 classes.
    pub struct Classifier {
        Dense<3, 8, Relu>,
        Dense<8, 3, Softmax>,
    }
}

type Net = Classifier<f64>;
type Grad = ClassifierGradient<f64>;
type V3 = SVector<f64, 3>;

/// `n` noisy samples of three classes.
pub(super) fn samples(n: usize, seed: u64) -> (Vec<V3>, Vec<V3>) {
    let mut rng = Rng::new(seed);
    (0..n)
        .map(|i| {
            let class = i % 3;
            let mut x = V3::from_fn(|_, _| rng.uniform_in(-1.0, 1.0));
            x[class] += 1.0;
            let mut y = V3::zeros();
            y[class] = 1.0;
            (x, y)
        })
        .unzip()
}

/// Trains `steps` batches with `opt`, saves its state, loads it into `fresh`, trains both
/// copies 5 more batches and checks weights and state agree bit for bit.
fn round_trip<O: Optimizer<Net> + OptimizerState<f64>>(name: &str, mut opt: O, mut fresh: O) {
    let (xs, ys) = samples(12, 1);
    let mut net = Net::new(2);
    let mut ws = Workspace::new();
    for _ in 0..7 {
        train_batch::<_, CrossEntropy, _>(&mut net, &mut opt, &xs, &ys, &mut ws).unwrap();
    }
    let saved = opt.state_to_vec();
    assert_eq!(saved.len(), O::SAVED_BYTES, "{name}");
    fresh.load_state(&saved).unwrap();
    assert_eq!(
        fresh.state_to_vec(),
        saved,
        "{name}: loaded state saves the same bytes"
    );
    assert_eq!(fresh.steps(), 7, "{name}");
    let mut copy = net.clone();
    for _ in 0..5 {
        train_batch::<_, CrossEntropy, _>(&mut net, &mut opt, &xs, &ys, &mut ws).unwrap();
        train_batch::<_, CrossEntropy, _>(&mut copy, &mut fresh, &xs, &ys, &mut ws).unwrap();
    }
    assert_eq!(param_bits(&copy), param_bits(&net), "{name}");
    assert_eq!(fresh.state_to_vec(), opt.state_to_vec(), "{name}");
    if O::STATE_SCALARS > 0 {
        assert!(
            (0..O::STATE_TENSORS).any(|i| opt.state_tensor(i).iter().any(|&v| v != 0.0)),
            "{name}: a state that is not all zeros was carried over"
        );
    }
}

#[test]
fn every_optimizers_state_round_trips_bit_for_bit() {
    round_trip("sgd", Sgd::<f64>::new(0.1), Sgd::new(0.1));
    round_trip(
        "momentum",
        Sgd::<f64>::new(0.1).momentum::<Grad>(0.9),
        Sgd::new(0.1).momentum(0.9),
    );
    round_trip(
        "nesterov",
        Sgd::<f64>::new(0.1).nesterov::<Grad>(0.9),
        Sgd::new(0.1).nesterov(0.9),
    );
    round_trip("adagrad", Adagrad::<f64, Grad>::new(0.1), Adagrad::new(0.1));
    round_trip(
        "rmsprop",
        RmsProp::<f64, Grad>::new(0.01),
        RmsProp::new(0.01),
    );
    round_trip(
        "rmsprop centered momentum",
        RmsProp::<f64, Grad>::new(0.01).momentum(0.9).centered(),
        RmsProp::new(0.01).momentum(0.9).centered(),
    );
    round_trip("adam", Adam::<f64, Grad>::new(0.01), Adam::new(0.01));
    round_trip("adamw", AdamW::<f64, Grad>::new(0.01), AdamW::new(0.01));
    round_trip(
        "scheduled adam",
        Scheduled::per_step(Adam::<f64, Grad>::new(0.0), StepDecay::new(0.02, 3, 0.5)),
        Scheduled::per_step(Adam::new(0.0), StepDecay::new(0.02, 3, 0.5)),
    );
}

#[test]
fn bad_state_bytes_are_refused_and_change_nothing() {
    let (xs, ys) = samples(6, 2);
    let (mut net, mut ws) = (Net::new(1), Workspace::new());
    let mut adam = Adam::<f64, Grad>::new(0.01);
    train_batch::<_, CrossEntropy, _>(&mut net, &mut adam, &xs, &ys, &mut ws).unwrap();
    let saved = adam.state_to_vec();

    let mut target = Adam::<f64, Grad>::new(0.5);
    let before = target.state_to_vec();
    let mut flipped = saved.clone();
    flipped[saved.len() - 3] ^= 0x10;
    assert!(matches!(
        target.load_state(&flipped),
        Err(StateError::Checksum { .. })
    ));
    assert!(matches!(
        target.load_state(&saved[..saved.len() - 1]),
        Err(StateError::Length { .. })
    ));
    let mut magic = saved.clone();
    magic[0] = b'X';
    assert_eq!(target.load_state(&magic), Err(StateError::Magic));
    // AdamW's state has Adam's length but is another optimizer's.
    let adamw = AdamW::<f64, Grad>::new(0.01).state_to_vec();
    assert_eq!(adamw.len(), saved.len());
    assert_eq!(
        target.load_state(&adamw),
        Err(StateError::Mismatch {
            what: StateField::Optimizer
        })
    );
    // A NaN written with a valid checksum: refused all the same.
    let mut nan = Adam::<f64, Grad>::new(0.01);
    nan.state_tensor_mut(1)[0] = f64::NAN;
    let mut nan_bytes = vec![0; Adam::<f64, Grad>::SAVED_BYTES];
    nan.save_state(&mut nan_bytes).unwrap();
    assert!(matches!(
        target.load_state(&nan_bytes),
        Err(StateError::NonFinite { .. })
    ));
    // The f32 optimizer of the same network refuses the f64 state.
    let mut narrow = Adam::<f32, ClassifierGradient<f32>>::new(0.01);
    assert!(narrow.load_state(&saved).is_err());
    assert_eq!(target.state_to_vec(), before, "nothing was written");
    assert_eq!(target.learning_rate(), 0.5);
}

/// Trains `Net::new(7)` with Adam under a per-epoch step decay, shuffled mini-batches and
/// validation data, until epoch 12; when `stop_at` is given, it stops after that epoch,
/// saves the weights (parameter image) and the optimizer's state (bytes), builds a new
/// network and optimizer from them alone and resumes at that epoch.
fn train(stop_at: Option<usize>) -> (Net, Vec<Epoch<f64>>) {
    let (xs, ys) = samples(30, 3);
    let (vx, vy) = samples(15, 4);
    let (train, val) = (Data::new(&xs, &ys).unwrap(), Data::new(&vx, &vy).unwrap());
    let optimizer =
        || Scheduled::per_epoch(Adam::<f64, Grad>::new(0.0), StepDecay::new(0.02, 4, 0.5));
    let trainer = |net: &mut Net, opt: &mut _, epochs: usize, initial: usize| {
        Trainer::new(net, opt, train)
            .loss(CrossEntropy)
            .metrics(Accuracy)
            .epochs(epochs)
            .initial_epoch(initial)
            .batch(BatchSize::Mini(8))
            .seed(11)
            .validation(val)
            .run()
            .unwrap()
            .epochs()
            .to_vec()
    };
    let mut net = Net::new(7);
    let mut opt = optimizer();
    let Some(k) = stop_at else {
        let epochs = trainer(&mut net, &mut opt, 12, 0);
        return (net, epochs);
    };
    let mut epochs = trainer(&mut net, &mut opt, k, 0);
    let mut weights = vec![0; Net::BYTES];
    net.export_bytes(&mut weights).unwrap();
    let state = opt.state_to_vec();
    // From here on, only the two byte images carry the run over.

    let mut net = Net::ZERO;
    net.import_bytes(&weights).unwrap();
    let mut opt = optimizer();
    opt.load_state(&state).unwrap();
    epochs.extend(trainer(&mut net, &mut opt, 12, k));
    (net, epochs)
}

#[test]
fn a_resumed_run_trains_the_same_weights_as_an_uninterrupted_one() {
    let (whole, whole_epochs) = train(None);
    assert_eq!(whole_epochs.len(), 12);
    for k in [1, 5, 8] {
        let (resumed, epochs) = train(Some(k));
        assert_eq!(
            param_bits(&resumed),
            param_bits(&whole),
            "resumed after epoch {k}"
        );
        assert_eq!(epochs, whole_epochs, "resumed after epoch {k}");
    }
    // Resuming without the optimizer's state is not the same run: the test can fail.
    let (xs, ys) = samples(30, 3);
    let mut net = Net::new(7);
    let mut opt = Adam::<f64, Grad>::new(0.02);
    let train = Data::new(&xs, &ys).unwrap();
    let run = |net: &mut Net, opt: &mut Adam<f64, Grad>, epochs, initial| {
        Trainer::new(net, opt, train)
            .loss(CrossEntropy)
            .epochs(epochs)
            .initial_epoch(initial)
            .batch(BatchSize::Mini(8))
            .run()
            .unwrap();
    };
    run(&mut net, &mut opt, 3, 0);
    let mut fresh = Adam::new(0.02);
    let mut other = net.clone();
    run(&mut net, &mut opt, 6, 3);
    run(&mut other, &mut fresh, 6, 3);
    assert_ne!(param_bits(&other), param_bits(&net));
}
