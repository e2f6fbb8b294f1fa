//! Heap scratch for by-value calls over the [stack budget](crate::stack), in builds with a
//! heap: the intermediates go to a zeroed allocation ([`zeroed::boxed`]), so a plain
//! `net.forward(&x)` works at any size, as `model(x)` does in PyTorch. Under the budget these
//! functions are never called and nothing is allocated.
//!
//! [`zeroed::boxed`]: crate::zeroed::boxed

use crate::network::Network;
use crate::zeroed;

/// [`Network::forward`] through a heap cache: [`Network::forward_eval`] fills it, and the
/// output is read back from it.
pub fn forward<N: Network>(net: &N, x: &N::Input) -> N::Output {
    let mut cache = zeroed::boxed::<N::Cache>();
    net.forward_eval(x, &mut cache);
    N::output(&cache).clone()
}

/// A zeroed cache on the heap, for [`evaluate`](crate::fit::evaluate) and
/// [`predict`](crate::fit::predict) over the budget (one for the whole data set).
pub fn cache<N: Network>() -> alloc::boxed::Box<N::Cache> {
    zeroed::boxed::<N::Cache>()
}
