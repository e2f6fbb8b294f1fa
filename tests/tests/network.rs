//! The generated network's run-time behaviour: seeded initialisation, consts, summary, and
//! clear errors for bad run-time input.

use dl_core::init::Init;
use dl_core::prelude::*;

network! {
    /// A small classifier.
    pub struct Net {
        hidden: Dense<4, 8, Relu>,
        Dense<8, 6, Tanh>,
        out: Dense<6, 3, Softmax>,
    }
}

#[test]
fn same_seed_same_weights_other_seed_other_weights() {
    assert_eq!(Net::<f32>::new(7), Net::<f32>::new(7));
    assert_ne!(Net::<f32>::new(7), Net::<f32>::new(8));
    let (a, b) = (Net::<f32>::new(7), Net::<f64>::new(7));
    for t in 0..Net::<f32>::TENSORS {
        for (x, y) in a.tensor(t).iter().zip(b.tensor(t)) {
            assert_eq!(*x, *y as f32, "f32 and f64 draw the same values");
        }
    }
}

#[test]
fn he_for_relu_glorot_for_tanh_and_softmax_zero_biases() {
    let net = Net::<f64>::new(3);
    let bound = |t: usize| net.tensor(t).iter().fold(0.0f64, |m, w| m.max(w.abs()));
    let he = Init::He.limit(4, 8); // sqrt(6 / 4)
    let glorot_2 = Init::Glorot.limit(8, 6); // sqrt(6 / 14)
    let glorot_3 = Init::Glorot.limit(6, 3);
    assert!((he - (6.0f64 / 4.0).sqrt()).abs() < 1e-15);
    assert!(
        bound(0) <= he && bound(0) > 0.5 * he,
        "He bound {he}, max {}",
        bound(0)
    );
    assert!(bound(2) <= glorot_2 && bound(2) > 0.5 * glorot_2);
    assert!(bound(4) <= glorot_3 && bound(4) > 0.5 * glorot_3);
    for t in [1, 3, 5] {
        assert_eq!(Net::<f64>::tensor_kind(t), TensorKind::Bias);
        assert!(net.tensor(t).iter().all(|b| *b == 0.0));
    }
    // mean close to 0 over the 32 + 48 + 18 weights
    let all: Vec<f64> = [0, 2, 4]
        .iter()
        .flat_map(|&t| net.tensor(t).to_vec())
        .collect();
    let mean = all.iter().sum::<f64>() / all.len() as f64;
    assert!(mean.abs() < 0.2, "mean {mean}");
}

#[test]
fn consts() {
    assert_eq!(Net::<f32>::INPUTS, 4);
    assert_eq!(Net::<f32>::OUTPUTS, 3);
    assert_eq!(Net::<f32>::LAYERS, 3);
    assert_eq!(Net::<f32>::PARAMS, 4 * 8 + 8 + 8 * 6 + 6 + 6 * 3 + 3);
    assert_eq!(Net::<f32>::PARAM_BYTES, 115 * 4);
    assert_eq!(Net::<f64>::PARAM_BYTES, 115 * 8);
    assert_eq!(Net::<f32>::CACHE_BYTES, (8 + 6 + 3) * 2 * 4);
    // On x86-64 each Dense layer is aligned (and so padded) to 64 bytes, a cache line, for
    // the vector kernels; elsewhere the layers are packed.
    let padded = |bytes: usize| {
        if cfg!(target_arch = "x86_64") {
            bytes.div_ceil(64) * 64
        } else {
            bytes
        }
    };
    assert_eq!(
        Net::<f32>::GRADIENT_BYTES,
        padded(40 * 4) + padded(54 * 4) + padded(21 * 4)
    );
    assert_eq!(Net::<f32>::TENSORS, 6);
    assert_eq!(Net::<f32>::new(0).tensor(6), &[] as &[f32]);
}

#[test]
fn summary_is_a_keras_table() {
    let text = Net::<f32>::summary().to_string();
    println!("{text}");
    let expected = "\
Model: \"Net\"
__________________________________________________
 Layer (type)                Output Shape  Param #
==================================================
 input                       (4,)                0
 hidden (Dense<4, 8, Relu>)  (8,)               40
 layer2 (Dense<8, 6, Tanh>)  (6,)               54
 out (Dense<6, 3, Softmax>)  (3,)               21
==================================================
Total params: 115 (460 bytes)
Trainable params: 115
Non-trainable params: 0";
    assert_eq!(text, expected);
}

#[test]
fn softmax_output_sums_to_one_and_training_reduces_the_loss() {
    let mut net = Net::<f32>::new(1);
    let x = SVector::<f32, 4>::new(0.5, -1.0, 0.25, 2.0);
    let y = SVector::<f32, 3>::new(0.0, 0.0, 1.0);
    assert!((net.forward(&x).sum() - 1.0).abs() < 1e-6);
    let mut ws = Workspace::new();
    let mut sgd = Sgd::new(0.1);
    let first = train_sample::<_, CrossEntropy, _>(&mut net, &mut sgd, &x, &y, &mut ws).unwrap();
    let mut last = first;
    for _ in 0..50 {
        last = train_sample::<_, CrossEntropy, _>(&mut net, &mut sgd, &x, &y, &mut ws).unwrap();
    }
    assert!(last < first * 0.1, "{first} -> {last}");
}

