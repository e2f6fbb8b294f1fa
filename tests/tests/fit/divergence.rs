//! The divergence guard: training stops with finite weights.

use super::*;

/// The divergence guard, triggered on purpose with a learning rate of 1e30: training stops
/// with the epoch and batch, and the weights handed back are finite and are exactly those
/// before the failing batch.
#[test]
fn a_huge_learning_rate_stops_with_finite_weights() {
    let xs: Vec<_> = (0..6).map(|i| SVector::<f32, 1>::new(i as f32)).collect();
    let ys: Vec<_> = xs
        .iter()
        .map(|x| x * 3.0 + SVector::<f32, 1>::new(1.0))
        .collect();
    let data = Data::new(&xs, &ys).unwrap();
    let run = |epochs| {
        let mut net = Line::<f32>::new(1);
        let result = fit::<Mse, RSquared, _, _>(
            &mut net,
            &mut Sgd::new(1e30),
            data,
            None,
            &FitConfig::new(epochs, BatchSize::Full),
            keep_going,
        );
        (net, result)
    };
    let (net, result) = run(10);
    let err = result.unwrap_err();
    let Error::Diverged { epoch, batch, what } = err else {
        panic!("expected Diverged, got {err:?}")
    };
    assert_eq!((batch, what), (1, Divergence::Loss));
    assert!(epoch >= 2, "the first loss is finite: {err}");
    assert!(net.all_finite());
    // Exactly the weights after the last finite epoch.
    let (before, ok) = run(epoch - 1);
    ok.unwrap();
    assert_eq!(net.layer1.weight, before.layer1.weight);
    assert_eq!(net.layer1.bias, before.layer1.bias);
    assert!(err.to_string().contains(&format!("epoch {epoch}, batch 1")));
}

/// An update that would overflow the weights themselves (the loss before it was finite) is
/// refused whole: training stops at that batch with the weights before it.
#[test]
fn an_update_to_infinite_weights_is_refused() {
    let xs: Vec<_> = (1..5).map(|i| SVector::<f32, 1>::new(i as f32)).collect();
    let ys: Vec<_> = xs.iter().map(|x| x * 2.0).collect();
    let data = Data::new(&xs, &ys).unwrap();
    let mut net = Line::<f32>::new(1);
    let initial = net.clone();
    let err = fit::<Mse, RSquared, _, _>(
        &mut net,
        &mut Sgd::new(1e38), // finite in f32, but lr * gradient is not
        data,
        None,
        &FitConfig::new(3, BatchSize::Mini(2)),
        keep_going,
    )
    .unwrap_err();
    assert_eq!(
        err,
        Error::Diverged {
            epoch: 1,
            batch: 1,
            what: Divergence::Update
        }
    );
    assert!(err.to_string().contains("all finite"), "{err}");
    assert_eq!(net.layer1.weight, initial.layer1.weight);
    assert_eq!(net.layer1.bias, initial.layer1.bias);

    // A learning rate that is infinite once cast to f32 is refused before any batch.
    let err = fit::<Mse, RSquared, _, _>(
        &mut net,
        &mut Sgd::new(1e300),
        data,
        None,
        &FitConfig::new(3, BatchSize::Mini(2)),
        keep_going,
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidHyperParameter {
                name: HyperParameter::LearningRate,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(net.layer1.weight, initial.layer1.weight);
}
