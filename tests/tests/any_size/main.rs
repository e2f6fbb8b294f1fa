//! Every public entry point runs for networks far larger than the stack: the Keras
//! cats-vs-dogs CNN at 150x150x3 (19.0 M parameters, 72.6 MiB in f32) and the same topology at
//! 64x64x3 (2.45 M parameters), each on a thread with 2 MiB of stack, in the debug build
//! `cargo test` makes. Synthetic data; one batch of each training call (training steps are
//! cheap to count, not to run in a debug build).
//!
//! The values live in place on the heap (`boxed`), the by-value calls (`forward`,
//! `backward`, `evaluate`, `predict`, `gradcheck`) take heap scratch because these networks
//! are over their stack budget, and the training calls keep their inter-layer gradients in
//! the workspace. `negative_control` shows the harness catches an overflow: the same forward
//! pass forced onto the stack kills a child process with Rust's stack-overflow message.

mod frames;

use dl_core::network::Network;
use dl_core::prelude::*;
use dl_core::zeroed;
use std::process::Command;

network! {
    /// The Keras cats-vs-dogs CNN.
    pub struct Cats150 {
        input: [3, 150, 150],
        Conv2D<3, 32, 3, Relu>, MaxPool2D<2>,
        Conv2D<32, 64, 3, Relu>, MaxPool2D<2>,
        Conv2D<64, 128, 3, Relu>, MaxPool2D<2>,
        Flatten,
        Dense<36992, 512, Relu>,
        Dense<512, 1, Sigmoid>,
    }
}

network! {
    /// The same topology at 64x64x3.
    pub struct Cats64 {
        input: [3, 64, 64],
        Conv2D<3, 32, 3, Relu>, MaxPool2D<2>,
        Conv2D<32, 64, 3, Relu>, MaxPool2D<2>,
        Conv2D<64, 128, 3, Relu>, MaxPool2D<2>,
        Flatten,
        Dense<4608, 512, Relu>,
        Dense<512, 1, Sigmoid>,
    }
}

/// `cargo test`'s default thread stack.
const STACK: usize = 2 << 20;
/// The stack the workspace-backed passes run on in
/// `workspace_backed_passes_of_the_150x150x3_cnn_on_a_64_kib_stack`: they keep nothing sized
/// by the network on the stack, so a thirty-second of `STACK` is plenty.
const SMALL_STACK: usize = 64 << 10;
/// Samples of synthetic data; the training calls see them as one batch.
const SAMPLES: usize = 2;

/// Runs `f` on a fresh thread with a [`STACK`]-byte stack. An overflow aborts the process
/// (Rust's guard page), so a test that returns ran within it.
fn on_small_stack<R: Send + 'static>(f: impl FnOnce() -> R + Send + 'static) -> R {
    on_stack(STACK, f)
}

/// Runs `f` on a fresh thread with a `bytes`-byte stack (see [`on_small_stack`]).
fn on_stack<R: Send + 'static>(bytes: usize, f: impl FnOnce() -> R + Send + 'static) -> R {
    std::thread::Builder::new()
        .stack_size(bytes)
        .spawn(f)
        .expect("spawns")
        .join()
        .expect("runs")
}

/// Inputs and targets on the heap.
type Samples<N> = (Box<[<N as Network>::Input]>, Box<[<N as Network>::Output]>);

/// Inputs in [0, 1) and alternating 0/1 labels, built on the heap.
fn data<N: Network<Scalar = f32>>() -> Samples<N> {
    let mut rng = Rng::new(3);
    let mut xs = zeroed::boxed_slice::<N::Input>(SAMPLES);
    for x in xs.iter_mut() {
        x.as_mut_slice()
            .iter_mut()
            .for_each(|v| *v = rng.uniform() as f32);
    }
    let mut ys = zeroed::boxed_slice::<N::Output>(SAMPLES);
    for (i, y) in ys.iter_mut().enumerate() {
        y.as_mut_slice()[0] = (i % 2) as f32;
    }
    (xs, ys)
}

