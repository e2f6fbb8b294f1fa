//! `fit` / `evaluate` / `predict` and the metrics: batching, shuffling, reproducibility, early
//! stopping, the divergence guard, and each metric on hand-computed values.
//!
//! One file a topic: `batches`, `refusals`, `epochs`, `divergence`, `evaluate`; `trainer`
//! (the builder form, several metrics, callbacks, `SaveBest`), `resume` (optimizer state
//! saved and restored, a resumed run against an uninterrupted one), `resume_wrapped` (the
//! same with Dropout and `ReduceLrOnPlateau`) and `resume_stopping` (the same under early
//! stopping). One test binary.

mod batches;
mod divergence;
mod epochs;
mod evaluate;
mod refusals;
mod resume;
mod resume_stopping;
mod resume_wrapped;
mod trainer;

use dl_core::metrics::{score, MetricState};
use dl_core::prelude::*;

network! {
    /// A small classifier: 2 inputs, 2 classes.
    pub struct Classifier {
        Dense<2, 4, Tanh>,
        Dense<4, 2, Softmax>,
    }
}

network! {
    /// Linear regression on one feature.
    pub struct Line {
        Dense<1, 1, Identity>,
    }
}

type V2 = SVector<f32, 2>;

/// 24 points of two interleaved clusters (deterministic), one-hot labels.
fn blobs() -> (Vec<V2>, Vec<V2>) {
    let mut rng = Rng::new(3);
    (0..24)
        .map(|i| {
            let class = i % 2;
            let centre = if class == 0 { -1.0 } else { 1.0 };
            let x = V2::new(
                centre + rng.uniform_in(-0.8, 0.8) as f32,
                -centre + rng.uniform_in(-0.8, 0.8) as f32,
            );
            let mut y = V2::zeros();
            y[class] = 1.0;
            (x, y)
        })
        .unzip()
}

fn weights<N: Network<Scalar = f32>>(net: &N) -> Vec<u32> {
    (0..N::TENSORS)
        .flat_map(|i| {
            net.tensor(i)
                .iter()
                .map(|v| v.to_bits())
                .collect::<Vec<_>>()
        })
        .collect()
}

fn train_classifier(seed: u64, batch: BatchSize) -> (Classifier<f32>, Log<f32>) {
    let (xs, ys) = blobs();
    let data = Data::new(&xs, &ys).unwrap();
    let mut net = Classifier::<f32>::new(11);
    let mut sgd = Sgd::new(0.3);
    let config = FitConfig::new(20, batch).seed(seed).train_metric(true);
    let history =
        fit::<CrossEntropy, Accuracy, _, _>(&mut net, &mut sgd, data, None, &config, keep_going)
            .unwrap();
    (net, history)
}
