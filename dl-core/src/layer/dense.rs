use super::weight_bias::{self, zero_matrix};
use super::{Layer, LayerCache};
use crate::activation::Activation;
use crate::batch::Samples;
use crate::float::Float;
use crate::kernel;
use crate::layout::TensorLayout;
use crate::network::{Params, Vector};
use crate::rng::Rng;
use core::marker::PhantomData;
use nalgebra::{SMatrix, SVector};

/// A fully connected layer: `z = W x + b`, `a = A(z)`, with `W` of shape `[O][I]` (PyTorch's
/// `nn.Linear` layout, stored column-major by nalgebra) and `b` of length `O`.
///
/// Backward, given `dz = dL/dz`:
/// `dL/dW += dz x^T` (a rank-1 update), `dL/db += dz`, `dL/dx = W^T dz` (`tr_mul`, which
/// reads `W` in place rather than copying its transpose).
///
/// Over a mini-batch `X = [x_1 .. x_B]` the same formulas become matrix products, done by the
/// register-blocked kernels of [`crate::kernel`]: `Z = W X + b 1^T` and
/// `dL/dW += dZ X^T` and, past the first layer, `dL/dX^T = dZ^T W` (std builds,
/// `dense_input.rs`; without std, or below the kernels' size, `dL/dx_b = W^T dz_b` per
/// sample). One sample's `W x` uses
/// [`kernel::Kernels::matvec_acc`] (a batch's column, bit for bit) from
/// [`kernel::MIN_MATVEC_WEIGHTS`] weights up, and `dz x^T` the kernels from
/// [`kernel::MIN_WEIGHTS`] up; below, `W x` is a loop over four columns a step (bit-identical
/// to nalgebra's `gemv`, about half its instructions on a Cortex-M) and `dz x^T` nalgebra's
/// `ger`.
///
/// On x86-64 the layer is aligned to 64 bytes, a cache line, so the kernels' 512-bit loads of
/// `W` never straddle two lines (`size_of` grows by at most 63 bytes a layer there).
///
/// Declared in [`network!`](macro@crate::network) as `Dense<inputs, outputs, Activation>`;
/// the generated field has this type, and a layer can be built and run on its own:
///
/// ```
/// use dl_core::prelude::*;
///
/// let w = SMatrix::<f64, 2, 3>::new(1.0, 0.0, -1.0, 0.5, 0.5, 0.5); // [out, in], PyTorch's layout
/// let b = SVector::<f64, 2>::new(0.0, 1.0);
/// let layer = Dense::<f64, 3, 2, Relu>::from_parts(w, b);
/// let y = layer.forward(&SVector::from([1.0, 2.0, 3.0]));
/// assert_eq!(y, SVector::from([0.0, 4.0])); // relu(-2) = 0, relu(3 + 1) = 4
///
/// network! {
///     struct Net { hidden: Dense<3, 2, Relu>, Dense<2, 1, Identity> }
/// }
/// let net = Net::<f64>::new(0);
/// let _: &Dense<f64, 3, 2, Relu> = &net.hidden;
/// ```
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(target_arch = "x86_64", repr(C, align(64)))]
pub struct Dense<T: Float, const I: usize, const O: usize, A: Activation> {
    /// `W`, `O` rows by `I` columns.
    pub weight: SMatrix<T, O, I>,
    /// `b`.
    pub bias: SVector<T, O>,
    activation: PhantomData<A>,
}

/// The gradient of a [`Dense`] layer: same shapes, no activation.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(target_arch = "x86_64", repr(C, align(64)))]
pub struct DenseGrad<T: Float, const I: usize, const O: usize> {
    /// `dL/dW`.
    pub weight: SMatrix<T, O, I>,
    /// `dL/db`.
    pub bias: SVector<T, O>,
}

/// What a [`Dense`] layer keeps from the training forward pass.
#[derive(Clone, Debug, PartialEq)]
pub struct DenseCache<T: Float, const O: usize> {
    /// Pre-activations `z = W x + b`.
    pub z: SVector<T, O>,
    /// Outputs `a = A(z)`.
    pub a: SVector<T, O>,
}

impl<T: Float, const O: usize> LayerCache<SVector<T, O>> for DenseCache<T, O> {
    #[inline(always)]
    fn preactivation(&self) -> &SVector<T, O> {
        &self.z
    }
    #[inline(always)]
    fn output(&self) -> &SVector<T, O> {
        &self.a
    }
}

impl<T: Float, const I: usize, const O: usize, A: Activation> Dense<T, I, O, A> {
    /// Trainable parameters: `I * O + O`.
    pub const PARAMS: usize = I * O + O;

