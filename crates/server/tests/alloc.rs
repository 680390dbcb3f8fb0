//! Shared capacity through the API: shops from the registry, a plan that respects capacities.

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use innomesh_app::Actor;
use innomesh_core::sample::{generate, SampleConfig};
use innomesh_server::AppState;
use innomesh_store::{Repository, SqliteStore};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;
use tower::ServiceExt;

fn app() -> axum::Router {
    let store = SqliteStore::open_in_memory().unwrap();
    store
        .import(
            generate(SampleConfig::default()).records,
            &Actor::system("t"),
            "t",
            &|_| {},
        )
        .unwrap()
        .unwrap();
    support::router(AppState::for_store(Arc::new(store)))
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
async fn plan_a_sample_order_within_capacity() {
    let app = app();
    let (s, shops) = call(&app, "GET", "/api/alloc/shops", String::new()).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(shops["total"], 150);
    let free: HashMap<String, f64> = shops["shops"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["id"].as_str().unwrap().to_string(),
                s["free_hours_per_week"].as_f64().unwrap(),
            )
        })
        .collect();
    let (s, order) = call(
        &app,
        "GET",
        "/api/alloc/sample-order?parts=5&seed=3",
        String::new(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (s, res) = call(
        &app,
        "POST",
        "/api/alloc/plan",
        json!({"order": order, "time_limit": 1.0}).to_string(),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{res}");
    let plan = &res["plan"];
    let mut used: HashMap<String, f64> = HashMap::new();
    for lot in plan["lots"].as_array().unwrap() {
        *used
            .entry(lot["shop_id"].as_str().unwrap().to_string())
            .or_default() += lot["hours"].as_f64().unwrap();
    }
    // A shop's free hours count once per week of the plan (up to the latest due date).
    let weeks = plan["horizon_weeks"].as_f64().unwrap();
    assert!(weeks >= 1.0);
    for (shop, hours) in &used {
        assert!(
            *hours <= free[shop] * weeks + 1e-6,
            "shop {shop} over capacity: {hours} > {} × {weeks}",
            free[shop]
        );
    }
    // Every part is either planned or reported with reasons.
    let parts = order["parts"].as_array().unwrap().len();
    let planned: std::collections::HashSet<&str> = plan["lots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["part_id"].as_str().unwrap())
        .collect();
    let unassigned: Vec<&Value> = plan["unassigned"].as_array().unwrap().iter().collect();
    assert!(planned.len() + unassigned.len() >= parts);
    assert!(unassigned
        .iter()
        .all(|u| !u["reasons"].as_array().unwrap().is_empty()));
    let (s, e) = call(
        &app,
        "POST",
        "/api/alloc/plan",
        json!({"order": {"id": "x", "parts": []}}).to_string(),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["code"], "invalid_field");
    let (s, e) = call(&app, "POST", "/api/alloc/plan", "{\"order\": 5}".into()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
}

#[tokio::test]
async fn repair_moves_only_what_the_dropped_shop_had() {
    let app = app();
    let (_, order) = call(
        &app,
        "GET",
        "/api/alloc/sample-order?parts=6&seed=5",
        String::new(),
    )
    .await;
    let (s, res) = call(
        &app,
        "POST",
        "/api/alloc/plan",
        json!({"order": order, "time_limit": 1.0}).to_string(),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{res}");
    let plan = res["plan"].clone();
    let lots = plan["lots"].as_array().unwrap();
    assert!(!lots.is_empty());
    let dropped = lots[0]["shop_id"].as_str().unwrap().to_string();
    let at_dropped = lots
        .iter()
        .filter(|l| l["shop_id"] == dropped.as_str())
        .count();
    let (s, rep) = call(
        &app,
        "POST",
        "/api/alloc/repair",
        json!({"order": order, "plan": plan, "dropped_shop": dropped}).to_string(),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{rep}");
    let new_lots = rep["plan"]["lots"].as_array().unwrap();
    assert!(
        new_lots.iter().all(|l| l["shop_id"] != dropped.as_str()),
        "nothing left at the dropped shop"
    );
    assert!(
        rep["kept"].as_u64().unwrap() as usize
            >= lots.len() - at_dropped - rep["moved"].as_array().unwrap().len()
    );
    let (s, e) = call(
        &app,
        "POST",
        "/api/alloc/repair",
        json!({"order": order, "plan": plan}).to_string(),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["code"], "invalid_field");
}
