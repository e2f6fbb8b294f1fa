//! The macro that declares a backward pass's three forms (by value, `_in`, `_on_stack`) in
//! [`Network`](super::Network), so their argument lists are written once.

/// Declares a backward pass in its three forms, which share one argument list (the input,
/// the filled cache, `dL/d(output)` or the target, the gradient accumulator, the optional
/// `dL/dx`):
///
/// - the by-value form, a default method that picks its memory at compile time: the
///   gradients between layers on the stack under the [stack budget](crate::stack), or in a
///   heap `Batch` over it (with `alloc`), through the other two forms;
/// - the `_in` form, with those gradients in the caller's `batch` buffers;
/// - the `_on_stack` form (hidden), with them on the stack whatever the budget.
macro_rules! backward_forms {
    (
        $(#[$doc:meta])*
        fn $by_value:ident $(<$L:ident>)? ($target:ident) $(-> $ret:ty)?;
        $(#[$in_doc:meta])*
        fn $in_batch:ident;
        $(#[$stack_doc:meta])*
        fn $on_stack:ident;
    ) => {
        $(#[$doc])*
        #[inline]
        fn $by_value $(<$L: Loss>)? (
            &self,
            x: &Self::Input,
            cache: &Self::Cache,
            $target: &Self::Output,
            grads: &mut Self::Gradient,
            d_input: Option<&mut Self::Input>,
        ) $(-> $ret)?
        where
            Self: ByValue,
        {
            #[cfg(feature = "alloc")]
            if Self::BACKWARD_STACK_BYTES > Self::STACK_BUDGET {
                let mut batch = crate::zeroed::boxed::<Self::Batch>();
                return self.$in_batch $(::<$L>)? (x, cache, $target, grads, d_input, &mut batch);
            }
            self.$on_stack $(::<$L>)? (x, cache, $target, grads, d_input)
        }

        $(#[$in_doc])*
        fn $in_batch $(<$L: Loss>)? (
            &self,
            x: &Self::Input,
            cache: &Self::Cache,
            $target: &Self::Output,
            grads: &mut Self::Gradient,
            d_input: Option<&mut Self::Input>,
            batch: &mut Self::Batch,
        ) $(-> $ret)?;

        $(#[$stack_doc])*
        #[doc(hidden)]
        fn $on_stack $(<$L: Loss>)? (
            &self,
            x: &Self::Input,
            cache: &Self::Cache,
            $target: &Self::Output,
            grads: &mut Self::Gradient,
            d_input: Option<&mut Self::Input>,
        ) $(-> $ret)?;
    };
}
