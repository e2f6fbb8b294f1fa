//! How the optimizer traits connect: every [`ParamsOptimizer`] over a network and its
//! gradient is an [`Optimizer`] of that network (its checked, transactional steps are written
//! here once), and `&mut O` is whatever `O` is, so the training functions can borrow one.

use super::{ElementwiseStep, Optimizer, OptimizerBase, ParamsOptimizer, Pieces};
use crate::error::Error;
use crate::float::Float;
use crate::network::{Network, Params};

impl<O: OptimizerBase> OptimizerBase for &mut O {
    const STATE_BYTES: usize = O::STATE_BYTES;
    #[inline]
    fn learning_rate(&self) -> f64 {
        (**self).learning_rate()
    }
    #[inline]
    fn set_learning_rate(&mut self, lr: f64) {
        (**self).set_learning_rate(lr);
    }
    #[inline]
    fn steps(&self) -> u64 {
        (**self).steps()
    }
    #[inline]
    fn reset(&mut self) {
        (**self).reset();
    }
    #[inline]
    fn end_epoch(&mut self) {
        (**self).end_epoch();
    }
    #[inline]
    fn validate(&self) -> Result<(), Error> {
        (**self).validate()
    }
    #[inline]
    fn sgd_rate(&self) -> Option<f64> {
        (**self).sgd_rate()
    }
    #[inline]
    fn sgd_applied(&mut self) {
        (**self).sgd_applied();
    }
}

impl<P, G, O: ParamsOptimizer<P, G>> ParamsOptimizer<P, G> for &mut O {
    #[inline]
    fn update(&mut self, params: &mut P, grads: &G) {
        (**self).update(params, grads);
    }
    #[inline]
    fn update_consume(
        &mut self,
        params: &mut P,
        grads: &mut G,
        scale: f64,
    ) -> Option<Result<(), Error>> {
        (**self).update_consume(params, grads, scale)
    }
    #[inline]
    fn update_discard(
        &mut self,
        params: &mut P,
        grads: &mut G,
        scale: f64,
    ) -> Option<Result<(), Error>> {
        (**self).update_discard(params, grads, scale)
    }
    #[inline]
    fn check_update(&self, params: &P, grads: &G, scale: f64) -> Result<(), Error> {
        (**self).check_update(params, grads, scale)
    }
    #[inline]
    fn prepare(&mut self) {
        (**self).prepare();
    }
    #[inline]
    fn elementwise(&self) -> Option<ElementwiseStep> {
        (**self).elementwise()
    }
    #[inline]
    fn applied_elementwise(&mut self) {
        (**self).applied_elementwise();
    }
    const PIECES: bool = O::PIECES;
    #[inline]
    fn update_pieces<Q: Pieces>(
        &mut self,
        params: &mut P,
        grads: &mut G,
        scale: f64,
        pieces: &Q,
    ) -> Option<Result<(), Error>> {
        (**self).update_pieces(params, grads, scale, pieces)
    }
}

impl<N: Network, O: ParamsOptimizer<N, N::Gradient>> Optimizer<N> for O {
    #[inline]
    fn step(&mut self, net: &mut N, grads: &N::Gradient) -> Result<(), Error> {
        self.prepare();
        self.check_update(net, grads, 1.0)?;
        self.update(net, grads);
        Ok(())
    }

    #[inline]
    fn step_consume(
        &mut self,
        net: &mut N,
        grads: &mut N::Gradient,
        scale: N::Scalar,
    ) -> Result<(), Error> {
        self.prepare();
        if let Some(result) = self.update_consume(net, grads, scale.as_f64()) {
            return result;
        }
        step_unfused(self, net, grads, scale)
    }

    #[inline]
    fn step_discard(
        &mut self,
        net: &mut N,
        grads: &mut N::Gradient,
        scale: N::Scalar,
    ) -> Result<(), Error> {
        self.prepare();
        if let Some(result) = self.update_discard(net, grads, scale.as_f64()) {
            return result;
        }
        step_unfused(self, net, grads, scale)
    }

    #[inline]
    fn prepare_elementwise(&mut self) -> Option<ElementwiseStep> {
        self.elementwise()?;
        self.prepare();
        self.elementwise()
    }

    #[inline]
    fn commit_elementwise(&mut self) {
        self.applied_elementwise();
    }

    #[inline]
    fn step_pieces<Q: Pieces>(
        &mut self,
        net: &mut N,
        grads: &mut N::Gradient,
        scale: N::Scalar,
        pieces: &Q,
    ) -> Option<Result<(), Error>> {
        if !O::PIECES {
            return None;
        }
        self.prepare();
        self.update_pieces(net, grads, scale.as_f64(), pieces)
    }
}

/// The step of an optimizer without a fused pass (its `update_consume` and `update_discard`
/// gave `None`), after `prepare`: check, scale the gradient, update, zero the gradient; on a
/// refused update only the zeroing.
#[inline]
fn step_unfused<N: Network, O: ParamsOptimizer<N, N::Gradient>>(
    opt: &mut O,
    net: &mut N,
    grads: &mut N::Gradient,
    scale: N::Scalar,
) -> Result<(), Error> {
    if let Err(e) = opt.check_update(net, grads, scale.as_f64()) {
        grads.fill(N::Scalar::ZERO);
        return Err(e);
    }
    if scale != N::Scalar::ONE {
        for i in 0..N::Gradient::TENSORS {
            for g in grads.tensor_mut(i) {
                *g *= scale;
            }
        }
    }
    opt.update(net, grads);
    grads.fill(N::Scalar::ZERO);
    Ok(())
}
