//! CRC-32 (IEEE), computable in `const`.

use super::{CHECKSUM_AT, HEADER_BYTES};

/// CRC-32 lookup table for the reflected IEEE polynomial `0xEDB88320`, built at compile time.
const CRC_TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut n = 0;
    while n < 256 {
        let mut c = n as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            k += 1;
        }
        table[n] = c;
        n += 1;
    }
    table
};

/// Feeds `bytes[from..to]` into a running CRC-32 state.
const fn crc_update(mut state: u32, bytes: &[u8], from: usize, to: usize) -> u32 {
    let mut i = from;
    while i < to {
        state = CRC_TABLE[((state ^ bytes[i] as u32) & 0xFF) as usize] ^ (state >> 8);
        i += 1;
    }
    state
}

/// CRC-32 (IEEE 802.3, as zlib's `crc32`) of `bytes`.
pub const fn crc32(bytes: &[u8]) -> u32 {
    !crc_update(!0, bytes, 0, bytes.len())
}

/// CRC-32 of `bytes` with `bytes[from..to]` (a checksum field) skipped.
pub(crate) const fn crc32_without(bytes: &[u8], from: usize, to: usize) -> u32 {
    let state = crc_update(!0, bytes, 0, from);
    !crc_update(state, bytes, to, bytes.len())
}

/// CRC-32 of an image with its checksum field skipped. `image` is at least a header long.
pub(super) const fn image_crc(image: &[u8]) -> u32 {
    let state = crc_update(!0, image, 0, CHECKSUM_AT);
    !crc_update(state, image, HEADER_BYTES, image.len())
}
