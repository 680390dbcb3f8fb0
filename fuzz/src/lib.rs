//! The fuzz targets' bodies, as plain functions: `fuzz_targets/*.rs` call them under libFuzzer,
//! and `crates/cli/tests/fuzz_seeds.rs` replays the seed corpus through the same code in
//! `cargo test` (this file is included there by path, so it uses only the workspace's crates,
//! `zip` and `serde_json`).
pub mod targets;
