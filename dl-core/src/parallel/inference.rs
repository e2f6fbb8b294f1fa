//! The engine's inference half: [`evaluate`](Parallel::evaluate),
//! [`forward_losses`](Parallel::forward_losses) and [`predict`](Parallel::predict), each
//! sample's forward pass computed alone, so the results are those of the serial functions
//! bit for bit whatever the thread count.

use super::Parallel;
use crate::error::{Error, Operand};
use crate::fit::{Data, Evaluation};
use crate::float::Float;
use crate::loss::Loss;
use crate::metrics::{Metric, MetricState};
use crate::network::{Network, Vector};
use crate::train::Workspace;
use rayon::prelude::*;

impl<N: Network + Sync + Send> Parallel<N>
where
    N::Input: Sync,
    N::Output: Send + Sync,
    Workspace<N>: Send + Sync,
{
    /// [`evaluate`](crate::fit::evaluate) across the pool: the same value bit for bit (each
    /// sample's loss is computed alone, then summed and counted in sample order).
    pub fn evaluate<L: Loss, M: Metric>(
        &mut self,
        net: &N,
        data: Data<'_, N::Input, N::Output>,
    ) -> Evaluation<N::Scalar> {
        let mut losses = std::vec![0.0f64; data.len()];
        let mut outputs = std::vec![<N::Output as Vector<N::Scalar>>::ZERO; data.len()];
        self.forward_losses::<L>(
            net,
            data.inputs(),
            data.targets(),
            &mut losses,
            &mut outputs,
        );
        let mut metric = M::State::<N::Scalar, N::Output>::new();
        for (o, y) in outputs.iter().zip(data.targets()) {
            metric.add(o, y);
        }
        let total = losses.iter().fold(0.0, |sum, l| sum + l);
        Evaluation {
            loss: N::Scalar::cast(total / data.len() as f64),
            metric: metric.value(),
        }
    }

    /// Each sample's loss `L` (as `f64`) and output, computed across the pool (on the
    /// calling thread for an engine of one thread), in order. Slices beyond the shortest are
    /// ignored.
    pub fn forward_losses<L: Loss>(
        &mut self,
        net: &N,
        inputs: &[N::Input],
        targets: &[N::Output],
        losses: &mut [f64],
        outputs: &mut [N::Output],
    ) {
        let n = inputs
            .len()
            .min(targets.len())
            .min(losses.len())
            .min(outputs.len());
        if n == 0 {
            return;
        }
        let (inputs, targets) = (&inputs[..n], &targets[..n]);
        let (losses, outputs) = (&mut losses[..n], &mut outputs[..n]);
        let eval = |ws: &mut Workspace<N>,
                    xs: &[N::Input],
                    ys: &[N::Output],
                    losses: &mut [f64],
                    outputs: &mut [N::Output]| {
            for (((x, y), loss), out) in xs.iter().zip(ys).zip(losses).zip(outputs) {
                net.forward_eval(x, &mut ws.cache);
                *loss = N::loss::<L>(&ws.cache, y).as_f64();
                out.clone_from(N::output(&ws.cache));
            }
        };
        if self.on_caller(n) {
            return eval(&mut self.shards[0], inputs, targets, losses, outputs);
        }
        let per = n.div_ceil(self.threads);
        let workspaces = &mut self.shards[..n.div_ceil(per)];
        self.pool.install(|| {
            workspaces
                .par_iter_mut()
                .zip(inputs.par_chunks(per))
                .zip(targets.par_chunks(per))
                .zip(losses.par_chunks_mut(per))
                .zip(outputs.par_chunks_mut(per))
                .for_each(|((((ws, xs), ys), losses), outputs)| eval(ws, xs, ys, losses, outputs));
        });
    }

    /// [`predict`](crate::fit::predict) across the pool (on the calling thread for an engine
    /// of one thread): `outputs[i] = net.forward(inputs[i])`.
    ///
    /// Errors: [`Error::Length`] if `outputs` is not as long as `inputs`.
    pub fn predict(
        &self,
        net: &N,
        inputs: &[N::Input],
        outputs: &mut [N::Output],
    ) -> Result<(), Error> {
        if inputs.len() != outputs.len() {
            return Err(Error::Length {
                what: Operand::Outputs,
                expected: inputs.len(),
                found: outputs.len(),
            });
        }
        let forward = |xs: &[N::Input], ys: &mut [N::Output]| {
            for (x, y) in xs.iter().zip(ys) {
                *y = net.forward(x);
            }
        };
        if self.on_caller(inputs.len()) {
            forward(inputs, outputs);
            return Ok(());
        }
        let per = inputs.len().div_ceil(self.threads).max(1);
        self.pool.install(|| {
            inputs
                .par_chunks(per)
                .zip(outputs.par_chunks_mut(per))
                .for_each(|(xs, ys)| forward(xs, ys));
        });
        Ok(())
    }
}
