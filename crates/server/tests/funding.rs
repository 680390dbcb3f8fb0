//! Funding through the API: the overview adds up, duplicates carry evidence, and a draft is only
//! ever compared with the applicant's own earlier applications.

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use innomesh_app::chains;
use innomesh_core::sample::{generate, SampleConfig};
use innomesh_core::{EntityKind, Record};
use innomesh_server::AppState;
use innomesh_store::{Repository, SqliteStore};
use serde_json::{json, Value};
use std::sync::Arc;
use tower::ServiceExt;

fn setup() -> (Arc<SqliteStore>, axum::Router) {
    let store = Arc::new(SqliteStore::open_in_memory().unwrap());
    store
        .import(
            generate(SampleConfig::default()).records,
            &innomesh_store::Actor::system("t"),
            "t",
            &|_| {},
        )
        .unwrap()
        .unwrap();
    chains::seed_models(
        &innomesh_app::App::new(store.clone(), innomesh_app::Config::default()),
        &innomesh_app::Principal::local("t"),
    )
    .unwrap();
    let app = support::router(AppState::for_store(store.clone()));
    (store, app)
}

async fn call(app: &axum::Router, method: &str, uri: &str, body: String) -> (StatusCode, Value) {
    let req = Request::builder()
        .method(method)
        .uri(uri)
        .header("content-type", "application/json")
        .body(Body::from(body))
        .unwrap();
    let res = app.clone().oneshot(req).await.unwrap();
    let s = res.status();
    let b = res.into_body().collect().await.unwrap().to_bytes();
    (s, serde_json::from_slice(&b).unwrap_or(Value::Null))
}

#[tokio::test]
async fn overview_adds_up_and_finds_multi_programme_firms() {
    let (store, app) = setup();
    let (s, o) = call(&app, "GET", "/api/funding/overview", String::new()).await;
    assert_eq!(s, StatusCode::OK);
    let n = store.count(EntityKind::Application).unwrap() as u64;
    assert_eq!(o["applications"].as_u64().unwrap(), n);
    for key in [
        "by_programme",
        "by_department",
        "by_district",
        "by_chain_node",
    ] {
        let sum: u64 = o[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["applications"].as_u64().unwrap())
            .sum();
        assert_eq!(sum, n, "{key} covers every application");
    }
    for f in o["multi_programme"].as_array().unwrap() {
        assert!(f["programmes"].as_array().unwrap().len() >= 2);
    }
    let (s, y) = call(
        &app,
        "GET",
        "/api/funding/overview?year=2024",
        String::new(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(y["applications"].as_u64().unwrap() < n);
    let (s, bad) = call(
        &app,
        "GET",
        "/api/funding/overview?year=soon",
        String::new(),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(bad["code"], "invalid_query");
}

#[tokio::test]
async fn duplicates_come_with_evidence_and_masked_ids() {
    let (_, app) = setup();
    let (s, d) = call(&app, "GET", "/api/funding/duplicates", String::new()).await;
    assert_eq!(s, StatusCode::OK);
    let pairs = d["pairs"].as_array().unwrap();
    assert!(!pairs.is_empty(), "the sample re-files some applications");
    let text = d.to_string();
    for p in pairs {
        assert!(!p["pair"]["kinds"].as_array().unwrap().is_empty());
        if let Some(people) = p["pair"]["people"]["shared"].as_array() {
            for person in people {
                assert!(person["id_masked"].as_str().unwrap().contains('*'));
            }
        }
    }
    // No full 18-digit ID number anywhere in the answer.
    assert!(!text
        .as_bytes()
        .windows(18)
        .any(|w| w.iter().all(u8::is_ascii_digit)));
}

#[tokio::test]
async fn draft_is_compared_only_with_own_applications() {
    let (store, app) = setup();
    let apps: Vec<_> = store
        .all(EntityKind::Application)
        .unwrap()
        .into_iter()
        .filter_map(|r| match r {
            Record::Application(a) => Some(a),
            _ => None,
        })
        .collect();
    let mine = &apps[0];
    let other = apps.iter().find(|a| a.applicant != mine.applicant).unwrap();
    // A draft by `mine`'s applicant that copies another applicant's text: nothing is shown.
    let copy_other = json!({
        "title": "新项目", "programme": mine.programme, "year": 2026, "applicant": mine.applicant.as_str(),
        "abstract_text": other.abstract_text,
    });
    let (s, r) = call(
        &app,
        "POST",
        "/api/funding/check-draft",
        copy_other.to_string(),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    for o in r["overlaps"].as_array().unwrap() {
        let b = o["b"].as_str().unwrap();
        assert!(
            apps.iter()
                .any(|a| a.id == b && a.applicant == mine.applicant),
            "only own applications: {o}"
        );
    }
    // Re-using its own earlier application (same team and budget) is found.
    let mut own = serde_json::to_value(mine).unwrap();
    own["id"] = json!("");
    own["year"] = json!(2026);
    let (s, r) = call(&app, "POST", "/api/funding/check-draft", own.to_string()).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let hits = r["overlaps"].as_array().unwrap();
    assert!(hits.iter().any(|o| o["b"] == mine.id.as_str()), "{r}");
    let (s, e) = call(
        &app,
        "POST",
        "/api/funding/check-draft",
        "{\"title\": 1}".into(),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["code"], "invalid_field");
}
