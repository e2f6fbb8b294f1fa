use dl_core::prelude::*;

// Derives the layers cannot support are refused, each with its reason; the ones the macro
// makes itself (Clone, Debug, PartialEq) are accepted.
network! {
    #[derive(Clone, Default, serde::Serialize, Eq)]
    pub struct Net {
        Dense<2, 1, Sigmoid>,
    }
}

fn main() {}