/// Every entry point on `N` (f32) and its f64 twin `D`, asserting each result is sane;
/// `gradcheck` compares the first `differences` scalars of each tensor and of the input with
/// central differences (two forward passes each; 0 runs its analytic pass and buffers only).
/// The 150x150x3 tests run its two halves as two tests, so `cargo test`'s two threads share
/// the debug passes of the largest network.
fn every_entry_point<N, D>(differences: usize)
where
    N: Network<Scalar = f32>,
    D: Network<Scalar = f64>,
{
    passes_and_steps::<N>();
    fit_evaluate_files_and_gradcheck::<N, D>(differences);
}

/// The first half of [`every_entry_point`]: the summary, inference, the cache-filling and
/// backward passes, and one training step of each call and optimizer.
fn passes_and_steps<N: Network<Scalar = f32>>() {
    // A large network: over its budget, and larger than the test's stack.
    assert!(N::CALL_STACK_BYTES > N::STACK_BUDGET && N::VALUE_STACK_BYTES > STACK);
    let (xs, ys) = data::<N>();
    let (x, y) = (&xs[0], &ys[0]);
    let net = N::boxed(1);

    // Summary and by-value inference.
    assert_eq!(N::summary().layers.len(), N::LAYERS);
    let out = net.forward(x);
    let p = out.as_slice()[0];
    assert!(p > 0.0 && p < 1.0, "sigmoid output {p}");

    // Cache-filling passes, backward, loss_backward (heap scratch over the budget) and the
    // workspace-backed forms.
    let mut ws = Workspace::<N>::boxed();
    net.forward_eval(x, &mut ws.cache);
    assert_eq!(N::output(&ws.cache).as_slice(), out.as_slice());
    net.forward_train(x, &mut ws.cache, &mut ws.masks);
    let loss = net.loss_backward::<BinaryCrossEntropy>(x, &ws.cache, y, &mut ws.grads, None);
    assert!(loss.is_finite() && ws.grads.all_finite());
    let mut d_input = zeroed::boxed::<N::Input>();
    let d_output = &ys[1]; // 1: not a zero gradient
    net.backward(x, &ws.cache, d_output, &mut ws.grads, Some(&mut d_input));
    assert!(d_input.as_slice().iter().any(|v| *v != 0.0));
    let mut d_in = zeroed::boxed::<N::Input>();
    let Workspace {
        cache,
        grads,
        batch,
        ..
    } = &mut *ws;
    net.backward_in(x, cache, d_output, grads, Some(&mut d_in), batch);
    assert_eq!(d_in.as_slice(), d_input.as_slice());
    ws.grads.fill(0.0);

    // Training: one step of each call, with Adam built in place.
    let mut net = net;
    let mut adam = Adam::<f32, N::Gradient>::boxed(1e-3);
    let l = train_sample::<_, BinaryCrossEntropy, _>(&mut *net, &mut *adam, x, y, &mut ws);
    assert!(l.expect("trains").is_finite());
    let l = train_batch::<_, BinaryCrossEntropy, _>(&mut *net, &mut *adam, &xs, &ys, &mut ws);
    assert!(l.expect("trains").is_finite());
    // The other stateful optimizers, built in place (a step costs what Adam's does).
    let adamw = AdamW::<f32, N::Gradient>::boxed(1e-3);
    let rms = RmsProp::<f32, N::Gradient>::boxed(1e-3, 0.0);
    let adagrad = Adagrad::<f32, N::Gradient>::boxed(1e-2);
    let momentum = SgdMomentum::<f32, N::Gradient>::boxed(1e-3, 0.9);
    let rates = [
        adamw.learning_rate(),
        rms.learning_rate(),
        adagrad.learning_rate(),
    ];
    assert_eq!((rates, momentum.momentum), ([1e-3, 1e-3, 1e-2], 0.9));
    drop((adamw, rms, adagrad, momentum));
}

