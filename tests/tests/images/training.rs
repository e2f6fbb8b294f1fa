//! A network trained from a folder through the stream.

use super::*;

network! {
    struct Bright {
        input: [1, 8, 8],
        Conv2D<1, 4, 3, Relu>,
        MaxPool2D<2>,
        Flatten,
        Dense<36, 1, Sigmoid>,
    }
}

#[test]
fn a_folder_trains_a_network_through_the_stream() {
    use dl_core::parallel::{Parallel, ParallelConfig};
    use dl_core::stream::{evaluate_stream, fit_stream, StreamConfig};
    // Dark and bright noisy images of varied sizes; the network must tell them apart.
    let root = scratch("train");
    let mut rng = Rng::new(1);
    for (class, base) in [("dark", 60.0), ("light", 150.0)] {
        for i in 0..40 {
            let (w, h) = (10 + rng.below(8) as u32, 10 + rng.below(8) as u32);
            let img = GrayImage::from_fn(w, h, |_, _| {
                image::Luma([(base + rng.uniform() * 60.0) as u8])
            });
            std::fs::create_dir_all(root.join(class)).unwrap();
            img.save(root.join(class).join(format!("{i}.png"))).unwrap();
        }
    }
    let config = ImageConfig::for_network::<Bright<f32>>().unwrap();
    assert_eq!(
        (config.channels, config.height, config.width, config.labels),
        (1, 8, 8, Labels::Binary)
    );
    let aug = Augment {
        flip: true,
        shift: true,
        rotate: 5.0,
    };
    let folder = ImageFolder::open(
        &root,
        config.fit(Fit::ResizeCrop { margin: 2 }).augment(aug),
    )
    .unwrap();
    let (train, val) = folder.split(0.25, 1).unwrap();
    let mut net = Bright::<f32>::new(2);
    let mut par = Parallel::new(ParallelConfig::new().threads(2).shard(4)).unwrap();
    let stream = StreamConfig::new(15, 8).seed(3).prefetch(2, 2);
    let history = fit_stream::<BinaryCrossEntropy, Accuracy, _, _, _>(
        &mut par,
        &mut net,
        &mut Adam::new(0.02),
        &train,
        Some(&val),
        &stream,
        (),
    )
    .unwrap();
    let first = history.epochs[0].train_loss;
    let last = history.epochs.last().unwrap().train_loss;
    assert!(last < first * 0.5, "loss {first} -> {last}");
    let result =
        evaluate_stream::<BinaryCrossEntropy, Accuracy, _, _>(&mut par, &net, &val, &stream)
            .unwrap();
    assert!(
        result.evaluation.metric >= 0.95,
        "validation accuracy {}",
        result.evaluation.metric
    );

    // The folder refuses a network of another shape.
    let (mut x, mut y) = (SVector::<f32, 63>::zeros(), SVector::<f32, 1>::zeros());
    let err = Source::load(&folder, 0, None, &mut x, &mut y).unwrap_err();
    assert!(matches!(
        err,
        ImageError::Shape {
            what: Operand::Input,
            expected: 64,
            found: 63
        }
    ));
    let mut y2 = SVector::<f32, 2>::zeros();
    let mut x64 = SVector::<f32, 64>::zeros();
    let err = Source::load(&folder, 0, None, &mut x64, &mut y2).unwrap_err();
    assert!(matches!(
        err,
        ImageError::Shape {
            what: Operand::Target,
            ..
        }
    ));
}
