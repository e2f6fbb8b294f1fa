//! Pre-activations of +-1000 give finite losses and gradients, for every loss with every output
//! activation, and the fused forms give the exact values.

use dl_core::prelude::*;

fn all_finite(v: &[f64]) -> bool {
    v.iter().all(|x| x.is_finite())
}

macro_rules! extreme {
    ($name:ident, $act:ty) => {
        #[test]
        fn $name() {
            network! {
                struct Net { Dense<3, 3, $act> }
            }
            for (sign, f32_too) in [(1.0, true), (-1.0, true)] {
                let mut net = Net::<f64>::ZERO;
                net.layer1.weight = SMatrix::identity();
                let x = SVector::<f64, 3>::new(1000.0 * sign, -1000.0 * sign, 0.0);
                let targets = [
                    SVector::<f64, 3>::new(0.0, 1.0, 0.0),
                    SVector::<f64, 3>::new(1.0, 0.0, 0.0),
                ];
                for y in &targets {
                    let mut cache = Net::<f64>::CACHE_ZERO;
                    net.forward_train(&x, &mut cache, &mut ());
                    for (loss, name) in [
                        (grads::<Net<f64>, Mse>(&net, &x, y, &cache), "mse"),
                        (
                            grads::<Net<f64>, BinaryCrossEntropy>(&net, &x, y, &cache),
                            "bce",
                        ),
                        (grads::<Net<f64>, CrossEntropy>(&net, &x, y, &cache), "ce"),
                    ] {
                        assert!(
                            loss.0.is_finite(),
                            "{} {name}: loss {}",
                            stringify!($act),
                            loss.0
                        );
                        assert!(
                            all_finite(&loss.1),
                            "{} {name}: gradient {:?}",
                            stringify!($act),
                            loss.1
                        );
                    }
                }
                if f32_too {
                    let mut net32 = Net::<f32>::ZERO;
                    net32.layer1.weight = SMatrix::identity();
                    let x32 = x.cast::<f32>();
                    let y = SVector::<f32, 3>::new(0.0, 1.0, 0.0);
                    let mut ws = Workspace::new();
                    for loss in [
                        train_sample::<_, Mse, _>(
                            &mut net32.clone(),
                            &mut Sgd::new(0.1),
                            &x32,
                            &y,
                            &mut ws,
                        ),
                        train_sample::<_, BinaryCrossEntropy, _>(
                            &mut net32.clone(),
                            &mut Sgd::new(0.1),
                            &x32,
                            &y,
                            &mut ws,
                        ),
                        train_sample::<_, CrossEntropy, _>(
                            &mut net32,
                            &mut Sgd::new(0.1),
                            &x32,
                            &y,
                            &mut ws,
                        ),
                    ] {
                        let loss = loss.expect("a finite loss in f32");
                        assert!(loss.is_finite());
                    }
                }
            }
        }
    };
}

/// The loss and every parameter gradient.
fn grads<N: Network<Scalar = f64>, L: Loss>(
    net: &N,
    x: &N::Input,
    y: &N::Output,
    cache: &N::Cache,
) -> (f64, Vec<f64>) {
    let mut g = <N::Gradient as Params<f64>>::ZERO;
    let mut dx = N::Input::ZERO;
    let loss = net.loss_backward::<L>(x, cache, y, &mut g, Some(&mut dx));
    let mut all: Vec<f64> = (0..N::TENSORS).flat_map(|t| g.tensor(t).to_vec()).collect();
    all.extend_from_slice(dx.as_slice());
    (loss, all)
}

extreme!(identity, Identity);
extreme!(sigmoid, Sigmoid);
extreme!(tanh, Tanh);
extreme!(relu, Relu);
extreme!(leaky_relu, LeakyRelu<0.01>);
extreme!(softmax, Softmax);

#[test]
fn fused_softmax_cross_entropy_is_exact_at_1000() {
    network! {
        struct Net { Dense<3, 3, Softmax> }
    }
    let mut net = Net::<f64>::ZERO;
    net.layer1.weight = SMatrix::identity();
    let x = SVector::<f64, 3>::new(1000.0, -1000.0, 0.0);
    let y = SVector::<f64, 3>::new(0.0, 1.0, 0.0);
    let mut cache = Net::<f64>::CACHE_ZERO;
    net.forward_train(&x, &mut cache, &mut ());
    let (loss, g) = grads::<Net<f64>, CrossEntropy>(&net, &x, &y, &cache);
    // -ln softmax(z)_1 = lse(z) - z_1 = 1000 + ln(1 + e^-1000 + e^-2000) - (-1000) = 2000
    approx::assert_relative_eq!(loss, 2000.0, max_relative = 1e-15);
    // dL/db = p - y = (1, -1, 0)
    let db = &g[9..12];
    approx::assert_relative_eq!(db[0], 1.0);
    approx::assert_relative_eq!(db[1], -1.0);
    approx::assert_relative_eq!(db[2], 0.0);
}

#[test]
fn fused_sigmoid_bce_is_exact_at_1000() {
    network! {
        struct Net { Dense<1, 1, Sigmoid> }
    }
    let mut net = Net::<f64>::ZERO;
    net.layer1.weight[(0, 0)] = 1.0;
    let x = SVector::<f64, 1>::new(1000.0);
    let y = SVector::<f64, 1>::new(0.0);
    let mut cache = Net::<f64>::CACHE_ZERO;
    net.forward_train(&x, &mut cache, &mut ());
    let (loss, g) = grads::<Net<f64>, BinaryCrossEntropy>(&net, &x, &y, &cache);
    // max(z, 0) - z y + ln(1 + e^-|z|) = 1000
    approx::assert_relative_eq!(loss, 1000.0, max_relative = 1e-15);
    // dL/db = a - y = 1
    approx::assert_relative_eq!(g[1], 1.0);
}

#[test]
fn sigmoid_does_not_overflow() {
    assert_eq!(dl_core::activation::sigmoid(-1000.0f32), 0.0);
    assert_eq!(dl_core::activation::sigmoid(1000.0f32), 1.0);
    assert!(dl_core::activation::sigmoid(-100.0f64) > 0.0);
}
