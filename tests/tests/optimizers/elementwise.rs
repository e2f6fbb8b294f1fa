//! Plain SGD's element-wise rule ([`ElementwiseStep`]) applied to pieces of each tensor gives
//! the bits of the whole-tensor update ([`ParamsOptimizer::update_consume`]) for any cut into
//! pieces of at least [`ElementwiseStep::MIN_PIECE`] elements, with and without a penalty;
//! and the control: a cut with a shorter piece does not, where the CPU fuses multiply-adds.
//! The passes of the optimizers with state and a cut form (Adam, RMSprop, Adagrad) run
//! through any [`Pieces`] cut give their uncut step's bits (the control: a cut that drops an
//! element is seen).

use dl_core::float::Float;
use dl_core::optim::{ElementwiseStep, Pieces, Whole};
use dl_core::prelude::*;

network! {
    /// Tensors of 6000, 60, 300 and 5 elements.
    struct Ranges { Dense<100, 60, Relu>, Dense<60, 5, Identity> }
}

type Net = Ranges<f32>;
type Grad = RangesGradient<f32>;

/// A network and a gradient of values spread over several orders of magnitude.
fn start(seed: u64) -> (Box<Net>, Box<Grad>) {
    let mut rng = Rng::new(seed);
    let mut net = Net::boxed(seed);
    let mut grads = Box::new(Grad::ZERO);
    for i in 0..<Net as Params<f32>>::TENSORS {
        for p in net.tensor_mut(i) {
            *p = (rng.uniform() as f32 - 0.5) * 3.0;
        }
        for g in grads.tensor_mut(i) {
            *g = (rng.uniform() as f32 - 0.5) * 10f32.powi((rng.uniform() * 6.0) as i32 - 3);
        }
    }
    (net, grads)
}

fn bits(net: &Net) -> Vec<u32> {
    (0..<Net as Params<f32>>::TENSORS)
        .flat_map(|i| net.tensor(i).iter().map(|v| v.to_bits()))
        .collect()
}

/// `sgd`'s rule over every tensor, tensor 0 (6000 elements) cut at `cuts` (ascending element
/// offsets) and applied piece by piece, then settled: the parameters it leaves.
fn by_pieces(sgd: &Sgd<f32>, seed: u64, scale: f32, cuts: &[usize]) -> Vec<u32> {
    let (mut net, mut grads) = start(seed);
    let rule = ParamsOptimizer::<Net, Grad>::elementwise(sgd).expect("plain SGD has a rule");
    let mut ok = (true, true);
    for i in 0..<Net as Params<f32>>::TENSORS {
        let kind = <Net as Params<f32>>::tensor_kind(i);
        let (p, g) = (net.tensor_mut(i), grads.tensor_mut(i));
        let (mut at, len) = (0, p.len());
        let cuts = if i == 0 { cuts } else { &[] };
        for end in cuts.iter().map(|&c| c.min(len)).chain([len]) {
            if end > at {
                let (u, f) = rule.swap(kind, &mut p[at..end], &mut g[at..end], scale);
                ok = (ok.0 && u, ok.1 && f);
                at = end;
            }
        }
    }
    assert!(ok.0 && ok.1, "a finite step was refused");
    for i in 0..<Net as Params<f32>>::TENSORS {
        ElementwiseStep::settle(net.tensor_mut(i), grads.tensor_mut(i), false);
        assert!(grads.tensor(i).iter().all(|&g| g == 0.0));
    }
    bits(&net)
}

fn whole(sgd: &Sgd<f32>, seed: u64, scale: f32) -> Vec<u32> {
    let (mut net, mut grads) = start(seed);
    let mut sgd = sgd.clone();
    let applied = ParamsOptimizer::<Net, Grad>::update_consume(
        &mut sgd,
        &mut *net,
        &mut *grads,
        scale as f64,
    );
    assert!(matches!(applied, Some(Ok(()))));
    assert_eq!(sgd.steps(), 1);
    bits(&net)
}

