//! The architecture fingerprint: FNV-1a over a network's layer table, computed in `const`.

use crate::summary::Summary;

const FNV_OFFSET: u64 = 0xCBF2_9CE4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01B3;

const fn fnv_byte(h: u64, b: u8) -> u64 {
    (h ^ b as u64).wrapping_mul(FNV_PRIME)
}

const fn fnv_u64(mut h: u64, v: u64) -> u64 {
    let b = v.to_le_bytes();
    let mut i = 0;
    while i < 8 {
        h = fnv_byte(h, b[i]);
        i += 1;
    }
    h
}

const fn fnv_shape(mut h: u64, shape: &[usize]) -> u64 {
    h = fnv_u64(h, shape.len() as u64);
    let mut i = 0;
    while i < shape.len() {
        h = fnv_u64(h, shape[i] as u64);
        i += 1;
    }
    h
}

/// The architecture fingerprint of a layer table: FNV-1a over the input shape and, for each
/// layer, its text without whitespace, its output shape and its parameter count, each
/// length-prefixed so no two tables run together into the same bytes. Names are left out.
pub const fn fingerprint(summary: &Summary) -> u64 {
    let mut h = fnv_shape(FNV_OFFSET, summary.input);
    h = fnv_u64(h, summary.layers.len() as u64);
    let mut l = 0;
    while l < summary.layers.len() {
        let layer = &summary.layers[l];
        let text = layer.layer.as_bytes();
        let mut i = 0;
        while i < text.len() {
            if !text[i].is_ascii_whitespace() {
                h = fnv_byte(h, text[i]);
            }
            i += 1;
        }
        h = fnv_byte(h, 0);
        h = fnv_shape(h, layer.output);
        h = fnv_u64(h, layer.params as u64);
        l += 1;
    }
    h
}
