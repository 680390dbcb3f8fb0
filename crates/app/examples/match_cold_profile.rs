//! Where the first match after start spends its time, on a registry made by
//! `innomesh demo --scale N --no-serve`.
//!
//! `cargo run --release -p innomesh-app --example match_cold_profile -- DATA_DIR/innomesh.db`

use innomesh_app::{App, Config, Principal};
use innomesh_core::EntityKind;
use innomesh_store::{Repository, SqliteStore};
use std::sync::Arc;
use std::time::Instant;

fn hwm_gb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0 / 1024.0)
}

fn timed<T>(what: &str, f: impl FnOnce() -> T) -> T {
    let t = Instant::now();
    let out = f();
    println!(
        "{what:48} {:8.3} s   (peak {:.2} GB)",
        t.elapsed().as_secs_f64(),
        hwm_gb()
    );
    out
}

fn main() {
    let path = std::env::args()
        .nth(1)
        .expect("usage: match_cold_profile DATA_DIR/innomesh.db");
    let store = timed("open", || {
        SqliteStore::open(std::path::Path::new(&path)).expect("open")
    });
    let demand = store
        .list(&innomesh_store::ListQuery::new(EntityKind::Demand))
        .expect("demands")
        .records
        .into_iter()
        .next()
        .expect("a demand")
        .id()
        .to_string();
    let app = App::new(Arc::new(store), Config::default());
    let who = Principal::local("profile");
    timed("chain mapping", || {
        innomesh_app::chains::loaded(&app)
            .map(|_| ())
            .expect("chains")
    });
    let hits = timed("first match (solver index + rank)", || {
        app.match_demand(&who, &demand, 20).expect("match")
    });
    println!("   {} hits for {demand}", hits.1.len());
    timed("second match", || {
        app.match_demand(&who, &demand, 20).expect("match")
    });
}
