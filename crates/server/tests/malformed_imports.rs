//! Every file of the malformed corpus (tests/support/malformed.rs, ≥ 150 files) imported through
//! the command line's path (`App::import_file` as the local operator, what `innomesh import`
//! calls) and posted to every import endpoint of the API: no panic anywhere (even a caught one),
//! no 5xx, nothing written (registry version and every count unchanged), and every refusal names
//! the row, column or limit where the corpus says one exists.

mod support;

use axum::body::Body;
use axum::http::{header, Request};
use http_body_util::BodyExt;
use innomesh_app::transfer::NoProgress;
use innomesh_app::{Principal, Role};
use innomesh_core::EntityKind;
use innomesh_server::AppState;
use innomesh_sheets::Format;
use innomesh_store::{Repository, SqliteStore};
use serde_json::Value;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;
use support::malformed::{corpus, org_row, Broken};
use tower::ServiceExt;

static PANICS: AtomicUsize = AtomicUsize::new(0);

fn counts(store: &SqliteStore) -> Vec<usize> {
    EntityKind::ALL
        .iter()
        .map(|k| store.count(*k).unwrap())
        .collect()
}

fn row_errors_text(errors: &[Value]) -> String {
    errors
        .iter()
        .map(|e| {
            format!(
                "第 {} 行「{}」值「{}」：{}\n",
                e["row"],
                e["column"].as_str().unwrap_or(""),
                e["value"].as_str().unwrap_or(""),
                e["reason"].as_str().unwrap_or("")
            )
        })
        .collect()
}

fn check_names(b: &Broken, door: &str, text: &str, failures: &mut Vec<String>) {
    for want in &b.expect {
        if !text.contains(want.as_str()) {
            let short: String = text.chars().take(300).collect();
            failures.push(format!(
                "{} ({door}): refusal does not name 「{want}」: {short}",
                b.name
            ));
        }
    }
    if text.contains("root:x:0") {
        failures.push(format!(
            "{} ({door}): an external entity was expanded",
            b.name
        ));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_malformed_file_is_refused_through_every_door_and_writes_nothing() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        PANICS.fetch_add(1, Ordering::SeqCst);
        previous(info);
    }));

    let t0 = Instant::now();
    let files = corpus();
    let generated = t0.elapsed();
    assert!(files.len() >= 150, "{} files", files.len());
    if let Ok(dir) = std::env::var("INNOMESH_MALFORMED_DIR") {
        support::malformed::write_to(std::path::Path::new(&dir)).unwrap();
    }

    let store = Arc::new(SqliteStore::open_in_memory().unwrap());
    let state = AppState::for_store(store.clone());
    let cli = Principal::local("malformed");
    // A registry with something in it, and the files' valid rows partly already there.
    let seed: Vec<_> = (1..=2)
        .map(|i| {
            let map = innomesh_core::tabular::HeaderMap::new(
                EntityKind::Organisation,
                &innomesh_core::tabular::headers(EntityKind::Organisation, true),
            )
            .unwrap();
            innomesh_core::tabular::parse_row(&map, 2, &org_row(i)).unwrap()
        })
        .collect();
    state
        .import_records(&cli, seed, "seed", &|_| {})
        .unwrap()
        .unwrap();
    // One account per file: an account may import 20 files a minute, a file goes to 15 doors.
    let tokens: Vec<String> = (0..files.len())
        .map(|i| support::token(&state, &format!("malformed{i}"), Role::CityStaff, ""))
        .collect();
    let router = innomesh_server::router(state.clone());
    let version = store.version().unwrap();
    let before = counts(&store);

    let mut failures = Vec::new();
    let mut posts = 0;
    let t1 = Instant::now();
    let mut slowest = (std::time::Duration::ZERO, String::new());
    for (b, token) in files.iter().zip(&tokens) {
        let started = Instant::now();
        // The command line's path.
        let format = Format::guess(&b.name).unwrap_or(Format::sniff(&b.bytes));
        match state.import_file(&cli, b.kind, &b.bytes, format, &b.name, &NoProgress) {
            Ok(o) => failures.push(format!("{} (CLI): accepted, {} rows", b.name, o.rows)),
            Err(e) => {
                let rows: String = e.errors.iter().map(|r| format!("{r}\n")).collect();
                check_names(b, "CLI", &format!("{}\n{rows}", e.message), &mut failures);
            }
        }
        // Every import endpoint.
        for kind in EntityKind::ALL {
            let req = Request::builder()
                .method("POST")
                .uri(format!(
                    "/api/{}/import?format={}",
                    kind.plural(),
                    b.format.extension()
                ))
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .header(header::CONTENT_TYPE, b.format.mime())
                .body(Body::from(b.bytes.clone()))
                .unwrap();
            let res = router.clone().oneshot(req).await.unwrap();
            posts += 1;
            let status = res.status();
            let bytes = res.into_body().collect().await.unwrap().to_bytes();
            let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
            if !status.is_client_error() {
                failures.push(format!(
                    "{} → /api/{}/import: {status} {body}",
                    b.name,
                    kind.plural()
                ));
                continue;
            }
            if body["code"].as_str().is_none() || body["message"].as_str().is_none() {
                failures.push(format!(
                    "{} → {}: no {{code, message}}: {body}",
                    b.name,
                    kind.plural()
                ));
            }
            if kind == b.kind || b.reader_level {
                let text = format!(
                    "{}\n{}",
                    body["message"].as_str().unwrap_or(""),
                    row_errors_text(body["errors"].as_array().map(Vec::as_slice).unwrap_or(&[]))
                );
                check_names(b, &format!("HTTP {}", kind.plural()), &text, &mut failures);
            }
        }
        let now = store.version().unwrap();
        if now != version {
            failures.push(format!(
                "{}: the registry changed ({version} → {now})",
                b.name
            ));
        }
        if started.elapsed() > slowest.0 {
            slowest = (started.elapsed(), b.name.clone());
        }
    }
    assert_eq!(counts(&store), before, "counts changed");
    assert_eq!(store.version().unwrap(), version);
    eprintln!(
        "{} files ({} generated in {:.1?}), {} CLI imports and {posts} posts in {:.1?}; slowest {} ({:.1?})",
        files.len(),
        files.len(),
        generated,
        files.len(),
        t1.elapsed(),
        slowest.1,
        slowest.0
    );
    let panics = PANICS.load(Ordering::SeqCst);
    assert!(
        failures.is_empty() && panics == 0,
        "{panics} panics (see the output above), {} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
