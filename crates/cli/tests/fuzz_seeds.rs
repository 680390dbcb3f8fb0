//! Replays the fuzz seed corpus (`fuzz/corpus/<target>/`, including every input a fuzz run ever
//! crashed on, kept there as a regression) through the fuzz targets' own code in `cargo test`:
//! fuzzing itself is too slow for CI (`bench/fuzz.sh`), the replay is not.

#[path = "../../../fuzz/src/targets.rs"]
mod targets;

use std::path::Path;

#[test]
fn every_seed_of_every_fuzz_target_runs_without_a_panic() {
    // A panic the readers catch themselves (`innomesh_sheets::read`) counts too, as under
    // libFuzzer, whose panic hook aborts.
    static PANICS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        PANICS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        previous(info);
    }));
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus");
    let mut total = 0;
    for (name, run) in targets::ALL {
        let dir = root.join(name);
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .flatten()
            .map(|e| e.path())
            .collect();
        files.sort();
        assert!(!files.is_empty(), "{name}: no seeds");
        for f in files {
            let bytes = std::fs::read(&f).unwrap();
            let outcome = std::panic::catch_unwind(|| run(&bytes));
            assert!(outcome.is_ok(), "{name}: {} panicked", f.display());
            total += 1;
        }
    }
    assert!(total >= 6 * 3, "{total} seeds");
    let panics = PANICS.load(std::sync::atomic::Ordering::SeqCst);
    assert_eq!(
        panics, 0,
        "panics while replaying the seeds (see the output above)"
    );
}