    /// A layer with the given weights and bias.
    pub const fn from_parts(weight: SMatrix<T, O, I>, bias: SVector<T, O>) -> Self {
        Dense {
            weight,
            bias,
            activation: PhantomData,
        }
    }

    /// The layer whose `I * O` weights (column-major, as [`Params::tensor`] gives them) and
    /// then `O` biases start at `scalars[at]`. A `const fn`, for networks decoded at compile
    /// time (`network!`'s `from_scalars`); the caller guarantees the length.
    pub const fn from_scalars(scalars: &[T], at: usize) -> Self {
        let (weight, bias) = weight_bias::from_scalars::<T, O, I>(scalars, at);
        Self::from_parts(weight, bias)
    }
}

impl<T: Float, const I: usize, const O: usize, A: Activation> Dense<T, I, O, A> {
    /// Whether one sample's products go through [`crate::kernel`] (which picks AVX-512 or AVX2
    /// at run time in `std` builds) rather than nalgebra's inlined `gemv` / `ger`: from
    /// [`kernel::MIN_WEIGHTS`] weights up, where the kernels' call and instruction-set check
    /// cost less than they save.
    const KERNELS: bool = I * O >= kernel::MIN_WEIGHTS;

    /// Whether a batch's products go through [`crate::kernel`]: from
    /// [`kernel::MIN_BATCH_WEIGHTS`] weights up (the register blocking over a batch pays at
    /// any width but the tiniest).
    const BATCH_KERNELS: bool = I * O >= kernel::MIN_BATCH_WEIGHTS;

    /// Whether a batch's input gradients are blocked products (`dense_input.rs`; std builds,
    /// from [`dense_input::MIN_OUTPUTS`](super::dense_input::MIN_OUTPUTS) outputs).
    const BLOCKED_INPUT_GRADIENTS: bool =
        cfg!(feature = "std") && Self::BATCH_KERNELS && O >= super::dense_input::MIN_OUTPUTS;

    /// Whether a batch's input gradients run on a transposed block of `W`
    /// (`dense_transposed.rs`), where they are not blocked products.
    const TRANSPOSED_INPUT_GRADIENTS: bool = !Self::BLOCKED_INPUT_GRADIENTS
        && I >= super::dense_transposed::LANES
        && O <= super::dense_transposed::MAX_OUTPUTS;

    /// Whether one sample's `W x` goes through [`kernel::Kernels::matvec_acc`]: from
    /// [`kernel::MIN_MATVEC_WEIGHTS`] weights up.
    const MATVEC: bool = I * O >= kernel::MIN_MATVEC_WEIGHTS;

    /// `z += W x`.
    #[inline(always)]
    fn add_weighted(&self, x: &SVector<T, I>, z: &mut SVector<T, O>) {
        if Self::MATVEC {
            T::matvec_acc(self.weight.as_slice(), O, I, x.as_slice(), z.as_mut_slice());
        } else {
            super::dense_small::add_weighted_by_4(&self.weight, x, z);
        }
    }
}

/// Samples `start .. start + len` of `xs` as the column slices a kernel call takes (at most
/// [`kernel::MAX_COLUMNS`]; the rest of the array is empty slices).
#[inline(always)]
fn columns<T: Float, const I: usize, X: Samples<SVector<T, I>> + ?Sized>(
    xs: &X,
    start: usize,
    len: usize,
) -> [&[T]; kernel::MAX_COLUMNS] {
    core::array::from_fn(|b| {
        if b < len {
            xs.sample(start + b).as_slice()
        } else {
            &[]
        }
    })
}

macro_rules! dense_params {
    ($ty:ty, $zero:expr, [$($g:tt)*]) => {
        impl<$($g)*> Params<T> for $ty {
            const TENSORS: usize = 2;
            const COUNT: usize = I * O + O;
            const ZERO: Self = $zero;

            weight_bias::weight_bias_tensors!();

            /// The weight is PyTorch's `[O, I]`, stored column-major; the bias is `[O]`.
            fn tensor_layout(&self, i: usize) -> TensorLayout {
                match i {
                    0 => TensorLayout::column_major("weight", O, I),
                    _ => TensorLayout::vector("bias", if i == 1 { O } else { 0 }),
                }
            }
        }
    };
}

dense_params!(
    Dense<T, I, O, A>,
    Dense::from_parts(zero_matrix(), <SVector<T, O> as Vector<T>>::ZERO),
    [T: Float, const I: usize, const O: usize, A: Activation]
);
dense_params!(
    DenseGrad<T, I, O>,
    DenseGrad {
        weight: zero_matrix(),
        bias: <SVector<T, O> as Vector<T>>::ZERO,
    },
    [T: Float, const I: usize, const O: usize]
);

