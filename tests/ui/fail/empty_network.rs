use dl_core::prelude::*;

network! {
    pub struct Nothing {}
}

fn main() {}
