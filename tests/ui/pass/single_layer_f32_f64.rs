use dl_core::prelude::*;

// Any macro delimiter works; parentheses and brackets need a trailing semicolon in item
// position, as for every Rust macro.
network!(
    struct Logistic {
        Dense<30, 1, Sigmoid>
    }
);

network![
    struct Linear {
        Dense<10, 1, Identity>,
    }
];

pub fn main() {
    let f = Logistic::<f32>::new(0);
    let d = Logistic::<f64>::new(0);
    assert_eq!(f.forward(&SVector::zeros())[0], 0.5);
    assert_eq!(d.forward(&SVector::zeros())[0], 0.5);
    assert_eq!(Linear::<f64>::summary().total_params(), 11);
}
