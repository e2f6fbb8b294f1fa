//! An image network with every layer kind, named layers, stride and padding: it compiles,
//! and its computed shapes are in the types.
use dl_core::prelude::*;

network! {
    /// Digits.
    pub struct Cnn {
        input: [1, 8, 8],
        conv1: Conv2D<1, 8, 3, Relu, padding = 1>,
        pool1: MaxPool2D<2>,
        Dropout<0.25>,
        conv2: Conv2D<8, 16, 3, LeakyRelu<0.01>, stride = 1, padding = 1>,
        AvgPool2D<2, stride = 2>,
        Flatten,
        Dense<64, 10, Softmax>,
    }
}

pub fn main() {
    const _: () = assert!(<Cnn as Network>::INPUTS == 64 && <Cnn as Network>::OUTPUTS == 10);
    let net = Cnn::<f32>::new(1);
    let _ = net.forward(&SVector::zeros());
}
