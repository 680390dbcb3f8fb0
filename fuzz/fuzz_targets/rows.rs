//! See `innomesh_fuzz::targets::rows` (fuzz/src/targets.rs) for what this target feeds and checks.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| innomesh_fuzz::targets::rows(data));
