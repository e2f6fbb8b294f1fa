//! The classic XOR: a 2-4-1 sigmoid network trained with plain SGD on MSE, from a fixed seed.
//!
//! `cargo run --release -p dl-nn --example xor` (`-p dl-nn`: the library alone, no feature, none
//! of the crates the other workspace members use)

use dl_core::prelude::*;

network! {
    /// Learns XOR.
    pub struct Xor {
        hidden: Dense<2, 4, Sigmoid>,
        out: Dense<4, 1, Sigmoid>,
    }
}

const SEED: u64 = 42;
const EPOCHS: usize = 5000;
const LEARNING_RATE: f64 = 2.0;

fn main() -> Result<(), Error> {
    let xs = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]].map(SVector::<f32, 2>::from);
    let ys = [[0.0], [1.0], [1.0], [0.0]].map(SVector::<f32, 1>::from);

    let mut net = Xor::<f32>::new(SEED);
    let mut sgd = Sgd::new(LEARNING_RATE);
    let mut ws = Workspace::new();
    println!("{}\n", Xor::<f32>::summary());
    println!(
        "parameters: {} bytes, training cache: {} bytes, gradient: {} bytes\n",
        Xor::<f32>::PARAM_BYTES,
        Xor::<f32>::CACHE_BYTES,
        Xor::<f32>::GRADIENT_BYTES
    );

    let mut loss = f32::INFINITY;
    for epoch in 1..=EPOCHS {
        // Full-batch gradient descent: the gradient is averaged over all four rows.
        loss = train_batch::<_, Mse, _>(&mut net, &mut sgd, &xs, &ys, &mut ws)?;
        if epoch == 1 || epoch % 500 == 0 {
            println!("epoch {epoch:>5}  loss {loss:.6}");
        }
    }

    println!("\n x1  x2 | target  output");
    let mut mse = 0.0;
    let mut correct = 0;
    for (x, y) in xs.iter().zip(&ys) {
        let out = net.forward(x)[0];
        mse += (out - y[0]).powi(2) / xs.len() as f32;
        if (out > 0.5) == (y[0] > 0.5) {
            correct += 1;
        }
        println!(" {:>2}  {:>2} | {:>6}  {:.4}", x[0], x[1], y[0], out);
    }
    println!("\nfinal training loss {loss:.6}, MSE {mse:.6}, {correct}/4 correct");
    if correct == 4 && mse < 0.01 {
        println!("converged");
        Ok(())
    } else {
        eprintln!("did not converge");
        std::process::exit(1)
    }
}