impl<T: Float, const I: usize, const O: usize, A: Activation> Layer<T> for Dense<T, I, O, A> {
    type Input = SVector<T, I>;
    type Output = SVector<T, O>;
    type Cache = DenseCache<T, O>;
    type Gradient = DenseGrad<T, I, O>;
    type Activation = A;

    /// The input gradients' blocks of the batch backward pass (`dense_input.rs`, 2,048
    /// scalars in std builds from 32 outputs; `dense_transposed.rs`, `17 O + 16` for at most
    /// 32 outputs and at least 16 inputs), else none.
    const STACK_SCALARS: usize = if Self::BLOCKED_INPUT_GRADIENTS {
        super::dense_input::STACK_SCALARS
    } else if Self::TRANSPOSED_INPUT_GRADIENTS {
        super::dense_transposed::stack_scalars(O)
    } else {
        0
    };

    const CACHE_ZERO: Self::Cache = DenseCache {
        z: <SVector<T, O> as Vector<T>>::ZERO,
        a: <SVector<T, O> as Vector<T>>::ZERO,
    };

    fn init(&mut self, rng: &mut Rng) {
        A::INIT.fill(self.weight.as_mut_slice(), I, O, rng);
        self.bias.fill(T::ZERO);
    }

    #[inline]
    fn forward(&self, x: &SVector<T, I>) -> SVector<T, O> {
        let mut z = self.bias;
        self.add_weighted(x, &mut z);
        let mut a = z;
        A::forward(z.as_slice(), a.as_mut_slice());
        a
    }

    #[inline]
    fn forward_train(&self, x: &SVector<T, I>, cache: &mut DenseCache<T, O>) {
        cache.z.copy_from(&self.bias);
        self.add_weighted(x, &mut cache.z);
        A::forward(cache.z.as_slice(), cache.a.as_mut_slice());
    }

    #[inline]
    fn backward_preact(
        &self,
        x: &SVector<T, I>,
        _cache: &DenseCache<T, O>,
        dz: &SVector<T, O>,
        grad: &mut DenseGrad<T, I, O>,
        d_input: Option<&mut SVector<T, I>>,
    ) {
        if Self::KERNELS {
            T::outer_acc(
                grad.weight.as_mut_slice(),
                O,
                I,
                &[dz.as_slice()],
                &[x.as_slice()],
            );
        } else {
            super::dense_small::add_outer(&mut grad.weight, dz, x);
        }
        grad.bias += dz;
        if let Some(dx) = d_input {
            super::dense_small::weighted_transpose(&self.weight, dz, dx);
        }
    }

    /// One pass over the weight gradient: [`kernel::Kernels::outer_set`] from
    /// [`kernel::MIN_BATCH_WEIGHTS`] weights up (natively, LLVM vectorised the inlined loop
    /// of a 10-row layer across its columns, with gathers and scatters), its portable loop
    /// inlined below that (column by column, `dz_i x_j + 0`: the bits of nalgebra's `ger` into
    /// zeros); `0 + dz` for the bias (the bits of adding `dz` into zeros).
    #[inline]
    fn backward_preact_set(
        &self,
        x: &SVector<T, I>,
        _cache: &DenseCache<T, O>,
        dz: &SVector<T, O>,
        grad: &mut DenseGrad<T, I, O>,
        d_input: Option<&mut SVector<T, I>>,
    ) {
        let (g, dz_s, x_s) = (grad.weight.as_mut_slice(), dz.as_slice(), x.as_slice());
        if Self::BATCH_KERNELS {
            T::outer_set(g, O, I, dz_s, x_s);
        } else {
            kernel::run_portable(kernel::ops::OuterSet {
                g,
                m: O,
                n: I,
                a: dz_s,
                b: x_s,
            });
        }
        // Slices: nalgebra's iterators compiled to a scalar loop of strided steps.
        for (g, &d) in grad.bias.as_mut_slice().iter_mut().zip(dz_s) {
            *g = T::ZERO + d;
        }
        if let Some(dx) = d_input {
            super::dense_small::weighted_transpose(&self.weight, dz, dx);
        }
    }

