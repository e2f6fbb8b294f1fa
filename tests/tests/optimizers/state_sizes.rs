//! Every optimizer's state size.

use super::*;

#[test]
fn state_bytes() {
    type N = Small<f32>;
    type G = SmallGradient<f32>;
    let g = N::GRADIENT_BYTES;
    // Small: 3*4 + 4 + 4*2 + 2 = 26 parameters of 4 bytes; on x86-64 each Dense layer is
    // aligned (and so padded) to 64 bytes for the vector kernels.
    assert_eq!(N::PARAMS, 26);
    let padded = |bytes: usize| {
        if cfg!(target_arch = "x86_64") {
            bytes.div_ceil(64) * 64
        } else {
            bytes
        }
    };
    assert_eq!(g, padded(16 * 4) + padded(10 * 4));
    assert_eq!(core::mem::size_of::<NoState>(), 0);

    assert_eq!(<Sgd<f32> as OptimizerBase>::STATE_BYTES, 0);
    assert_eq!(<SgdMomentum<f32, G> as OptimizerBase>::STATE_BYTES, g);
    assert_eq!(<Adagrad<f32, G> as OptimizerBase>::STATE_BYTES, g);
    assert_eq!(<RmsProp<f32, G> as OptimizerBase>::STATE_BYTES, g);
    assert_eq!(<RmsProp<f32, G, G> as OptimizerBase>::STATE_BYTES, 2 * g);
    assert_eq!(
        <RmsProp<f32, G, NoState, G> as OptimizerBase>::STATE_BYTES,
        2 * g
    );
    assert_eq!(<RmsProp<f32, G, G, G> as OptimizerBase>::STATE_BYTES, 3 * g);
    assert_eq!(<Adam<f32, G> as OptimizerBase>::STATE_BYTES, 2 * g);
    assert_eq!(<AdamW<f32, G> as OptimizerBase>::STATE_BYTES, 2 * g);
    type Decayed = Scheduled<Adam<f32, G>, ExponentialDecay>;
    assert_eq!(<Decayed as OptimizerBase>::STATE_BYTES, 2 * g);

    // The per-network constants name the same numbers.
    assert_eq!(N::SGD_STATE_BYTES, 0);
    assert_eq!(N::SGD_MOMENTUM_STATE_BYTES, g);
    assert_eq!(N::ADAGRAD_STATE_BYTES, g);
    assert_eq!(N::RMSPROP_STATE_BYTES, g);
    assert_eq!(N::RMSPROP_MOMENTUM_STATE_BYTES, 2 * g);
    assert_eq!(N::RMSPROP_CENTERED_MOMENTUM_STATE_BYTES, 3 * g);
    assert_eq!(N::ADAM_STATE_BYTES, 2 * g);
    assert_eq!(N::ADAMW_STATE_BYTES, 2 * g);

    // And the optimizer values are that big plus their hyper-parameters, no hidden buffers.
    let adam = Adam::<f32, G>::new(1e-3);
    let hyper = core::mem::size_of_val(&adam) - <Adam<f32, G> as OptimizerBase>::STATE_BYTES;
    assert!(
        hyper <= 128,
        "Adam's fields besides its moments take {hyper} bytes"
    );
}
