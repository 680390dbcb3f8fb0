//! The demand workflow through the API and the pages: stage rules, history with who moved it,
//! the funnel per district and technology manager, and solvers seeing their outcomes.

mod support;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use innomesh_app::chains;
use innomesh_core::model::{DemandStatus, PersonRole, ResponseOutcome};
use innomesh_core::sample::{generate, SampleConfig};
use innomesh_core::{EntityKind, Record};
use innomesh_server::AppState;
use innomesh_store::{Repository, SqliteStore};
use serde_json::{json, Value};
use std::sync::Arc;
use tower::ServiceExt;

async fn call(app: &axum::Router, req: Request<Body>) -> (StatusCode, Vec<u8>, Option<String>) {
    let res = app.clone().oneshot(req).await.unwrap();
    let s = res.status();
    let loc = res
        .headers()
        .get(header::LOCATION)
        .map(|v| v.to_str().unwrap().to_string());
    let b = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    (s, b, loc)
}

async fn get_json(app: &axum::Router, uri: &str) -> (StatusCode, Value) {
    let (s, b, _) = call(app, Request::get(uri).body(Body::empty()).unwrap()).await;
    (s, serde_json::from_slice(&b).unwrap_or(Value::Null))
}

async fn get_page(app: &axum::Router, uri: &str) -> (StatusCode, String) {
    let (s, b, _) = call(app, Request::get(uri).body(Body::empty()).unwrap()).await;
    (s, String::from_utf8(b).unwrap())
}

async fn post_json(app: &axum::Router, uri: &str, body: &str) -> (StatusCode, Value) {
    let (s, b, _) = call(
        app,
        Request::post(uri)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap(),
    )
    .await;
    (s, serde_json::from_slice(&b).unwrap_or(Value::Null))
}

fn setup() -> (axum::Router, Arc<SqliteStore>) {
    let store = Arc::new(SqliteStore::open_in_memory().unwrap());
    store
        .import(
            generate(SampleConfig::default()).records,
            &innomesh_store::Actor::system("t"),
            "示例",
            &|_| {},
        )
        .unwrap()
        .unwrap();
    chains::seed_models(
        &innomesh_app::App::new(store.clone(), innomesh_app::Config::default()),
        &innomesh_app::Principal::local("t"),
    )
    .unwrap();
    (support::router(AppState::for_store(store.clone())), store)
}

