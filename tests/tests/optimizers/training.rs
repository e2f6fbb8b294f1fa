//! Every optimizer trains a real network in f32 through `train_batch`.

use super::*;

fn train_line<O: Optimizer<Line<f32>>>(mut opt: O, epochs: usize) -> (f32, f32) {
    let xs: Vec<SVector<f32, 2>> = (0..16)
        .map(|i| SVector::from([(i % 4) as f32 / 2.0 - 0.75, (i / 4) as f32 / 2.0 - 0.75]))
        .collect();
    let ys: Vec<SVector<f32, 1>> = xs
        .iter()
        .map(|x| SVector::from([2.0 * x[0] - x[1] + 0.5]))
        .collect();
    let mut net = Line::<f32>::new(1);
    let mut ws = Workspace::new();
    let first = train_batch::<_, Mse, _>(&mut net, &mut opt, &xs, &ys, &mut ws).unwrap();
    let mut last = first;
    for _ in 1..epochs {
        last = train_batch::<_, Mse, _>(&mut net, &mut opt, &xs, &ys, &mut ws).unwrap();
    }
    (first, last)
}

#[test]
fn every_optimizer_trains_a_network_in_f32() {
    let results = [
        ("sgd", train_line(Sgd::new(0.1), 300)),
        ("momentum", train_line(Sgd::new(0.05).momentum(0.9), 300)),
        ("nesterov", train_line(Sgd::new(0.05).nesterov(0.9), 300)),
        ("adagrad", train_line(Adagrad::new(0.5), 300)),
        ("rmsprop", train_line(RmsProp::new(0.01), 300)),
        (
            "rmsprop+m",
            train_line(RmsProp::new(0.01).momentum(0.5).centered(), 300),
        ),
        ("adam", train_line(Adam::new(0.05), 300)),
        ("adamw", train_line(AdamW::new(0.05), 300)),
        (
            "adam+cos",
            train_line(
                Scheduled::per_step(Adam::new(0.0), CosineDecay::new(0.1, 300).warmup(0.0, 20)),
                300,
            ),
        ),
    ];
    for (name, (first, last)) in results {
        println!("{name:<10} loss {first:.4} -> {last:.2e}");
        assert!(last < 1e-3 * first, "{name}: loss {first} -> {last}");
    }
}
