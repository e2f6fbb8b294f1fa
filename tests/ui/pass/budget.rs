use dl_core::prelude::*;

network! {
    pub struct Tiny {
        Dense<16, 16, Relu>,
        Dense<16, 4, Identity>,
    }
}

// Memory is known at compile time.
const _: () = assert!(<Tiny>::PARAM_BYTES <= 16 * 1024);
const _: () = assert!(<Tiny<f64>>::CACHE_BYTES == (16 + 4) * 2 * 8);
static WEIGHTS: Tiny = Tiny::ZERO;

pub fn main() {
    let a = Tiny::<f32>::new(11);
    let b = Tiny::<f64>::new(11);
    for t in 0..Tiny::<f32>::TENSORS {
        for (x, y) in a.tensor(t).iter().zip(b.tensor(t)) {
            assert_eq!(*x, *y as f32);
        }
    }
    assert!(WEIGHTS.tensor(0).iter().all(|w| *w == 0.0));
}
