use dl_core::prelude::*;

mod sizes {
    pub const HIDDEN: usize = 8;
}
const N_IN: usize = 3;

network! {
    /// Doc comments and attributes pass through to the struct.
    #[allow(dead_code)]
    pub struct Net {
        first: Dense<N_IN, { sizes::HIDDEN }, LeakyRelu<0.05>>,
        Dense<{ sizes::HIDDEN }, { sizes::HIDDEN / 2 }, Tanh>,
        out: Dense<{ sizes::HIDDEN / 2 }, 2, Softmax>,
    }
}

pub fn main() {
    let net = Net::<f64>::new(3);
    let y = net.forward(&SVector::from([0.1, 0.2, 0.3]));
    assert!((y.sum() - 1.0).abs() < 1e-12);
    let _: &Dense<f64, 3, 8, LeakyRelu<{ dl_core::activation::slope(0.05) }>> = &net.first;
    let _ = &net.layer2;
    let _ = &net.out;
    assert_eq!(Net::<f32>::INPUTS, 3);
    assert_eq!(Net::<f32>::OUTPUTS, 2);
    assert_eq!(<Net>::PARAMS, 3 * 8 + 8 + 8 * 4 + 4 + 4 * 2 + 2);
}
