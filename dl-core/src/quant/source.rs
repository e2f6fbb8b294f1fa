//! Quantised layers as Rust constant expressions, for build scripts and macros that compile a
//! model's weights into flash (`static NET: ... = <expression>;`). `std` only.

use super::conv2d::qconv2d_impl;
use super::pool2d::qpool2d_impl;
use super::{Multiplier, QDense, QFlatten, QSigmoid, QSoftmax, QTanh, QuantParams};
use std::format;
use std::string::String;

/// A value written as a Rust expression that evaluates, in a `const` context, to an equal
/// value (paths start at `::dl_core::quant`).
pub trait ConstSource {
    /// The expression.
    fn const_source(&self) -> String;
}

fn params(q: QuantParams) -> String {
    // `{:?}` prints the shortest decimal that reads back as the same f32.
    format!(
        "::dl_core::quant::QuantParams {{ scale: {:?}, zero_point: {} }}",
        q.scale, q.zero_point
    )
}

fn rescales(m: &[Multiplier]) -> String {
    let items: std::vec::Vec<String> = m
        .iter()
        .map(|m| {
            format!(
                "::dl_core::quant::Multiplier::new({}, {}).unwrap()",
                m.multiplier(),
                m.shift()
            )
        })
        .collect();
    format!("[{}]", items.join(", "))
}

impl<const I: usize, const O: usize> ConstSource for QDense<I, O> {
    fn const_source(&self) -> String {
        format!(
            "::dl_core::quant::QDense::from_raw({:?}, {:?}, {}, {}, {}, {}, {})",
            self.weight,
            self.bias,
            rescales(&self.rescale),
            params(self.input),
            params(self.output),
            self.act_min,
            self.act_max
        )
    }
}

qconv2d_impl! { ConstSource for {
    fn const_source(&self) -> String {
        format!(
            "::dl_core::quant::QConv2D {{ weight: {:?}, bias: {:?}, rescale: {}, input: {}, \
             output: {}, act_min: {}, act_max: {} }}",
            self.weight,
            self.bias,
            rescales(&self.rescale),
            params(self.input),
            params(self.output),
            self.act_min,
            self.act_max
        )
    }
}}

qpool2d_impl! { ConstSource for {
    fn const_source(&self) -> String {
        format!(
            "::dl_core::quant::{}::clamped({}, {})",
            R::TYPE,
            self.act_min,
            self.act_max
        )
    }
}}

impl<const C: usize, const H: usize, const W: usize, const N: usize> ConstSource
    for QFlatten<C, H, W, N>
{
    fn const_source(&self) -> String {
        "::dl_core::quant::QFlatten".into()
    }
}

macro_rules! lookup_source {
    ($layer:ident) => {
        impl<const N: usize> ConstSource for $layer<N> {
            fn const_source(&self) -> String {
                format!(
                    concat!(
                        "::dl_core::quant::",
                        stringify!($layer),
                        "::from_table({}, {}, {:?})"
                    ),
                    params(self.input),
                    params(self.output),
                    self.table
                )
            }
        }
    };
}
lookup_source!(QSigmoid);
lookup_source!(QTanh);

impl<const N: usize> ConstSource for QSoftmax<N> {
    fn const_source(&self) -> String {
        format!(
            "::dl_core::quant::QSoftmax::from_raw({}, {})",
            params(self.input),
            rescales(&[self.rescale]).trim_matches(['[', ']'])
        )
    }
}

impl ConstSource for QuantParams {
    fn const_source(&self) -> String {
        params(*self)
    }
}
