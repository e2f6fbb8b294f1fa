//! `backward` against central finite differences (f64) for every hidden activation × every
//! output activation × loss pairing, on networks of three layers, with relative error below
//! 1e-6 (per tensor, `|g - n| / (|g| + |n|)`, see `GradCheck`).
//!
//! Pairings: MSE with each of the six activations on the output layer; binary cross-entropy
//! and cross-entropy with the two output activations that produce probabilities (Sigmoid and
//! Softmax: one fused, one chained through the activation's Jacobian). Other output
//! activations can leave (0, 1), where a log-loss is clamped and has no derivative to check.

use dl_core::prelude::*;

const H: f64 = 1e-6;
const TOLERANCE: f64 = 1e-6;

fn random<const N: usize>(rng: &mut Rng, lo: f64, hi: f64) -> SVector<f64, N> {
    SVector::from_fn(|_, _| rng.uniform_in(lo, hi))
}

fn one_hot<const N: usize>(k: usize) -> SVector<f64, N> {
    SVector::from_fn(|i, _| if i == k { 1.0 } else { 0.0 })
}

fn run<N: Network<Scalar = f64> + ValueOnStack, L: Loss>(
    name: &str,
    x: &N::Input,
    y: &N::Output,
) -> GradCheck {
    let mut worst = None::<GradCheck>;
    for seed in 0..3 {
        let mut net = N::new(seed);
        // Zero biases put every pre-activation of a layer fed only by dead ReLUs exactly on
        // the kink at 0, where the derivative is a convention, not a limit. Random biases
        // move the check point off the kinks.
        let mut rng = Rng::new(100 + seed);
        for t in 0..N::TENSORS {
            if N::tensor_kind(t) == TensorKind::Bias {
                for b in net.tensor_mut(t) {
                    *b = rng.uniform_in(-0.5, 0.5);
                }
            }
        }
        let report = gradcheck::<N, L>(&mut net, x, y, H);
        assert!(report.checked > 0);
        assert!(
            report.max_rel_error < TOLERANCE,
            "{name} (seed {seed}): relative error {:e} in tensor {:?}",
            report.max_rel_error,
            report.worst_tensor
        );
        if worst.is_none_or(|w| report.max_rel_error > w.max_rel_error) {
            worst = Some(report);
        }
    }
    let worst = worst.unwrap();
    println!(
        "{name}: max relative error {:.2e}, max abs error {:.2e}",
        worst.max_rel_error, worst.max_abs_error
    );
    worst
}

macro_rules! pairings {
    ($($test:ident: $hidden:ty;)*) => {$(
        #[test]
        fn $test() {
            network! {
                struct WithMse { Dense<4, 6, $hidden>, Dense<6, 5, $hidden>, Dense<5, 3, Identity> }
            }
            network! {
                struct OutSigmoid { Dense<4, 6, $hidden>, Dense<6, 5, $hidden>, Dense<5, 3, Sigmoid> }
            }
            network! {
                struct OutTanh { Dense<4, 6, $hidden>, Dense<6, 5, $hidden>, Dense<5, 3, Tanh> }
            }
            network! {
                struct OutRelu { Dense<4, 6, $hidden>, Dense<6, 5, $hidden>, Dense<5, 3, Relu> }
            }
            network! {
                struct OutLeaky { Dense<4, 6, $hidden>, Dense<6, 5, $hidden>, Dense<5, 3, LeakyRelu<0.1>> }
            }
            network! {
                struct OutSoftmax { Dense<4, 6, $hidden>, Dense<6, 5, $hidden>, Dense<5, 3, Softmax> }
            }
            let mut rng = Rng::new(17);
            let x = random::<4>(&mut rng, -1.5, 1.5);
            let y = random::<3>(&mut rng, -1.0, 1.0);
            let p = random::<3>(&mut rng, 0.05, 0.95);
            let c = one_hot::<3>(1);
            let h = stringify!($hidden);
            run::<WithMse<f64>, Mse>(&format!("{h} / Identity / MSE"), &x, &y);
            run::<OutSigmoid<f64>, Mse>(&format!("{h} / Sigmoid / MSE"), &x, &y);
            run::<OutTanh<f64>, Mse>(&format!("{h} / Tanh / MSE"), &x, &y);
            run::<OutRelu<f64>, Mse>(&format!("{h} / Relu / MSE"), &x, &y);
            run::<OutLeaky<f64>, Mse>(&format!("{h} / LeakyRelu / MSE"), &x, &y);
            run::<OutSoftmax<f64>, Mse>(&format!("{h} / Softmax / MSE"), &x, &y);
            run::<OutSigmoid<f64>, BinaryCrossEntropy>(&format!("{h} / Sigmoid / BCE (fused)"), &x, &p);
            run::<OutSoftmax<f64>, BinaryCrossEntropy>(&format!("{h} / Softmax / BCE"), &x, &p);
            run::<OutSoftmax<f64>, CrossEntropy>(&format!("{h} / Softmax / CE (fused)"), &x, &c);
            run::<OutSoftmax<f64>, CrossEntropy>(&format!("{h} / Softmax / CE, soft target"), &x, &p);
            run::<OutSigmoid<f64>, CrossEntropy>(&format!("{h} / Sigmoid / CE"), &x, &c);
        }
    )*};
}

