use dl_core::prelude::*;

const HIDDEN: usize = 4;
const OTHER: usize = 3;

network! {
    pub struct Net {
        Dense<2, HIDDEN, Sigmoid>,
        Dense<OTHER, 1, Sigmoid>,
    }
}

fn main() {
    // The network is still usable: one mistake gives one error, not a cascade.
    let net = Net::<f32>::new(1);
    let _ = net.forward(&SVector::from([0.0, 1.0]));
}
