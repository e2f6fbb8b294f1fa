//! Fuzz target `image_decode`: every input, as the file of an image folder, through
//! [`dl_fuzz::image_checks::image_decode`]: `decode_image` under three settings (grayscale
//! resize; RGB resize, crop and seeded flip/shift/rotation with mean/std; RGB crop without
//! resize), asserting no panic, errors that name the file and write nothing, finite values in
//! range, and agreement between the settings. Seed corpus: `fuzz/corpus/image_decode`
//! (small PNGs and JPEGs with near misses; `DL_WRITE_FUZZ_SEEDS=1 cargo test -p dl-tests
//! --test fuzz_corpus` rewrites it).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| dl_fuzz::image_checks::image_decode(data));
