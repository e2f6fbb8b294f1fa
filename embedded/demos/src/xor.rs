//! XOR, trained from scratch and printed as a truth table.
//!
//! Every byte it works in is known at compile time: the network, its training cache and its
//! gradient live on the stack of [`train_and_report`], sized by [`Xor`]'s consts.

use core::fmt::{self, Write};
use dl_core::prelude::*;

network! {
    /// Learns XOR.
    pub struct Xor {
        hidden: Dense<2, 4, Sigmoid>,
        out: Dense<4, 1, Sigmoid>,
    }
}

/// Training memory, checked by the compiler: parameters plus workspace within 16 KiB (plain
/// SGD keeps no state).
const _: () = assert!(Xor::<f32>::PARAM_BYTES + Workspace::<Xor<f32>>::BYTES <= 16 * 1024);

/// The seed of the initial weights.
pub const SEED: u64 = 42;
/// Full-batch epochs.
pub const EPOCHS: usize = 5000;
/// SGD's learning rate.
pub const LEARNING_RATE: f64 = 2.0;

/// The four rows of XOR's truth table.
pub const INPUTS: [[f32; 2]; 4] = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]];
/// XOR of each row.
pub const TARGETS: [f32; 4] = [0.0, 1.0, 1.0, 0.0];

/// Trains a fresh network on XOR (full-batch SGD on MSE from [`SEED`]), printing the loss now
/// and then, and returns it.
pub fn train(out: &mut impl Write) -> Result<Xor<f32>, fmt::Error> {
    let xs = INPUTS.map(SVector::<f32, 2>::from);
    let ys = TARGETS.map(SVector::<f32, 1>::new);
    let mut net = Xor::<f32>::new(SEED);
    let mut sgd = Sgd::new(LEARNING_RATE);
    let mut ws = Workspace::new();
    writeln!(
        out,
        "xor 2-4-1: {} parameters ({} bytes), cache {} bytes, gradient {} bytes, \
         training workspace {} bytes",
        Xor::<f32>::PARAMS,
        Xor::<f32>::PARAM_BYTES,
        Xor::<f32>::CACHE_BYTES,
        Xor::<f32>::GRADIENT_BYTES,
        Workspace::<Xor<f32>>::BYTES
    )?;
    for epoch in 1..=EPOCHS {
        match train_batch::<_, Mse, _>(&mut net, &mut sgd, &xs, &ys, &mut ws) {
            Ok(loss) if epoch == 1 || epoch % 1000 == 0 => {
                writeln!(out, "epoch {epoch:>4}  loss {loss:.6}")?
            }
            Ok(_) => {}
            Err(e) => {
                writeln!(out, "training failed: {e}")?;
                break;
            }
        }
    }
    Ok(net)
}

/// Trains, then prints the truth table; returns whether XOR was learnt.
pub fn train_and_report(out: &mut impl Write) -> Result<bool, fmt::Error> {
    let net = train(out)?;
    report(out, &net)
}

/// Prints the truth table of a network and `converged` or `did not converge`. Returns
/// whether all four rows came out on the right side of 0.5 with a mean squared error under
/// 0.01.
pub fn report(out: &mut impl Write, net: &Xor<f32>) -> Result<bool, fmt::Error> {
    writeln!(out, "x1 x2 | xor | output")?;
    let mut mse = 0.0;
    let mut correct = 0;
    for (x, &y) in INPUTS.iter().zip(&TARGETS) {
        let p = net.forward(&SVector::from(*x))[0];
        mse += (p - y) * (p - y) / 4.0;
        if (p > 0.5) == (y > 0.5) {
            correct += 1;
        }
        writeln!(out, " {}  {}  |  {}  | {:.4}", x[0], x[1], y, p)?;
    }
    let converged = correct == 4 && mse < 0.01;
    writeln!(out, "mse {mse:.6}, {correct}/4 correct")?;
    let verdict = if converged {
        "converged"
    } else {
        "did not converge"
    };
    writeln!(out, "{verdict}")?;
    Ok(converged)
}
