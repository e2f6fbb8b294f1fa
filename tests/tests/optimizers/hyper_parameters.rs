//! Hyper-parameters out of range are an error, before any update.

use super::*;

fn invalid(name: HyperParameter, expected: &'static str) -> impl Fn(Result<(), Error>) {
    move |result| match result {
        Err(Error::InvalidHyperParameter {
            name: n,
            expected: e,
            ..
        }) => assert_eq!((n, e), (name, expected)),
        other => panic!("{name}: expected InvalidHyperParameter, got {other:?}"),
    }
}

#[test]
fn invalid_hyper_parameters_are_refused() {
    const NON_NEGATIVE: &str = "finite and >= 0";
    assert_eq!(
        Sgd::<f64>::new(-0.1).validate(),
        Err(Error::InvalidHyperParameter {
            name: HyperParameter::LearningRate,
            value: -0.1,
            expected: NON_NEGATIVE
        })
    );
    invalid(HyperParameter::LearningRate, NON_NEGATIVE)(Sgd::<f64>::new(f64::NAN).validate());
    invalid(HyperParameter::L1, NON_NEGATIVE)(Sgd::<f64>::new(0.1).l1(f64::INFINITY).validate());
    let l2 = Sgd::<f64>::new(0.1).weight_decay(-1e-4);
    invalid(HyperParameter::L2, NON_NEGATIVE)(l2.validate());

    let momentum = || Sgd::<f64>::new(0.1).momentum::<Six>(0.9);
    invalid(HyperParameter::Momentum, NON_NEGATIVE)(
        Sgd::<f64>::new(0.1).momentum::<Six>(-0.5).validate(),
    );
    let damped_nesterov = momentum().dampening(0.1).with_nesterov();
    invalid(HyperParameter::Dampening, "0 with Nesterov")(damped_nesterov.validate());
    let still_nesterov = Sgd::<f64>::new(0.1).nesterov::<Six>(0.0);
    invalid(HyperParameter::Momentum, "> 0 with Nesterov")(still_nesterov.validate());
    assert_eq!(momentum().dampening(0.1).validate(), Ok(()));

    invalid(HyperParameter::Epsilon, NON_NEGATIVE)(
        Adagrad::<f64, Six>::new(0.1).eps(-1e-10).validate(),
    );
    invalid(HyperParameter::LearningRateDecay, NON_NEGATIVE)(
        Adagrad::<f64, Six>::new(0.1).lr_decay(-1.0).validate(),
    );
    invalid(HyperParameter::Alpha, "in [0, 1]")(
        RmsProp::<f64, Six>::new(0.1).alpha(1.5).validate(),
    );
    let rms = RmsProp::<f64, Six>::new(0.1).momentum(-0.1);
    invalid(HyperParameter::Momentum, NON_NEGATIVE)(rms.validate());
    invalid(HyperParameter::Beta1, "in [0, 1)")(
        Adam::<f64, Six>::new(0.1).betas(1.0, 0.999).validate(),
    );
    invalid(HyperParameter::Beta2, "in [0, 1)")(
        Adam::<f64, Six>::new(0.1).betas(0.9, -0.1).validate(),
    );
    let adamw = AdamW::<f64, Six>::new(0.1).weight_decay(-0.01);
    invalid(HyperParameter::DecoupledWeightDecay, NON_NEGATIVE)(adamw.validate());
    let scheduled = Scheduled::per_step(Sgd::<f64>::new(0.1), Constant::new(-1.0));
    invalid(HyperParameter::LearningRate, NON_NEGATIVE)(scheduled.validate());

    // PyTorch's defaults are all valid.
    assert_eq!(Sgd::<f64>::default().validate(), Ok(()));
    assert_eq!(Adagrad::<f64, Six>::default().validate(), Ok(()));
    assert_eq!(RmsProp::<f64, Six>::default().validate(), Ok(()));
    assert_eq!(Adam::<f64, Six>::default().validate(), Ok(()));
    assert_eq!(AdamW::<f64, Six>::default().validate(), Ok(()));
}

/// The training functions check the optimizer first: an invalid one is an error and the
/// weights are untouched.
#[test]
fn training_refuses_an_invalid_optimizer() {
    let mut net = Line::<f32>::new(1);
    let before = net.clone();
    let mut ws = Workspace::new();
    let (x, y) = (SVector::from([0.5f32, 0.5]), SVector::from([1.0f32]));
    let mut adam = Adam::new(0.01).betas(0.9, 1.0);
    let err = train_sample::<_, Mse, _>(&mut net, &mut adam, &x, &y, &mut ws).unwrap_err();
    invalid(HyperParameter::Beta2, "in [0, 1)")(Err(err));
    let err = train_batch::<_, Mse, _>(&mut net, &mut adam, &[x], &[y], &mut ws).unwrap_err();
    assert!(
        err.to_string().contains("beta2 is 1, expected in [0, 1)"),
        "{err}"
    );
    assert_eq!(adam.steps(), 0);
    for i in 0..Line::<f32>::TENSORS {
        assert_eq!(net.tensor(i), before.tensor(i));
    }
}
