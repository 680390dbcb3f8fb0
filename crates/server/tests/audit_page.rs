//! The audit page: auditors search who did what and export it; nobody else reads it.

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use innomesh_app::Role;
use innomesh_server::AppState;
use innomesh_store::SqliteStore;
use serde_json::json;
use std::sync::Arc;
use tower::ServiceExt;

async fn send(app: &axum::Router, req: Request<Body>) -> (StatusCode, Vec<u8>) {
    let res = app.clone().oneshot(req).await.unwrap();
    let s = res.status();
    (
        s,
        res.into_body().collect().await.unwrap().to_bytes().to_vec(),
    )
}

#[tokio::test]
async fn auditors_search_and_export_the_trail_and_staff_cannot() {
    let st = AppState::for_store(Arc::new(SqliteStore::open_in_memory().unwrap()));
    let staff = support::router(st.clone());
    let auditor = support::router_as(st.clone(), "shenji", Role::Auditor, "");
    let org = json!({"credit_code": "91150203MA0N00000G", "name": "审计测试企业", "kind": "企业", "region": "150203"});
    let req = Request::post("/api/organisations")
        .header("content-type", "application/json")
        .body(Body::from(org.to_string()))
        .unwrap();
    assert_eq!(send(&staff, req).await.0, StatusCode::CREATED);
    let (s, _) = send(&staff, Request::get("/audit").body(Body::empty()).unwrap()).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, b) = send(
        &auditor,
        Request::get("/audit?actor=city-tester&action=create")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    let page = String::from_utf8_lossy(&b);
    assert_eq!(s, StatusCode::OK, "{page}");
    assert!(page.contains("91150203MA0N00000G"), "{page}");
    assert!(
        page.contains("city-tester（市级工作人员）"),
        "who, with role: {page}"
    );
    let (s, b) = send(
        &auditor,
        Request::get("/audit?actor=nobody")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        !String::from_utf8_lossy(&b).contains("91150203MA0N00000G"),
        "filtered out"
    );
    let (s, b) = send(
        &auditor,
        Request::get("/audit?action=create&format=xlsx")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let t = innomesh_sheets::read(&b, innomesh_sheets::Format::Xlsx).unwrap();
    assert!(t
        .rows
        .iter()
        .any(|(_, cells)| cells.iter().any(|c| c.display() == "91150203MA0N00000G")));
}