#[tokio::test]
async fn demands_move_stage_by_stage_with_who_moved_them() {
    let (app, store) = setup();
    let demands = store.all(EntityKind::Demand).unwrap();
    let posted = demands
        .iter()
        .find_map(|r| match r {
            Record::Demand(d) if d.status == DemandStatus::Posted => Some(d.id.clone()),
            _ => None,
        })
        .unwrap();
    let manager = store
        .all(EntityKind::Person)
        .unwrap()
        .into_iter()
        .find_map(|r| match r {
            Record::Person(p) if p.role == PersonRole::TechnologyManager => Some(p.id),
            _ => None,
        })
        .unwrap();
    let uri = format!("/api/demands/{posted}/transition");
    // Skipping a stage: refused with a stable code, nothing written.
    let (s, e) = post_json(&app, &uri, r#"{"to": "已匹配"}"#).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["code"], "invalid_transition");
    assert!(e["message"].as_str().unwrap().contains("直接跳到"));
    let (s, e) = post_json(&app, &uri, "{not json").await;
    assert_eq!(
        (s, e["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("bad_json"))
    );
    let (s, e) = post_json(&app, &uri, r#"{"to": "已飞走"}"#).await;
    assert_eq!(
        (s, e["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_transition"))
    );
    let (s, e) = post_json(
        &app,
        "/api/demands/DM999999/transition",
        r#"{"to": "screened"}"#,
    )
    .await;
    assert_eq!(
        (s, e["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
    let before = store.demand_history(Some(&posted)).unwrap().len();
    assert_eq!(before, 1, "the import is the first entry");
    // Forward one stage, naming the technology manager and who did it.
    let body = json!({"to": "screened", "manager": manager, "actor": "李经理", "note": "卡片完整"});
    let (s, v) = post_json(&app, &uri, &body.to_string()).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["demand"]["status"], "screened");
    assert_eq!(v["demand"]["manager"], manager.as_str());
    let h = v["history"].as_array().unwrap();
    assert_eq!(h.len(), 2);
    assert_eq!(h[1]["from"], "posted");
    assert_eq!(h[1]["to"], "screened");
    // The history names the signed-in account, not the body's `actor`.
    assert!(
        h[1]["actor"].as_str().unwrap().starts_with("city-tester"),
        "{}",
        h[1]["actor"]
    );
    // Back without a reason is refused.
    let (s, e) = post_json(&app, &uri, r#"{"to": "posted"}"#).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    // Through the page's form: a refused move comes back with the reason on the demand's page.
    let (s, _, loc) = call(
        &app,
        Request::post(format!("/demands/{posted}/transition"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from("to=contracted&actor=web&note="))
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let loc = loc.unwrap();
    assert!(loc.contains("flow_error="), "{loc}");
    let (s, page) = get_page(&app, &loc).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("未能流转"), "the page explains the refusal");
    let (s, _, loc) = call(
        &app,
        Request::post(format!("/demands/{posted}/transition"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from("to=matched&actor=%E7%8E%8B%E5%B7%A5&note="))
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert!(loc.unwrap().contains("moved=1"));
    let (_, page) = get_page(&app, &format!("/demands/{posted}")).await;
    for want in [
        "需求流转",
        "流转记录",
        "city-tester",
        "已匹配",
        "问题卡片",
        "匹配解题方",
    ] {
        assert!(page.contains(want), "demand page shows {want}");
    }
    let (s, h) = get_json(&app, &format!("/api/demands/{posted}/history")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(h["history"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn funnel_per_district_and_manager_and_solvers_hear_back() {
    let (app, store) = setup();
    let demands: Vec<_> = store
        .all(EntityKind::Demand)
        .unwrap()
        .into_iter()
        .filter_map(|r| match r {
            Record::Demand(d) => Some(d),
            _ => None,
        })
        .collect();
    let (s, f) = get_json(&app, "/api/demand-funnel").await;
    assert_eq!(s, StatusCode::OK, "{f}");
    let reached = |row: &Value| -> Vec<u64> {
        row["reached"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_u64().unwrap())
            .collect()
    };
    let total = reached(&f["total"]);
    assert_eq!(total[0] as usize, demands.len());
    let contracted = demands
        .iter()
        .filter(|d| d.status.stage() >= DemandStatus::Contracted.stage())
        .count();
    assert_eq!(total[4] as usize, contracted);
    // Each row counted independently from the records: demands of that district (or manager)
    // whose status is at or past each stage.
    for (group, key_of) in [
        (
            "by_district",
            Box::new(|d: &innomesh_core::model::Demand| {
                d.region
                    .as_ref()
                    .map(|r| r.as_str()[..6].to_string())
                    .unwrap_or_default()
            }) as Box<dyn Fn(&innomesh_core::model::Demand) -> String>,
        ),
        (
            "by_manager",
            Box::new(|d: &innomesh_core::model::Demand| d.manager.clone().unwrap_or_default()),
        ),
    ] {
        let rows = f[group].as_array().unwrap();
        assert!(rows.len() > 1, "{group}");
        for row in rows {
            let key = row["key"].as_str().unwrap();
            let mine: Vec<_> = demands.iter().filter(|d| key_of(d) == key).collect();
            for (i, got) in reached(row).into_iter().enumerate() {
                let want = mine.iter().filter(|d| d.status.stage() >= i).count() as u64;
                assert_eq!(got, want, "{group} {key} stage {i}");
            }
        }
    }
    // Every manager row names a registered technology manager, or says none is assigned.
    let unassigned = demands.iter().filter(|d| d.manager.is_none()).count() as u64;
    let row = f["by_manager"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == "")
        .unwrap();
    assert_eq!(reached(row)[0], unassigned);
    let (s, b, _) = call(
        &app,
        Request::get("/api/demand-funnel?format=xlsx")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(&b[..2], b"PK");
    let (s, e) = get_json(&app, "/api/demand-funnel?format=pdf").await;
    assert_eq!(
        (s, e["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_query"))
    );
    let (s, page) = get_page(&app, "/demand-funnel").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("按区县") && page.contains("按技术经理人") && page.contains("<svg"));
    // A solver whose response was decided sees the outcome and the feedback.
    let decided = store
        .all(EntityKind::DemandResponse)
        .unwrap()
        .into_iter()
        .find_map(|r| match r {
            Record::DemandResponse(x) if x.outcome == ResponseOutcome::Declined => Some(x),
            _ => None,
        })
        .unwrap();
    let (s, v) = get_json(
        &app,
        &format!("/api/solvers/expert/{}/responses", decided.solver),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let mine = v["responses"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == decided.id.as_str())
        .unwrap();
    assert_eq!(mine["outcome"], "declined");
    assert_eq!(mine["feedback"], decided.feedback.as_str());
    assert!(!mine["demand_title"].as_str().unwrap().is_empty());
    let (_, page) = get_page(&app, &format!("/people/{}", decided.solver)).await;
    assert!(page.contains("应答的需求与结果"));
    assert!(page.contains(&decided.feedback));
    let (s, _) = get_json(&app, "/api/solvers/robot/X/responses").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    // The ranked solvers page shows evidence and a way to record a response.
    let (s, page) = get_page(&app, &format!("/demands/{}/matches", decided.demand)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("命中词") && page.contains("登记应答"));
    let (s, page) = get_page(&app, "/achievements/AC000001/adopters").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("可能的承接企业"));
}
