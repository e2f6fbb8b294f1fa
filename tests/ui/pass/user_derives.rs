//! The derives and attributes a user writes on a network apply: `Clone`, `Debug` and
//! `PartialEq` merge with the ones the macro makes (no E0119), `#[repr(C)]`, `#[allow]` and
//! doc comments pass through, and each layer's type alias names its full type.
use dl_core::prelude::*;

network! {
    /// Doc comments pass through.
    #[derive(Clone, Debug, PartialEq)]
    #[repr(C)]
    #[allow(dead_code)]
    pub struct Mlp {
        hidden: Dense<4, 8, Relu>,
        Dense<8, 2, Softmax>,
    }
}

network! {
    #[derive(Debug)]
    #[derive(core::clone::Clone)]
    pub struct Cnn {
        input: [1, 6, 6],
        conv: Conv2D<1, 2, 3, Relu>,
        Flatten,
        out: Dense<32, 3, Softmax>,
    }
}

pub fn main() {
    let a = Mlp::<f64>::new(1);
    let b = a.clone();
    assert_eq!(a, b);
    assert!(format!("{a:?}").starts_with("Mlp"));
    let _: &MlpHidden<f64> = &a.hidden;
    let _: &Dense<f64, 8, 2, Softmax> = &a.layer2;
    let c = Cnn::<f32>::new(2);
    assert_eq!(c.clone(), c);
    let _: &CnnConv<f32> = &c.conv;
    let _: &CnnOut<f32> = &c.out;
}
