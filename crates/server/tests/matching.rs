//! Matching through the API: a demand gets solvers with checkable evidence; cards are checked.

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use innomesh_app::chains;
use innomesh_core::sample::{generate, SampleConfig};
use innomesh_server::AppState;
use innomesh_store::{Repository, SqliteStore};
use serde_json::Value;
use std::sync::Arc;
use tower::ServiceExt;

async fn get(app: &axum::Router, uri: &str) -> (StatusCode, Value) {
    let res = app
        .clone()
        .oneshot(Request::builder().uri(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let s = res.status();
    let b = res.into_body().collect().await.unwrap().to_bytes();
    (s, serde_json::from_slice(&b).unwrap_or(Value::Null))
}

#[tokio::test]
async fn demand_matches_carry_evidence() {
    let store = SqliteStore::open_in_memory().unwrap();
    store
        .import(
            generate(SampleConfig::default()).records,
            &innomesh_store::Actor::system("t"),
            "t",
            &|_| {},
        )
        .unwrap()
        .unwrap();
    let st = AppState::for_store(Arc::new(store));
    chains::seed_models(&st, &innomesh_app::Principal::local("t")).unwrap();
    let app = support::router(st);
    let (s, m) = get(&app, "/api/demands/DM000001/matches?top=10").await;
    assert_eq!(s, StatusCode::OK, "{m}");
    let hits = m["hits"].as_array().unwrap();
    assert_eq!(hits.len(), 10);
    for h in hits {
        let terms = h["evidence"]["matched_terms"].as_array().unwrap();
        assert!(
            !terms.is_empty(),
            "every hit names the terms it matched: {h}"
        );
    }
    for h in hits {
        for f in [
            "organisation_name",
            "district_name",
            "tier",
            "contact",
            "reason",
        ] {
            assert!(h[f].as_str().is_some_and(|x| !x.is_empty()), "{f} of {h}");
        }
        assert!(h["folded"].is_array());
    }
    // One type: the best of that type, best first.
    for t in ["expert", "platform", "achievement", "equipment"] {
        let (s, m) = get(
            &app,
            &format!("/api/demands/DM000001/matches?top=5&type={t}"),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{m}");
        let hits = m["hits"].as_array().unwrap();
        assert!(hits.iter().all(|h| h["kind"] == t), "{t}: {m}");
        let scores: Vec<f64> = hits.iter().map(|h| h["score"].as_f64().unwrap()).collect();
        assert!(scores.windows(2).all(|w| w[0] >= w[1]), "best first");
    }
    let (s, e) = get(&app, "/api/demands/DM000001/matches?type=robot").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(e["code"], "invalid_query");
    // The page shows the API's lines, in the same order, with organisation and district names.
    let res = app
        .clone()
        .oneshot(
            Request::builder()
                .uri("/demands/DM000001/matches")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let page =
        String::from_utf8(res.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap();
    let (_, m) = get(&app, "/api/demands/DM000001/matches?top=20").await;
    let mut at = 0;
    for h in m["hits"].as_array().unwrap() {
        let id = format!("/{}\">", h["id"].as_str().unwrap());
        let pos = page[at..]
            .find(&id)
            .unwrap_or_else(|| panic!("{id} after {at}"));
        at += pos;
        for f in ["organisation_name", "district_name"] {
            let v = h[f].as_str().unwrap();
            assert!(page.contains(v), "page names {v}");
        }
    }
    let (s, c) = get(&app, "/api/demands/DM000001/card").await;
    assert_eq!(s, StatusCode::OK);
    assert!(c["issues"].is_array());
    let (s, a) = get(&app, "/api/achievements/AC000001/adopters?top=5").await;
    assert_eq!(s, StatusCode::OK);
    assert!(!a["hits"].as_array().unwrap().is_empty());
    let (s, e) = get(&app, "/api/demands/NOPE/matches").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(e["code"], "not_found");
    let (s, e) = get(&app, "/api/demands/DM000001/matches?top=0").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(e["code"], "invalid_query");
}