#[test]
fn bad_run_time_input_is_an_error_value() {
    type In = SVector<f32, 4>;
    assert_eq!(
        In::try_from_slice(&[1.0, 2.0, 3.0], Operand::Input),
        Err(Error::Length {
            what: Operand::Input,
            expected: 4,
            found: 3
        })
    );
    assert_eq!(
        In::try_from_slice(&[1.0, f32::NAN, 3.0, 4.0], Operand::Input),
        Err(Error::NonFinite {
            what: Operand::Input,
            index: 1
        })
    );
    assert_eq!(
        In::try_from_slice(&[1.0, 2.0, 3.0, 4.0], Operand::Input).unwrap(),
        In::new(1.0, 2.0, 3.0, 4.0)
    );
    let msg = In::try_from_slice(&[0.0; 5], Operand::Target)
        .unwrap_err()
        .to_string();
    assert_eq!(msg, "target has length 5, expected 4");

    let mut net = Net::<f32>::new(1);
    let before = net.clone();
    let mut ws = Workspace::new();
    let mut sgd = Sgd::new(0.1);
    let x = [In::zeros(); 2];
    let y = [SVector::<f32, 3>::zeros(); 3];
    assert_eq!(
        train_batch::<_, Mse, _>(&mut net, &mut sgd, &x, &y, &mut ws),
        Err(Error::BatchMismatch {
            inputs: 2,
            targets: 3
        })
    );
    assert_eq!(
        train_batch::<_, Mse, _>(&mut net, &mut sgd, &[], &[], &mut ws),
        Err(Error::EmptyBatch)
    );
    // a NaN input gives a NaN loss: refused, and the weights stay as they were
    let nan = [In::from_element(f32::NAN)];
    let y = [SVector::<f32, 3>::zeros()];
    assert_eq!(
        train_batch::<_, Mse, _>(&mut net, &mut sgd, &nan, &y, &mut ws),
        Err(Error::NonFiniteLoss)
    );
    assert_eq!(
        train_sample::<_, Mse, _>(&mut net, &mut sgd, &nan[0], &y[0], &mut ws),
        Err(Error::NonFiniteLoss)
    );
    let inf = [In::new(f32::INFINITY, 0.0, 0.0, 0.0)];
    assert!(train_batch::<_, Mse, _>(&mut net, &mut sgd, &inf, &y, &mut ws).is_err());
    assert_eq!(net, before);

    // Saturating sigmoids turn an infinite input into a finite loss, but the first layer's
    // weight gradient is 0 * inf = NaN: refused too.
    network! {
        struct Saturating { Dense<2, 3, Sigmoid>, Dense<3, 1, Sigmoid> }
    }
    let mut sat = Saturating::<f32>::new(2);
    let before = sat.clone();
    let mut ws = Workspace::new();
    let x = SVector::<f32, 2>::new(f32::INFINITY, 1.0);
    let y = SVector::<f32, 1>::new(1.0);
    let mut cache = Saturating::<f32>::CACHE_ZERO;
    sat.forward_train(&x, &mut cache, &mut ());
    assert!(Saturating::<f32>::loss::<Mse>(&cache, &y).is_finite());
    assert_eq!(
        train_sample::<_, Mse, _>(&mut sat, &mut sgd, &x, &y, &mut ws),
        Err(Error::NonFiniteGradient)
    );
    assert_eq!(sat, before);
    assert!(net.all_finite());
}

#[test]
fn mini_batch_gradient_is_the_mean_of_sample_gradients() {
    let net = Net::<f64>::new(4);
    let mut rng = Rng::new(9);
    let xs: Vec<SVector<f64, 4>> = (0..5)
        .map(|_| SVector::from_fn(|_, _| rng.uniform_in(-1.0, 1.0)))
        .collect();
    let ys: Vec<SVector<f64, 3>> = (0..5)
        .map(|k| SVector::from_fn(|i, _| if i == k % 3 { 1.0 } else { 0.0 }))
        .collect();
    // one batch step with lr 1 moves the weights by minus the mean gradient
    let mut batched = net.clone();
    let mut ws = Workspace::new();
    train_batch::<_, CrossEntropy, _>(&mut batched, &mut Sgd::new(1.0), &xs, &ys, &mut ws).unwrap();
    let mut mean = NetGradient::<f64>::ZERO;
    let mut cache = Net::<f64>::CACHE_ZERO;
    for (x, y) in xs.iter().zip(&ys) {
        net.forward_train(x, &mut cache, &mut ());
        net.loss_backward::<CrossEntropy>(x, &cache, y, &mut mean, None);
    }
    mean.scale(1.0 / 5.0);
    for t in 0..Net::<f64>::TENSORS {
        for ((p0, p1), g) in net
            .tensor(t)
            .iter()
            .zip(batched.tensor(t))
            .zip(mean.tensor(t))
        {
            approx::assert_relative_eq!(p0 - p1, *g, max_relative = 1e-12, epsilon = 1e-15);
        }
    }
}