/// The second half of [`every_entry_point`]: `fit`, `fit_with`, evaluation, prediction, the
/// parameter files, and `gradcheck` of the f64 twin `D`.
fn fit_evaluate_files_and_gradcheck<N, D>(differences: usize)
where
    N: Network<Scalar = f32>,
    D: Network<Scalar = f64>,
{
    let (xs, ys) = data::<N>();
    let x = &xs[0];
    let mut net = N::boxed(1);
    let mut ws = Workspace::<N>::boxed();
    let mut adam = Adam::<f32, N::Gradient>::boxed(1e-3);

    // fit (heap scratch, growable history) and fit_with (caller storage), one epoch of one
    // batch each.
    let train = Data::new(&xs, &ys).expect("finite");
    let config = FitConfig::new(1, BatchSize::Full).early_stopping(EarlyStopping::new(1));
    let history = fit::<BinaryCrossEntropy, Accuracy, _, _>(
        &mut *net,
        &mut *adam,
        train,
        Some(train),
        &config,
        keep_going,
    )
    .expect("fits");
    assert_eq!(history.len(), 1);
    let (mut checkpoint, mut best) = (zeroed::boxed::<N>(), zeroed::boxed::<N>());
    let mut log = [Epoch::BLANK; 1];
    let scratch = Scratch {
        workspace: &mut ws,
        order: &mut [],
        batch_inputs: &mut [],
        batch_targets: &mut [],
        checkpoint: &mut checkpoint,
        best: Some(&mut best),
    };
    let history = fit_with::<BinaryCrossEntropy, Accuracy, _, _, _>(
        &mut *net,
        &mut *adam,
        train,
        None,
        &config,
        scratch,
        &mut log[..],
        keep_going,
    )
    .expect("fits");
    assert!(history.epochs()[0].train_loss.is_finite());

    // Evaluation and prediction.
    let eval = evaluate::<BinaryCrossEntropy, Accuracy, _>(&*net, train);
    assert!(eval.loss.is_finite());
    let with = evaluate_with::<BinaryCrossEntropy, Accuracy, _>(&*net, train, &mut ws.cache);
    assert_eq!(with, eval);
    let mut outs = zeroed::boxed_slice::<N::Output>(SAMPLES);
    predict(&*net, &xs, &mut outs).expect("lengths agree");
    let all = predict_all(&*net, &xs);
    assert!(all
        .iter()
        .zip(&outs[..])
        .all(|(a, b)| a.as_slice() == b.as_slice()));
    predict_with(&*net, &xs, &mut outs, &mut ws.cache).expect("lengths agree");
    assert_eq!(outs[0].as_slice(), net.forward(x).as_slice());

    // Parameters in and out: the byte image and safetensors, in memory and on disk.
    let mut image = vec![0u8; <N as ParamBytes>::BYTES];
    net.export_bytes(&mut image).expect("finite");
    let mut copy = N::boxed_from_bytes(&image).expect("imports");
    copy.import_bytes(&image).expect("imports");
    let names = dl_core::safetensors::Names::pytorch();
    let file = dl_core::safetensors::export(&*net, dl_core::safetensors::Dtype::F32, &names);
    dl_core::safetensors::import(&mut *copy, &file.expect("exports"), &names).expect("imports");
    let path = std::env::temp_dir().join(format!("any_size_{}.safetensors", N::INPUTS));
    dl_core::safetensors::save(&*net, &path).expect("saves");
    dl_core::safetensors::load(&mut *copy, &path).expect("loads");
    std::fs::remove_file(&path).ok();
    assert!((0..N::TENSORS).all(|i| copy.tensor(i) == net.tensor(i)));
    drop((net, copy, ws));

    // gradcheck, in f64, on the first scalar of each tensor and of the input.
    let mut net64 = D::boxed(1);
    let mut x64 = zeroed::boxed::<D::Input>();
    for (a, b) in x64.as_mut_slice().iter_mut().zip(x.as_slice()) {
        *a = f64::from(*b);
    }
    let mut y64 = zeroed::boxed::<D::Output>();
    y64.as_mut_slice()[0] = 1.0;
    let check = gradcheck_first::<D, BinaryCrossEntropy>(&mut net64, &x64, &y64, 1e-6, differences);
    // One scalar a tensor and one input; single scalars of a deep network can have gradients
    // near the finite differences' noise (1e-10 here), so the check is on the difference.
    assert_eq!(check.checked, differences * (D::TENSORS + 1));
    assert!(check.max_abs_error < 1e-6, "{check:?}");
}