pairings! {
    hidden_identity: Identity;
    hidden_sigmoid: Sigmoid;
    hidden_tanh: Tanh;
    hidden_relu: Relu;
    hidden_leaky_relu: LeakyRelu<0.01>;
}

/// A deeper network: five layers, mixed activations.
#[test]
fn five_layers_mixed() {
    network! {
        struct Deep {
            Dense<6, 8, Relu>,
            Dense<8, 7, Tanh>,
            Dense<7, 6, LeakyRelu<0.2>>,
            Dense<6, 5, Sigmoid>,
            Dense<5, 4, Softmax>,
        }
    }
    let mut rng = Rng::new(3);
    let x = random::<6>(&mut rng, -2.0, 2.0);
    run::<Deep<f64>, CrossEntropy>("deep / CE", &x, &one_hot::<4>(2));
}

/// `backward` from `dL/d(output)` and the fused `loss_backward` agree.
#[test]
fn backward_from_output_gradient_matches_loss_backward() {
    network! {
        struct Net { Dense<3, 5, Tanh>, Dense<5, 4, Relu>, Dense<4, 2, Sigmoid> }
    }
    let net = Net::<f64>::new(9);
    let x = SVector::<f64, 3>::new(0.3, -0.7, 1.1);
    let y = SVector::<f64, 2>::new(0.2, 0.9);
    let mut cache = Net::<f64>::CACHE_ZERO;
    net.forward_train(&x, &mut cache, &mut ());

    let mut fused = NetGradient::<f64>::ZERO;
    let mut dx_fused = SVector::zeros();
    net.loss_backward::<BinaryCrossEntropy>(&x, &cache, &y, &mut fused, Some(&mut dx_fused));

    let a = Net::<f64>::output(&cache);
    let mut d = SVector::<f64, 2>::zeros();
    BinaryCrossEntropy::output_gradient(a.as_slice(), y.as_slice(), d.as_mut_slice());
    let mut chained = NetGradient::<f64>::ZERO;
    let mut dx = SVector::zeros();
    net.backward(&x, &cache, &d, &mut chained, Some(&mut dx));

    for t in 0..NetGradient::<f64>::TENSORS {
        for (g, h) in fused.tensor(t).iter().zip(chained.tensor(t)) {
            approx::assert_relative_eq!(g, h, max_relative = 1e-10, epsilon = 1e-15);
        }
    }
    approx::assert_relative_eq!(dx_fused, dx, max_relative = 1e-10);
}

/// Negative control: a loss whose gradient is wrong by a factor of 2 is caught.
#[test]
fn gradcheck_catches_a_wrong_gradient() {
    struct WrongMse;
    impl Loss for WrongMse {
        const NAME: &'static str = "wrong";
        fn of_output<T: Float>(a: &[T], y: &[T]) -> T {
            Mse::of_output(a, y)
        }
        fn output_gradient<T: Float>(a: &[T], y: &[T], d: &mut [T]) {
            Mse::output_gradient(a, y, d);
            for d in d.iter_mut() {
                *d += *d;
            }
        }
    }
    network! {
        struct Net { Dense<3, 4, Tanh>, Dense<4, 3, Sigmoid>, Dense<3, 2, Identity> }
    }
    let mut net = Net::<f64>::new(1);
    let x = SVector::<f64, 3>::new(0.5, -0.2, 0.9);
    let y = SVector::<f64, 2>::new(1.0, -1.0);
    let report = gradcheck::<_, WrongMse>(&mut net, &x, &y, H);
    assert!(report.max_rel_error > 0.1, "{report:?}");
    // and the network is restored bit for bit
    assert_eq!(net, Net::<f64>::new(1));
}
