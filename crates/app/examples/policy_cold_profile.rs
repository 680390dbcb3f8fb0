//! Where the cold 政策找企业 path spends its time, stage by stage, on a registry made by
//! `innomesh demo --scale N --no-serve`: first what the previous path read (every organisation and
//! achievement as a whole record, every entered fact with who entered it), then what this one
//! reads (enterprise profiles, patent counts, one fact key at a time through the index), then the
//! application's first answers (each rule's counts: enterprises + columns + classification) and
//! the same after one entered fact.
//!
//! `cargo run --release -p innomesh-app --example policy_cold_profile -- DATA_DIR/innomesh.db`
//! (opening the file applies pending migrations, and the last stage enters one fact: use a copy).

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
        "{what:64} {:8.3} s   (peak {:.2} GB)",
        t.elapsed().as_secs_f64(),
        hwm_gb()
    );
    out
}

fn main() {
    let path = std::env::args()
        .nth(1)
        .expect("usage: policy_cold_profile DATA_DIR/innomesh.db");
    let store = timed("open (and migrate)", || {
        SqliteStore::open(std::path::Path::new(&path)).expect("open")
    });
    let home = store
        .meta("home_region")
        .ok()
        .flatten()
        .unwrap_or_else(|| "1502".into());
    let previous = std::env::var("SKIP_PREVIOUS").is_err();
    if previous {
        println!("-- previous path (whole records)");
        let n = timed("all organisations, decoded records", || {
            store.all(EntityKind::Organisation).expect("orgs").len()
        });
        println!("   {n} organisations");
        let n = timed("all achievements, decoded (patent counts)", || {
            store.all(EntityKind::Achievement).expect("ach").len()
        });
        println!("   {n} achievements");
        let n = timed("every entered fact, latest per key, 8 columns", || {
            store.policy_facts(None).expect("facts").len()
        });
        println!("   {n} entered facts");
    }
    println!("-- this path (what a rule reads)");
    let n = timed(
        "enterprise profiles (indexed fields + six JSON fields)",
        || {
            store
                .enterprise_profiles(&home, None)
                .expect("profiles")
                .len()
        },
    );
    println!("   {n} enterprises");
    let n = timed("patent counts (references table)", || {
        store.patent_counts(None).expect("patents").len()
    });
    println!("   {n} owners of patents");
    let rule = innomesh_policy::Rule::from_yaml(
        innomesh_policy::SHIPPED
            .iter()
            .find(|(id, _)| *id == "hitech_certification")
            .expect("shipped")
            .1,
    )
    .expect("rule");
    for def in &rule.facts {
        let n = timed(&format!("entered values of {} (by key)", def.key), || {
            store
                .latest_fact_values(&def.key, None)
                .expect("values")
                .len()
        });
        if n > 0 {
            println!("   {n} values");
        }
    }
    println!("-- the application's first answers");
    let app = App::new(Arc::new(store), Config::default());
    let who = Principal::local("profile");
    let rules = app.policy_rules(&who).expect("rules");
    for e in &rules {
        let c = timed(&format!("first counts, {}", e.rule.id), || {
            app.policy_counts(&who, &e.rule.id).expect("counts")
        });
        println!(
            "   {} enterprises: {} eligible, {} 差一项, {} 待补充",
            c.total, c.eligible, c.near_miss, c.unknown
        );
    }
    let first = app
        .policy_matches(
            &who,
            &rules[0].rule.id,
            innomesh_app::policy::ListPage::default(),
        )
        .expect("matches");
    let org = first
        .unknown
        .first()
        .or(first.near_miss.first())
        .or(first.automatic.first())
        .map(|r| r.org.clone())
        .expect("an enterprise");
    timed("one fact entered (the write)", || {
        app.set_org_facts(
            &who,
            &org,
            &[innomesh_app::policy::FactInput {
                key: "innovation_score".into(),
                value: serde_json::json!(77),
            }],
            None,
            "profile",
        )
        .expect("write")
    });
    for e in &rules {
        timed(
            &format!("first counts after the write, {}", e.rule.id),
            || app.policy_counts(&who, &e.rule.id).expect("counts"),
        );
    }
}