/// At 150x150x3 one layer's output (32 x 148 x 148 floats, 2.7 MiB) is larger than the
/// stack, so a layer-sized temporary on the stack anywhere in these paths would overflow it.
/// `gradcheck` runs its analytic pass here, not its 22 finite differences (each a debug f64
/// forward pass of this network: they took the test from 86 s to 166 s of CPU time); the
/// 64x64x3 test checks those.
#[test]
fn every_entry_point_of_the_150x150x3_cnn_on_a_2_mib_stack_passes_and_steps() {
    on_small_stack(passes_and_steps::<Cats150<f32>>);
}

/// The second half of the test above (see [`every_entry_point`]).
#[test]
fn every_entry_point_of_the_150x150x3_cnn_on_a_2_mib_stack_fit_evaluate_files() {
    on_small_stack(|| fit_evaluate_files_and_gradcheck::<Cats150<f32>, Cats150<f64>>(0));
}

#[test]
fn every_entry_point_of_the_64x64x3_cnn_on_a_2_mib_stack() {
    on_small_stack(|| every_entry_point::<Cats64<f32>, Cats64<f64>>(1));
}

/// The workspace-backed passes keep nothing sized by the network on the stack: the
/// 150x150x3 network's training forward and evaluation forward, `loss_backward_in`,
/// `backward_in`, and one SGD step of `train_sample` and of `train_batch` (the batched
/// pass) run on a 64 KiB thread, in debug as in release. The convolutions work in the
/// `Scratch` of the cache and of the batch buffers; `negative_control_of_the_small_stack`
/// shows the same thread dies when a convolution keeps that memory on its stack instead.
#[test]
fn workspace_backed_passes_of_the_150x150x3_cnn_on_a_64_kib_stack() {
    type N = Cats150<f32>;
    // A frame and the Dense layers' fixed blocks for a batch's input gradients (8 KiB of
    // `f32`), the same for a network of any size.
    use dl_core::stack::{DENSE_STACK_SCALARS, FRAME_BYTES};
    const { assert!(N::LAYER_STACK_BYTES == FRAME_BYTES + 4 * DENSE_STACK_SCALARS) };
    let (loss, p) = workspace_passes(SMALL_STACK);
    assert!(
        loss.is_finite() && p > 0.0 && p < 1.0,
        "loss {loss}, output {p}"
    );
}

/// The 150x150x3 network's workspace-backed passes (training and evaluation forward,
/// `loss_backward_in`, `backward_in`, one SGD step of `train_sample` and of `train_batch`)
/// on a `stack`-byte thread; the loss and the evaluation output.
fn workspace_passes(stack: usize) -> (f32, f32) {
    type N = Cats150<f32>;
    let (xs, ys) = data::<N>();
    let mut net = N::boxed(1);
    let mut ws = Workspace::<N>::boxed();
    on_stack(stack, move || {
        let (x, y) = (&xs[0], &ys[0]);
        net.forward_eval(x, &mut ws.cache);
        let p = N::output(&ws.cache).as_slice()[0];
        net.forward_train(x, &mut ws.cache, &mut ws.masks);
        let Workspace {
            cache,
            grads,
            batch,
            ..
        } = &mut *ws;
        let loss = net.loss_backward_in::<BinaryCrossEntropy>(x, cache, y, grads, None, batch);
        assert!(grads.all_finite());
        net.backward_in(x, cache, &ys[1], grads, None, batch);
        grads.fill(0.0);
        let mut sgd = Sgd::new(1e-3);
        train_sample::<_, BinaryCrossEntropy, _>(&mut *net, &mut sgd, x, y, &mut ws)
            .expect("trains");
        train_batch::<_, BinaryCrossEntropy, _>(&mut *net, &mut sgd, &xs, &ys, &mut ws)
            .expect("trains");
        (loss, p)
    })
}

