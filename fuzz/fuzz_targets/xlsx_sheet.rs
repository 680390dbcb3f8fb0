//! See `innomesh_fuzz::targets::xlsx_sheet` (fuzz/src/targets.rs) for what this target feeds and checks.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| innomesh_fuzz::targets::xlsx_sheet(data));
