//! The canary: a known ID number and phone are written through the API, then every API answer,
//! every page and every export (CSV and XLSX, read back cell by cell) is scanned for the plain
//! values. Only an audited unmask by an account allowed to see personal data shows them.

mod support;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use innomesh_app::Role;
use innomesh_core::EntityKind;
use innomesh_server::AppState;
use innomesh_store::SqliteStore;
use serde_json::{json, Value};
use std::sync::Arc;
use tower::ServiceExt;

const ID_NUMBER: &str = "110101199003077571";
const PHONE: &str = "13912345678";

async fn fetch(
    app: &axum::Router,
    method: &str,
    uri: &str,
    body: Option<Value>,
) -> (StatusCode, Vec<u8>) {
    let mut b = Request::builder().method(method).uri(uri);
    if body.is_some() {
        b = b.header(header::CONTENT_TYPE, "application/json");
    }
    let req = b
        .body(
            body.map(|v| Body::from(v.to_string()))
                .unwrap_or_else(Body::empty),
        )
        .unwrap();
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    (
        status,
        res.into_body().collect().await.unwrap().to_bytes().to_vec(),
    )
}

fn assert_clean(what: &str, text: &str) {
    assert!(
        !text.contains(ID_NUMBER),
        "{what} shows the plain ID number"
    );
    assert!(!text.contains(PHONE), "{what} shows the plain phone number");
}

#[tokio::test]
async fn the_plain_id_number_and_phone_appear_nowhere_unless_unmasked() {
    let store = SqliteStore::open_in_memory().unwrap();
    let st = AppState::for_store(Arc::new(store));
    let app = support::router(st.clone());
    let auditor = support::router_as(st.clone(), "auditor", Role::Auditor, "");
    // An organisation, a person with the canary ID number and phone, an application whose team
    // carries the same ID number.
    let org = json!({"credit_code": "91150203MA0N00000G", "name": "金丝雀测试企业", "kind": "企业",
        "region": "150203", "contact_phone": PHONE});
    let (s, b) = fetch(&app, "POST", "/api/organisations", Some(org)).await;
    assert_eq!(s, StatusCode::CREATED, "{}", String::from_utf8_lossy(&b));
    let person = json!({"name": "金丝雀", "role": "专家", "organisation": "91150203MA0N00000G",
        "phone": PHONE, "id_number": ID_NUMBER, "region": "150203"});
    let (s, b) = fetch(&app, "POST", "/api/people", Some(person)).await;
    assert_eq!(s, StatusCode::CREATED, "{}", String::from_utf8_lossy(&b));
    let created: Value = serde_json::from_slice(&b).unwrap();
    let pid = created["id"].as_str().unwrap().to_string();
    let programme = json!({"id": "金丝雀专项-2026", "name": "金丝雀专项", "department": "市科技局", "year": 2026});
    let (s, _) = fetch(&app, "POST", "/api/programmes", Some(programme)).await;
    assert_eq!(s, StatusCode::CREATED);
    let application = json!({"title": "金丝雀项目", "programme": "金丝雀专项-2026", "year": 2026,
        "applicant": "91150203MA0N00000G", "team": [{"name": "金丝雀", "id_number": ID_NUMBER, "role": "负责人"}],
        "abstract_text": "测试"});
    let (s, b) = fetch(&app, "POST", "/api/applications", Some(application)).await;
    assert_eq!(s, StatusCode::CREATED, "{}", String::from_utf8_lossy(&b));
    assert_clean("create answers", &String::from_utf8_lossy(&b));

    let mut uris: Vec<String> = vec![
        format!("/api/people/{pid}"),
        "/api/organisations/91150203MA0N00000G".into(),
        "/api/organisations/91150203MA0N00000G/relations".into(),
        "/api/search?q=%E9%87%91%E4%B8%9D%E9%9B%80".into(),
        "/api/funding/duplicates".into(),
        format!("/people/{pid}"),
        format!("/people/{pid}/edit"),
        "/organisations/91150203MA0N00000G".into(),
        "/organisations/91150203MA0N00000G/edit".into(),
        "/search?q=%E9%87%91%E4%B8%9D%E9%9B%80".into(),
        "/funding/duplicates".into(),
        "/".into(),
    ];
    for kind in EntityKind::ALL {
        uris.push(format!("/api/{}?per_page=1000", kind.plural()));
        uris.push(format!("/{}", kind.plural()));
    }
    let (_, apps) = fetch(&app, "GET", "/api/applications", None).await;
    let apps: Value = serde_json::from_slice(&apps).unwrap();
    for a in apps["items"].as_array().unwrap() {
        let id = a["id"].as_str().unwrap();
        uris.push(format!("/api/applications/{id}"));
        uris.push(format!("/applications/{id}"));
        uris.push(format!("/applications/{id}/edit"));
    }
    for uri in &uris {
        let (s, b) = fetch(&app, "GET", uri, None).await;
        assert!(s.is_success(), "{uri}: {s}");
        assert_clean(uri, &String::from_utf8_lossy(&b));
    }
    // The audit log (for the auditor) keeps masked values only.
    let (s, b) = fetch(&auditor, "GET", "/api/audit?limit=10000", None).await;
    assert_eq!(s, StatusCode::OK);
    assert_clean("the audit log", &String::from_utf8_lossy(&b));
    // Exports, CSV and XLSX, read back cell by cell (XLSX text is compressed on disk).
    for kind in [
        EntityKind::Person,
        EntityKind::Organisation,
        EntityKind::Application,
    ] {
        for (format, f) in [
            ("csv", innomesh_sheets::Format::Csv),
            ("xlsx", innomesh_sheets::Format::Xlsx),
        ] {
            let uri = format!("/api/{}/export?format={format}", kind.plural());
            let (s, b) = fetch(&app, "GET", &uri, None).await;
            assert_eq!(s, StatusCode::OK, "{uri}");
            let table = innomesh_sheets::read(&b, f).unwrap();
            let all: Vec<String> = table
                .rows
                .iter()
                .flat_map(|(_, cells)| cells.iter().map(|c| c.display()))
                .collect();
            assert!(!all.is_empty(), "{uri} exported rows");
            assert_clean(&uri, &all.join("\n"));
        }
    }
    // Asking for the full value: without a reason refused, by an auditor refused, by an allowed
    // account with a reason shown — and written to the audit log with the reason.
    let (s, _) = fetch(
        &app,
        "GET",
        &format!("/api/people/{pid}?personal=full"),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "a reason is required");
    let (s, _) = fetch(
        &auditor,
        "GET",
        &format!("/api/people/{pid}?personal=full&reason=%E6%A0%B8%E5%AF%B9"),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "auditors never see personal data");
    let (s, b) = fetch(
        &app,
        "GET",
        &format!("/api/people/{pid}?personal=full&reason=%E8%B5%84%E6%A0%BC%E5%A4%8D%E6%A0%B8"),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        String::from_utf8_lossy(&b).contains(ID_NUMBER),
        "unmasked on request"
    );
    let (_, b) = fetch(&auditor, "GET", "/api/audit?limit=5", None).await;
    let log = String::from_utf8_lossy(&b);
    assert!(
        log.contains("\"action\":\"unmask\"") && log.contains("资格复核"),
        "{log}"
    );
    assert!(
        log.contains("city-tester"),
        "the unmask names who did it: {log}"
    );
    assert_clean("the audit log after an unmask", &log);
}
