//! Zero heap allocations across construction, forward, the training forward, backward and the
//! SGD step, counted by a `#[global_allocator]` with a per-thread counter. A negative control
//! shows the counter sees an allocation when there is one.

use dl_core::prelude::*;
use dl_tests::{allocations, CountingAllocator};

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

network! {
    struct Mlp {
        Dense<8, 16, Relu>,
        Dense<16, 12, Tanh>,
        Dense<12, 10, LeakyRelu<0.01>>,
        Dense<10, 4, Softmax>,
    }
}

#[test]
fn negative_control_counts_an_allocation() {
    let (n, v) = allocations(|| vec![1u8; 16]);
    assert_eq!(v.len(), 16);
    assert!(n >= 1, "the counter missed a Vec allocation");
}

#[test]
fn training_and_inference_do_not_allocate() {
    let x = SVector::<f32, 8>::from_fn(|i, _| i as f32 / 8.0 - 0.5);
    let y = SVector::<f32, 4>::new(0.0, 1.0, 0.0, 0.0);
    let xs = [x; 4];
    let ys = [y; 4];

    let (n, total) = allocations(|| {
        let mut net = Mlp::<f32>::new(5);
        let mut ws = Workspace::<Mlp<f32>>::new();
        let mut sgd = Sgd::new(0.05);
        let out = net.forward(&x);
        net.forward_train(&x, &mut ws.cache, &mut ws.masks);
        let loss = net.loss_backward::<CrossEntropy>(&x, &ws.cache, &y, &mut ws.grads, None);
        let mut d = SVector::<f32, 4>::zeros();
        net.backward(&x, &ws.cache, &out, &mut ws.grads, None);
        <Sgd as Optimizer<Mlp<f32>>>::step(&mut sgd, &mut net, &ws.grads).unwrap();
        let a = train_sample::<_, CrossEntropy, _>(&mut net, &mut sgd, &x, &y, &mut ws).unwrap();
        let b = train_batch::<_, CrossEntropy, _>(&mut net, &mut sgd, &xs, &ys, &mut ws).unwrap();
        d += net.forward(&x);
        let summary = Mlp::<f32>::summary();
        loss + a + b + d.sum() + summary.total_params() as f32
    });
    assert!(total.is_finite());
    assert_eq!(
        n, 0,
        "{n} heap allocations in construction, forward, backward or the SGD step"
    );
    println!("allocations: {n}");
}

/// Every optimizer, with its state, regularisation and a schedule: building it and stepping
/// a network through it allocate nothing.
#[test]
fn every_optimizer_steps_without_allocating() {
    let x = SVector::<f32, 8>::from_fn(|i, _| i as f32 / 8.0 - 0.5);
    let y = SVector::<f32, 4>::new(0.0, 1.0, 0.0, 0.0);
    let xs = [x; 4];
    let ys = [y; 4];
    fn steps<O: Optimizer<Mlp<f32>>>(
        mut opt: O,
        x: &SVector<f32, 8>,
        y: &SVector<f32, 4>,
        xs: &[SVector<f32, 8>],
        ys: &[SVector<f32, 4>],
    ) -> f32 {
        let mut net = Mlp::<f32>::new(5);
        let mut ws = Workspace::<Mlp<f32>>::new();
        let a = train_sample::<_, CrossEntropy, _>(&mut net, &mut opt, x, y, &mut ws).unwrap();
        let b = train_batch::<_, CrossEntropy, _>(&mut net, &mut opt, xs, ys, &mut ws).unwrap();
        opt.end_epoch();
        opt.reset();
        a + b
    }
    let (n, total) = allocations(|| {
        let schedule = CosineDecay::new(0.01, 10).warmup(0.0, 2);
        steps(Sgd::new(0.05).l1(1e-4).weight_decay(1e-4), &x, &y, &xs, &ys)
            + steps(Sgd::new(0.05).momentum(0.9), &x, &y, &xs, &ys)
            + steps(Sgd::new(0.05).nesterov(0.9), &x, &y, &xs, &ys)
            + steps(Adagrad::new(0.05), &x, &y, &xs, &ys)
            + steps(
                RmsProp::new(0.01).momentum(0.5).centered(),
                &x,
                &y,
                &xs,
                &ys,
            )
            + steps(Adam::new(0.01).weight_decay(1e-4), &x, &y, &xs, &ys)
            + steps(AdamW::new(0.01).regularize_all(), &x, &y, &xs, &ys)
            + steps(
                Scheduled::per_epoch(Adam::new(0.0), schedule),
                &x,
                &y,
                &xs,
                &ys,
            )
    });
    assert!(total.is_finite());
    assert_eq!(n, 0, "{n} heap allocations in the optimizers");
}

/// `fit_with` in caller-supplied memory (shuffled mini-batches, validation, early stopping
/// with the best-weights copy, Adam, a callback), then `evaluate` and `predict`: no heap.
#[test]
fn fit_evaluate_and_predict_do_not_allocate() {
    let mut rng = Rng::new(2);
    let xs: [SVector<f32, 8>; 20] =
        core::array::from_fn(|_| SVector::from_fn(|_, _| rng.uniform_in(-1.0, 1.0) as f32));
    let ys: [SVector<f32, 4>; 20] = core::array::from_fn(|i| {
        let mut y = SVector::zeros();
        y[i % 4] = 1.0;
        y
    });
    let (n, (history, eval)) = allocations(|| {
        let train = Data::new(&xs[..16], &ys[..16]).unwrap();
        let validation = Data::new(&xs[16..], &ys[16..]).unwrap();
        let mut net = Mlp::<f32>::new(5);
        let mut ws = Workspace::new();
        let mut order = [0usize; 16];
        let mut bx = [SVector::zeros(); 5];
        let mut by = [SVector::zeros(); 5];
        let (mut checkpoint, mut best) = (Mlp::<f32>::ZERO, Mlp::<f32>::ZERO);
        let scratch = Scratch {
            workspace: &mut ws,
            order: &mut order,
            batch_inputs: &mut bx,
            batch_targets: &mut by,
            checkpoint: &mut checkpoint,
            best: Some(&mut best),
        };
        let config = FitConfig::new(30, BatchSize::Mini(5))
            .seed(1)
            .train_metric(true)
            .early_stopping(EarlyStopping::new(3));
        let mut epochs = 0;
        let mut log = [Epoch::BLANK; 30];
        let history = fit_with::<CrossEntropy, Accuracy, _, _, _>(
            &mut net,
            &mut Adam::new(0.01),
            train,
            Some(validation),
            &config,
            scratch,
            &mut log[..],
            |_| {
                epochs += 1;
                Control::Continue
            },
        )
        .unwrap();
        let mut out = [SVector::zeros(); 20];
        predict(&net, &xs, &mut out).unwrap();
        let eval = evaluate::<CrossEntropy, Accuracy, _>(&net, validation);
        assert_eq!(epochs, history.len());
        (history.len(), eval.loss + out[0].sum())
    });
    assert!(history > 1 && eval.is_finite());
    assert_eq!(
        n, 0,
        "{n} heap allocations in fit_with, evaluate or predict"
    );
}
