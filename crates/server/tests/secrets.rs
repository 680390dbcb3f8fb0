//! The installation's identity key never leaves the store: after the funding service has created
//! (or found) it, no API answer or page — the audit log with or without filters above all — holds it.

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use innomesh_app::funding::IDENTITY_KEY;
use innomesh_app::Actor;
use innomesh_core::sample::{generate, SampleConfig};
use innomesh_server::AppState;
use innomesh_store::{Repository, SqliteStore, SECRET_HIDDEN};
use serde_json::Value;
use std::sync::Arc;
use tower::ServiceExt;

fn setup(legacy_key: Option<&str>) -> (Arc<SqliteStore>, axum::Router) {
    let store = Arc::new(SqliteStore::open_in_memory().unwrap());
    store
        .import(
            generate(SampleConfig::default()).records,
            &Actor::system("t"),
            "t",
            &|_| {},
        )
        .unwrap()
        .unwrap();
    if let Some(k) = legacy_key {
        // As earlier versions wrote it: the store's audit entry holds the value.
        store
            .set_meta(IDENTITY_KEY, k, &Actor::system("system"))
            .unwrap();
    }
    // An auditor reads every answer the key could leak into, the audit log included.
    let app = support::router_as(
        AppState::for_store(store.clone()),
        "auditor",
        innomesh_app::Role::Auditor,
        "",
    );
    (store, app)
}

async fn get(app: &axum::Router, uri: &str) -> (StatusCode, String) {
    let req = Request::builder().uri(uri).body(Body::empty()).unwrap();
    let res = app.clone().oneshot(req).await.unwrap();
    let s = res.status();
    let b = res.into_body().collect().await.unwrap().to_bytes();
    (s, String::from_utf8_lossy(&b).into_owned())
}

const ANSWERS: &[&str] = &[
    "/api/audit",
    "/api/audit?limit=10000",
    "/api/audit?id=identity_key",
    "/api/audit?id=identity_key&limit=10000",
    "/api/audit?kind=application&limit=10000",
    "/api/funding/overview",
    "/api/funding/duplicates",
    "/api/stats",
    "/api/dictionaries",
    "/api/chains/rules",
    "/api/application?per_page=200",
    "/api/search?q=identity_key",
    "/api/openapi.json",
    "/funding",
    "/funding/duplicates",
];

/// Creates (or finds) the key through the API, reads it from the store, and scans every answer.
async fn key_is_nowhere(store: &SqliteStore, app: &axum::Router) -> String {
    let (s, pairs) = get(app, "/api/funding/duplicates").await;
    assert_eq!(s, StatusCode::OK, "{pairs}");
    let key = store
        .meta(IDENTITY_KEY)
        .unwrap()
        .expect("key created by the duplicate check");
    for uri in ANSWERS {
        let (s, body) = get(app, uri).await;
        assert!(s.is_success(), "{uri}: {s} {body}");
        assert!(!body.contains(&key), "{uri} shows the identity key");
    }
    // The key's write is listed, redacted.
    let (_, body) = get(app, "/api/audit?id=identity_key").await;
    let v: Value = serde_json::from_str(&body).unwrap();
    let entries = v["entries"].as_array().unwrap();
    assert!(!entries.is_empty());
    for e in entries {
        assert_eq!(e["entity_id"], IDENTITY_KEY);
        assert_eq!(e["detail"], SECRET_HIDDEN);
    }
    let (_, all) = get(app, "/api/audit?limit=10000").await;
    assert!(
        all.contains(SECRET_HIDDEN),
        "the unfiltered log lists the write"
    );
    key
}

#[tokio::test]
async fn a_new_key_is_never_shown() {
    let (store, app) = setup(None);
    let key = key_is_nowhere(&store, &app).await;
    assert_eq!(key.len(), 64);
    // Under the new key the identity check still matches people across applications.
    let (_, body) = get(&app, "/api/funding/duplicates").await;
    let v: Value = serde_json::from_str(&body).unwrap();
    assert!(v["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["pair"]["people"]["shared"]
            .as_array()
            .is_some_and(|s| !s.is_empty())));
}

#[tokio::test]
async fn a_key_an_earlier_version_exposed_is_replaced_and_never_shown() {
    let legacy = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    let (store, app) = setup(Some(legacy));
    let key = key_is_nowhere(&store, &app).await;
    // It was written into the audit log in plain, so it is replaced (no digest is ever stored).
    assert_ne!(key, legacy);
    assert_eq!(key.len(), 64);
    for uri in ANSWERS {
        let (_, body) = get(&app, uri).await;
        assert!(!body.contains(legacy), "{uri} shows the old key");
    }
}
