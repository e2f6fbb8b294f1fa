//! What `fit` refuses before training: short buffers and bad data.

use super::batches::fit_on_stack;
use super::*;

#[test]
fn short_buffers_are_refused() {
    let (xs, ys) = blobs();
    let data = Data::new(&xs, &ys).unwrap();
    let mut net = Classifier::<f32>::new(2);
    let config = FitConfig::new(2, BatchSize::Mini(8));
    let err = fit_on_stack::<23, 8, 2>(&mut net, data, None, &config).unwrap_err();
    assert_eq!(
        err,
        Error::BufferTooSmall {
            what: Operand::ShuffleIndices,
            needed: 24,
            found: 23
        }
    );

    // A history too short for the epochs asked for.
    let err = fit_on_stack::<24, 8, 3>(&mut net, data, None, &FitConfig::new(4, BatchSize::Full))
        .unwrap_err();
    assert_eq!(
        err,
        Error::BufferTooSmall {
            what: Operand::History,
            needed: 4,
            found: 3
        }
    );

    // Early stopping that restores the best weights needs somewhere to keep them.
    let mut ws = Workspace::new();
    let mut checkpoint = Classifier::<f32>::ZERO;
    let scratch = Scratch {
        workspace: &mut ws,
        order: &mut [],
        batch_inputs: &mut [],
        batch_targets: &mut [],
        checkpoint: &mut checkpoint,
        best: None,
    };
    let config = FitConfig::new(2, BatchSize::Full).early_stopping(EarlyStopping::new(1));
    let err = fit_with::<CrossEntropy, Accuracy, _, _, _>(
        &mut net,
        &mut Sgd::new(0.1),
        data,
        None,
        &config,
        scratch,
        &mut [Epoch::BLANK; 2][..],
        keep_going,
    )
    .unwrap_err();
    assert!(matches!(
        err,
        Error::BufferTooSmall {
            what: Operand::BestWeights,
            ..
        }
    ));

    let err = fit::<CrossEntropy, Accuracy, _, _>(
        &mut net,
        &mut Sgd::new(0.1),
        data,
        None,
        &FitConfig::new(2, BatchSize::Mini(0)),
        keep_going,
    )
    .unwrap_err();
    assert_eq!(err, Error::EmptyBatch);
}

#[test]
fn data_is_checked() {
    let (xs, ys) = blobs();
    assert_eq!(
        Data::new(&xs, &ys[..3]).unwrap_err(),
        Error::BatchMismatch {
            inputs: 24,
            targets: 3
        }
    );
    assert_eq!(
        Data::<V2, V2>::new(&[], &[]).unwrap_err(),
        Error::EmptyBatch
    );
    let mut bad = xs.clone();
    bad[7][1] = f32::NAN;
    assert_eq!(
        Data::new(&bad, &ys).unwrap_err(),
        Error::NonFinite {
            what: Operand::Input,
            index: 7
        }
    );
    let mut bad = ys.clone();
    bad[2][0] = f32::INFINITY;
    assert_eq!(
        Data::new(&xs, &bad).unwrap_err(),
        Error::NonFinite {
            what: Operand::Target,
            index: 2
        }
    );
}