/// The 64 KiB thread of the test above catches a convolution that keeps its working memory
/// on the stack, as the workspace-backed passes did before it moved into the `Scratch`: the
/// 150x150x3 network's third convolution run through `Layer::forward_train`, which puts
/// its transposed kernel and im2col blocks (110,592 `f32`s) on the stack, kills the child.
#[test]
fn negative_control_of_the_small_stack() {
    overflows("layer_on_stack");
}

/// The stack-size consts of a large network, against what its values and calls hold.
#[test]
fn stack_consts() {
    type N = Cats150<f32>;
    const {
        assert!(N::STACK_BUDGET == dl_core::stack::DEFAULT_BUDGET);
        assert!(N::PARAM_BYTES == 19_034_177 * 4);
        assert!(N::VALUE_STACK_BYTES >= N::PARAM_BYTES);
        // The first convolution's output, 32 x 148 x 148 floats, is on the chain three times
        // (the chain's value, the layer's pre-activations and its output).
        assert!(N::FORWARD_STACK_BYTES > 3 * 32 * 148 * 148 * 4);
        assert!(N::BACKWARD_STACK_BYTES > 32 * 148 * 148 * 4);
        assert!(N::EVALUATE_STACK_BYTES == N::CACHE_BYTES + N::LAYER_STACK_BYTES);
    }
    println!(
        "150x150x3 f32: params {} B, cache {} B, forward {} B, backward {} B, value {} B, \
         workspace {} B, budget {} B",
        N::PARAM_BYTES,
        N::CACHE_BYTES,
        N::FORWARD_STACK_BYTES,
        N::BACKWARD_STACK_BYTES,
        N::VALUE_STACK_BYTES,
        N::WORKSPACE_STACK_BYTES,
        N::STACK_BUDGET,
    );
}

/// The harness catches an overflow: `overflow_child`, run as a child process, forces the
/// 150x150x3 network's forward pass onto a 2 MiB stack, and the child dies with Rust's
/// stack-overflow message rather than passing.
#[test]
fn negative_control() {
    overflows("forward_on_stack");
}

/// Runs `overflow_child` as a child process doing `what`, and asserts it dies with Rust's
/// stack-overflow message.
fn overflows(what: &str) {
    let out = Command::new(std::env::current_exe().expect("test binary"))
        .args(["overflow_child", "--exact", "--ignored", "--nocapture"])
        .env("DL_OVERFLOW_CHILD", what)
        .output()
        .expect("runs the child");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "the child survived: {stderr}");
    assert!(stderr.contains("has overflowed its stack"), "{stderr}");
}

#[test]
#[ignore = "run by the negative controls as a child process"]
fn overflow_child() {
    type N = Cats150<f32>;
    let Some(what) = std::env::var_os("DL_OVERFLOW_CHILD") else {
        return;
    };
    if let Some(stack) = std::env::var_os("DL_STACK_BYTES") {
        let stack = stack
            .to_str()
            .and_then(|s| s.parse().ok())
            .expect("a byte count");
        return frames::child(&what, stack);
    }
    let net = N::boxed(1);
    let x = zeroed::boxed::<<N as Network>::Input>();
    if what == "forward_on_stack" {
        const { assert!(N::FORWARD_STACK_BYTES > STACK) };
        on_small_stack(move || net.forward_on_stack(&x).as_slice()[0]);
    } else {
        use dl_core::layer::{Layer, LayerCache};
        let mut ws = Workspace::<N>::boxed();
        on_stack(SMALL_STACK, move || {
            let cache = &mut ws.cache;
            net.layer5
                .forward_train(cache.layer4.output(), &mut cache.layer5);
        });
    }
}