    /// `W` in one pass ([`kernel::Kernels::outer_sgd`]: gradient, step and the old weights
    /// into `grad` together) where the layer's weights take the kernels' paths of the
    /// unfused pair (at least [`kernel::MIN_BATCH_WEIGHTS`] and [`kernel::MIN_ELEMENTS`]) and
    /// the CPU has the fused kernel; otherwise, and for the bias, the default's two passes.
    /// `dL/dx` first, from the old weights.
    #[inline]
    fn backward_preact_sgd(
        &mut self,
        x: &SVector<T, I>,
        cache: &DenseCache<T, O>,
        dz: &SVector<T, O>,
        grad: &mut DenseGrad<T, I, O>,
        d_input: Option<&mut SVector<T, I>>,
        lr: T,
    ) -> bool {
        if let Some(dx) = d_input {
            super::dense_small::weighted_transpose(&self.weight, dz, dx);
        }
        let fused = if Self::BATCH_KERNELS && I * O >= kernel::MIN_ELEMENTS {
            T::outer_sgd(
                self.weight.as_mut_slice(),
                grad.weight.as_mut_slice(),
                O,
                I,
                dz.as_slice(),
                x.as_slice(),
                -lr,
            )
        } else {
            None
        };
        let Some((new, old)) = fused else {
            self.backward_preact_set(x, cache, dz, grad, None);
            return crate::layer::sgd_swap(self, grad, lr);
        };
        for (g, &d) in grad.bias.as_mut_slice().iter_mut().zip(dz.as_slice()) {
            *g = T::ZERO + d;
        }
        let bias = kernel::axpy_swap(self.bias.as_mut_slice(), -lr, grad.bias.as_mut_slice());
        new && old && bias.0 && bias.1
    }

    #[inline]
    fn forward_train_batch<X: Samples<SVector<T, I>> + ?Sized>(
        &self,
        xs: &X,
        caches: &mut [DenseCache<T, O>],
    ) {
        let n = caches.len().min(xs.len());
        if !Self::BATCH_KERNELS {
            for (b, cache) in caches[..n].iter_mut().enumerate() {
                self.forward_train(xs.sample(b), cache);
            }
            return;
        }
        for (start, caches) in caches[..n].chunks_mut(kernel::MAX_COLUMNS).enumerate() {
            let start = start * kernel::MAX_COLUMNS;
            let len = caches.len();
            let inputs = columns(xs, start, len);
            let mut zs = caches.iter_mut().map(|cache| {
                cache.z.copy_from(&self.bias);
                cache.z.as_mut_slice()
            });
            let mut outputs: [&mut [T]; kernel::MAX_COLUMNS] =
                core::array::from_fn(|_| zs.next().unwrap_or_default());
            T::matmul_acc(
                self.weight.as_slice(),
                O,
                I,
                &inputs[..len],
                &mut outputs[..len],
            );
            for cache in caches.iter_mut() {
                A::forward(cache.z.as_slice(), cache.a.as_mut_slice());
            }
        }
    }

    #[inline]
    fn backward_preact_batch<X: Samples<SVector<T, I>> + ?Sized>(
        &self,
        xs: &X,
        _caches: &[DenseCache<T, O>],
        dz: &[SVector<T, O>],
        grad: &mut DenseGrad<T, I, O>,
        d_input: Option<&mut [SVector<T, I>]>,
    ) {
        let dz = &dz[..dz.len().min(xs.len())];
        if Self::BATCH_KERNELS {
            for (start, dz) in dz.chunks(kernel::MAX_COLUMNS).enumerate() {
                let start = start * kernel::MAX_COLUMNS;
                let dzs: [&[T]; kernel::MAX_COLUMNS] =
                    core::array::from_fn(|b| dz.get(b).map_or(&[][..], |d| d.as_slice()));
                let inputs = columns(xs, start, dz.len());
                T::outer_acc(
                    grad.weight.as_mut_slice(),
                    O,
                    I,
                    &dzs[..dz.len()],
                    &inputs[..dz.len()],
                );
            }
        } else {
            for (b, dz) in dz.iter().enumerate() {
                super::dense_small::add_outer(&mut grad.weight, dz, xs.sample(b));
            }
        }
        super::dense_small::add_each(&mut grad.bias, dz);
        if let Some(d_input) = d_input {
            if Self::BLOCKED_INPUT_GRADIENTS {
                super::dense_input::input_gradients(&self.weight, dz, d_input);
                return;
            }
            // `tr_mul_to`'s bits with the columns in lanes without gathers, from 16 inputs.
            if Self::TRANSPOSED_INPUT_GRADIENTS {
                super::dense_transposed::input_gradients(&self.weight, dz, d_input);
                return;
            }
            // nalgebra's `tr_mul_to` here even in AVX-512 builds: the batch's loop ran 26%
            // slower with `weighted_transpose` (digits batch 32), the same bits either way.
            for (dx, dz) in d_input.iter_mut().zip(dz) {
                self.weight.tr_mul_to(dz, dx);
            }
        }
    }
}
