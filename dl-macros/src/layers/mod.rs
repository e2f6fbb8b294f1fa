//! The layer kinds, one file a kind, mirroring `dl_core::layer`. Each file reads its
//! arguments (`parse`) and implements [`LayerKind`]: its shapes, types and parameter count.
//! Adding a kind is a file here and a line in [`KINDS`].

mod avg_pool2d;
mod conv2d;
mod dense;
mod dropout;
mod flatten;
mod global_avg_pool2d;
mod max_pool2d;
mod pool_windows;

use crate::args::Args;
use crate::model::LayerKind;

/// A layer kind: its name as written, its usage for messages, and its parser.
struct Kind {
    name: &'static str,
    usage: &'static str,
    parse: fn(&mut Args) -> Option<Box<dyn LayerKind>>,
}

const KINDS: &[Kind] = &[
    Kind {
        name: "Dense",
        usage: dense::USAGE,
        parse: dense::parse,
    },
    Kind {
        name: "Conv2D",
        usage: conv2d::USAGE,
        parse: conv2d::parse,
    },
    Kind {
        name: "MaxPool2D",
        usage: max_pool2d::USAGE,
        parse: max_pool2d::parse,
    },
    Kind {
        name: "AvgPool2D",
        usage: avg_pool2d::USAGE,
        parse: avg_pool2d::parse,
    },
    Kind {
        name: "GlobalAvgPool2D",
        usage: global_avg_pool2d::USAGE,
        parse: global_avg_pool2d::parse,
    },
    Kind {
        name: "Flatten",
        usage: flatten::USAGE,
        parse: flatten::parse,
    },
    Kind {
        name: "Dropout",
        usage: dropout::USAGE,
        parse: dropout::parse,
    },
];

/// Reads a layer of the kind its declaration names; an unknown kind is reported.
pub fn parse(args: &mut Args) -> Option<Box<dyn LayerKind>> {
    let name = args.decl.kind.to_string();
    match KINDS.iter().find(|k| k.name == name) {
        Some(kind) => (kind.parse)(args),
        None => {
            let number = args.number;
            args.errors.push(
                &args.decl.kind,
                format!(
                    "layer {number}: unknown layer `{name}`; the layers are {}",
                    list()
                ),
            );
            None
        }
    }
}

/// Every kind's usage: `Dense<inputs, outputs, activation>, ... and Dropout<rate>`.
fn list() -> String {
    let usages: Vec<&str> = KINDS.iter().map(|k| k.usage).collect();
    let (last, rest) = usages.split_last().expect("there are layer kinds");
    format!("{} and {last}", rest.join(", "))
}