fn optimizers() -> [Sgd<f32>; 3] {
    [
        Sgd::new(0.37),
        Sgd::new(0.37).weight_decay(0.01).l1(0.002),
        Sgd::new(0.37).decoupled_weight_decay(0.05).regularize_all(),
    ]
}

#[test]
fn pieces_of_at_least_min_piece_give_the_whole_update_bit_for_bit() {
    let mut rng = Rng::new(9);
    let mut cuts: Vec<Vec<usize>> = vec![vec![], vec![256], vec![4096], vec![5744]];
    // Random cuts leaving every piece at least MIN_PIECE long.
    for _ in 0..20 {
        let mut at = 0;
        let mut cut = Vec::new();
        loop {
            at += ElementwiseStep::MIN_PIECE + (rng.uniform() * 2000.0) as usize;
            if at + ElementwiseStep::MIN_PIECE > 6000 {
                break;
            }
            cut.push(at);
        }
        cuts.push(cut);
    }
    for (n, sgd) in optimizers().iter().enumerate() {
        for seed in 1..4 {
            let reference = whole(sgd, seed, 1.0 / 37.0);
            for cut in &cuts {
                assert!(
                    by_pieces(sgd, seed, 1.0 / 37.0, cut) == reference,
                    "optimizer {n}, seed {seed}, cuts {cut:?}"
                );
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[test]
fn a_piece_shorter_than_min_piece_rounds_differently() {
    // The control: the comparison above sees a single rounding. A piece of 100 elements goes
    // through the portable loop (multiply, then add) where the long slice's kernel fuses
    // the multiply-add, so on a CPU with FMA some element differs.
    if !(std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma")) {
        return;
    }
    let sgd = Sgd::new(0.37);
    let reference = whole(&sgd, 1, 1.0 / 37.0);
    assert!(by_pieces(&sgd, 1, 1.0 / 37.0, &[1000, 1100]) != reference);
    const { assert!(ElementwiseStep::MIN_PIECE > 100) };
}

#[test]
fn optimizers_with_state_have_no_rule() {
    let adam = Adam::<f32, Grad>::new(1e-3);
    assert!(ParamsOptimizer::<Net, Grad>::elementwise(&adam).is_none());
    let momentum: SgdMomentum<f32, Grad> = Sgd::new(0.1).momentum(0.9);
    assert!(ParamsOptimizer::<Net, Grad>::elementwise(&momentum).is_none());
}

/// Cuts each tensor at `at` (offsets inside it) and runs the pieces last first; with
/// `drop_last`, leaves the tensor's last element out (a broken cut, for the control).
struct Cuts {
    at: Vec<usize>,
    drop_last: bool,
}

impl Pieces for Cuts {
    fn run<T: Float, F, const N: usize>(&self, slices: [&mut [T]; N], f: &F) -> [bool; N]
    where
        F: Fn([&mut [T]; N]) -> [bool; N] + Sync,
    {
        let len = slices[0].len();
        let mut pieces = Vec::new();
        let mut rest = slices;
        let mut start = 0;
        for end in self
            .at
            .iter()
            .copied()
            .filter(|&c| c > 0 && c < len)
            .chain([len])
        {
            let mut piece: [&mut [T]; N] = core::array::from_fn(|_| Default::default());
            let mut after: [&mut [T]; N] = core::array::from_fn(|_| Default::default());
            for (s, (a, b)) in rest.into_iter().zip(piece.iter_mut().zip(after.iter_mut())) {
                (*a, *b) = s.split_at_mut((end - start).min(s.len()));
            }
            pieces.push(piece);
            (rest, start) = (after, end);
        }
        let mut flags = [true; N];
        let last = pieces.len() - 1;
        for (k, piece) in pieces.into_iter().enumerate().rev() {
            let piece = match self.drop_last && k == last {
                true => piece.map(|s| {
                    let n = s.len().saturating_sub(1);
                    &mut s[..n]
                }),
                false => piece,
            };
            let r = f(piece);
            flags = core::array::from_fn(|i| flags[i] && r[i]);
        }
        flags
    }
}

/// Three steps of `opt` on fresh gradients, through `step_consume` or (with `cuts`) through
/// `step_pieces`: the weights after each.
fn cut_steps<O: Optimizer<Net> + Clone>(opt: &O, cuts: Option<&Cuts>) -> Vec<Vec<u32>> {
    let (mut net, _) = start(1);
    let mut opt = opt.clone();
    (2..5)
        .map(|seed| {
            let (_, mut grads) = start(seed);
            let result = match cuts {
                Some(cuts) => {
                    Optimizer::<Net>::step_pieces(&mut opt, &mut net, &mut grads, 0.25, cuts)
                        .expect("the optimizer has the cut form")
                }
                None => Optimizer::<Net>::step_consume(&mut opt, &mut net, &mut grads, 0.25),
            };
            result.unwrap();
            if !cuts.is_some_and(|c| c.drop_last) {
                assert!((0..4).all(|i| grads.tensor(i).iter().all(|&g| g == 0.0)));
            }
            bits(&net)
        })
        .collect()
}

/// `opt`'s steps through several cuts against its uncut steps, and the control.
fn cut_is_uncut<O: Optimizer<Net> + Clone>(name: &str, opt: &O) {
    let reference = cut_steps(opt, None);
    for at in [vec![], vec![1], vec![7, 100, 255, 4096, 5999], vec![3000]] {
        let cuts = Cuts {
            at,
            drop_last: false,
        };
        assert!(
            cut_steps(opt, Some(&cuts)) == reference,
            "{name}, cuts {:?}",
            cuts.at
        );
    }
    // The control: a cut that leaves out one element per tensor is seen.
    let broken = Cuts {
        at: vec![3000],
        drop_last: true,
    };
    assert!(
        cut_steps(opt, Some(&broken)) != reference,
        "{name}: the control passed"
    );
}

#[test]
fn optimizers_with_state_cut_into_pieces_are_the_uncut_step_bit_for_bit() {
    let adams = [
        Adam::<f32, Grad>::new(1e-2),
        Adam::new(1e-2).weight_decay(0.01).l1(1e-3).regularize_all(),
        Adam::new(1e-2).decoupled_weight_decay(0.1),
    ];
    for (n, adam) in adams.iter().enumerate() {
        cut_is_uncut(&format!("Adam {n}"), adam);
    }
    cut_is_uncut("RMSprop", &RmsProp::<f32, Grad>::new(1e-2).l1(1e-3));
    let centered = RmsProp::<f32, Grad>::new(1e-2).momentum(0.9).centered();
    cut_is_uncut("RMSprop centered with momentum", &centered);
    let adagrad = Adagrad::<f32, Grad>::new(0.1).lr_decay(0.01);
    cut_is_uncut(
        "Adagrad",
        &adagrad.initial_accumulator(0.1).weight_decay(0.01),
    );
    // AdamW is Adam with decoupled decay: its cut step is Adam's.
    let mut adamw = AdamW::<f32, Grad>::new(1e-2).weight_decay(0.1);
    let mut adam = Adam::<f32, Grad>::new(1e-2).decoupled_weight_decay(0.1);
    let (mut a, mut ga) = start(1);
    let (mut b, mut gb) = start(1);
    let cuts = Cuts {
        at: vec![3000],
        drop_last: false,
    };
    Optimizer::<Net>::step_pieces(&mut adamw, &mut a, &mut ga, 0.25, &cuts)
        .unwrap()
        .unwrap();
    Optimizer::<Net>::step_consume(&mut adam, &mut b, &mut gb, 0.25).unwrap();
    assert!(bits(&a) == bits(&b));
    let plain = Sgd::<f32>::new(0.1);
    const { assert!(!<Sgd<f32> as ParamsOptimizer<Net, Grad>>::PIECES) };
    assert!(Optimizer::<Net>::step_pieces(
        &mut plain.clone(),
        &mut *start(1).0,
        &mut *start(1).1,
        1.0,
        &Whole
    )
    .is_none());
}
