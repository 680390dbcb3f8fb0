//! The API through its HTTP boundary: good requests work, malformed ones answer 4xx with a code.

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use innomesh_core::sample::{generate, SampleConfig};
use innomesh_server::AppState;
use innomesh_store::{Repository, SqliteStore};
use serde_json::{json, Value};
use std::sync::Arc;
use tower::ServiceExt;

fn app() -> axum::Router {
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
    store
        .set_meta(
            "sample_data",
            "示例数据",
            &innomesh_store::Actor::system("t"),
        )
        .unwrap();
    support::router(AppState::for_store(Arc::new(store)))
}

async fn call(
    app: &axum::Router,
    method: &str,
    uri: &str,
    body: impl Into<Body>,
) -> (StatusCode, Value, String) {
    let req = Request::builder()
        .method(method)
        .uri(uri)
        .header("content-type", "application/json")
        .body(body.into())
        .unwrap();
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    let text = String::from_utf8_lossy(&bytes).to_string();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::Null),
        text,
    )
}

fn check_error(status: StatusCode, body: &Value, want_status: u16, want_code: &str) {
    assert_eq!(status.as_u16(), want_status, "{body}");
    assert_eq!(body["code"], want_code, "{body}");
    let msg = body["message"].as_str().unwrap();
    assert!(
        msg.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
        "Chinese message: {msg}"
    );
}

#[tokio::test]
async fn region_filters_and_crud() {
    let app = app();
    let (s, kdl, _) = call(
        &app,
        "GET",
        "/api/organisations?region=150203&per_page=1000",
        "",
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(kdl["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|o| o["region"] == "150203"));
    let (_, all, _) = call(&app, "GET", "/api/organisations?region=1502", "").await;
    assert!(all["total"].as_u64().unwrap() > kdl["total"].as_u64().unwrap());

    let code = innomesh_core::CreditCode::with_check_digit("91150203MA0TEAM01").unwrap();
    let org = json!({"credit_code": code.as_str(), "name": "包头测试磁材有限公司", "kind": "企业", "region": "150203", "industry": "C3985"});
    let (s, created, _) = call(&app, "POST", "/api/organisations", org.to_string()).await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    let (s, again, _) = call(&app, "POST", "/api/organisations", org.to_string()).await;
    check_error(s, &again, 409, "conflict");
    let mut edited = org.clone();
    edited["employees"] = json!(42);
    let (s, _, _) = call(
        &app,
        "PUT",
        &format!("/api/organisations/{code}"),
        edited.to_string(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (_, got, _) = call(&app, "GET", &format!("/api/organisations/{code}"), "").await;
    assert_eq!(got["employees"], 42);
    let (s, _, _) = call(&app, "DELETE", &format!("/api/organisations/{code}"), "").await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, gone, _) = call(&app, "GET", &format!("/api/organisations/{code}"), "").await;
    check_error(s, &gone, 404, "not_found");
}

#[tokio::test]
async fn malformed_requests_answer_4xx_with_code() {
    let app = app();
    let (s, b, _) = call(&app, "POST", "/api/organisations", "{not json").await;
    check_error(s, &b, 400, "bad_json");
    let (s, b, _) = call(&app, "POST", "/api/organisations", "[1,2]").await;
    check_error(s, &b, 400, "bad_json");
    let wrong_type = json!({"credit_code": "91340600MA2PBN831R", "name": "x", "kind": "enterprise", "region": "150203", "employees": "many"});
    let (s, b, _) = call(&app, "POST", "/api/organisations", wrong_type.to_string()).await;
    check_error(s, &b, 422, "invalid_field");
    let bad_code = json!({"credit_code": "91340600MA2PBN831Q", "name": "x", "kind": "enterprise", "region": "150203"});
    let (s, b, _) = call(&app, "POST", "/api/organisations", bad_code.to_string()).await;
    check_error(s, &b, 422, "invalid_field");
    assert!(b["message"].as_str().unwrap().contains("校验位"));
    let bad_region = json!({"credit_code": "91340600MA2PBN831R", "name": "x", "kind": "enterprise", "region": "159999"});
    let (s, b, _) = call(&app, "POST", "/api/organisations", bad_region.to_string()).await;
    check_error(s, &b, 422, "invalid_field");
    let orphan = json!({"name": "平台", "kind": "key_laboratory", "tier": "national", "host": "91340600MA2PBN831R", "status": "operating"});
    let (s, b, _) = call(&app, "POST", "/api/platforms", orphan.to_string()).await;
    check_error(s, &b, 422, "unknown_reference");
    let huge = vec![b'x'; 3 * 1024 * 1024];
    let (s, b, _) = call(&app, "POST", "/api/organisations", huge).await;
    check_error(s, &b, 413, "payload_too_large");
    let (s, b, _) = call(&app, "GET", "/api/organisations?region=abc", "").await;
    check_error(s, &b, 400, "invalid_query");
    let (s, b, _) = call(&app, "GET", "/api/organisations?industry=Z9999", "").await;
    check_error(s, &b, 400, "invalid_query");
    let (s, b, _) = call(&app, "GET", "/api/organisations?per_page=0", "").await;
    check_error(s, &b, 400, "invalid_query");
    let (s, b, _) = call(&app, "GET", "/api/widgets", "").await;
    check_error(s, &b, 404, "unknown_kind");
    let (s, b, _) = call(
        &app,
        "POST",
        "/api/organisations/import?format=xlsx",
        "garbage",
    )
    .await;
    check_error(s, &b, 400, "bad_file");
    let (s, b, _) = call(&app, "GET", "/api/organisations/export?format=pdf", "").await;
    check_error(s, &b, 415, "unsupported_format");
}

#[tokio::test]
async fn import_reports_every_bad_row_and_writes_nothing() {
    let app = app();
    let (_, before, _) = call(&app, "GET", "/api/stats", "").await;
    let good = innomesh_core::CreditCode::with_check_digit("91150203MA0TEAM02").unwrap();
    let csv = format!(
        "统一社会信用代码,名称,组织类型,行政区划代码\n{good},甲公司,企业,150203\n91340600MA2PBN831Q,乙公司,企业,150203\n{good}X,丙,公司,150203\n"
    );
    let (s, b, _) = call(&app, "POST", "/api/organisations/import?format=csv", csv).await;
    check_error(s, &b, 422, "import_rejected");
    let errors = b["errors"].as_array().unwrap();
    assert!(errors
        .iter()
        .any(|e| e["row"] == 3 && e["column"] == "统一社会信用代码"));
    assert!(errors
        .iter()
        .any(|e| e["row"] == 4 && e["column"] == "组织类型"));
    let (_, after, _) = call(&app, "GET", "/api/stats", "").await;
    assert_eq!(before["counts"], after["counts"]);
    let ok =
        format!("统一社会信用代码,名称,组织类型,行政区划代码,序号\n{good},甲公司,企业,150203,1\n");
    let (s, b, _) = call(&app, "POST", "/api/organisations/import?format=csv", ok).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["created"], 1);
    assert_eq!(b["ignored_columns"][0], "序号");
}

#[tokio::test]
async fn openapi_pages_and_templates() {
    let app = app();
    let (s, doc, _) = call(&app, "GET", "/api/openapi.json", "").await;
    assert_eq!(s, StatusCode::OK);
    assert!(doc["paths"]["/api/organisations"]["get"].is_object());
    let (s, _, html) = call(&app, "GET", "/", "").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("示例数据") && html.contains("昆都仑区"));
    let (s, _, html) = call(&app, "GET", "/api", "").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("payload_too_large"));
    let req = Request::builder()
        .uri("/api/organisations/template")
        .body(Body::empty())
        .unwrap();
    let res = app.clone().oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    assert!(bytes.starts_with(b"PK"));
}

#[tokio::test]
async fn chain_node_ids_must_have_the_engine_form_and_referenced_nodes_stay() {
    let app = support::router(AppState::for_store(Arc::new(
        SqliteStore::open_in_memory().unwrap(),
    )));
    let node = |id: &str, supplies: &[&str]| {
        json!({"id": id, "chain": "rare_earth", "chain_name": "稀土产业链", "name": "永磁材料",
               "position": "midstream", "supplies": supplies})
        .to_string()
    };
    let (s, body, _) = call(&app, "POST", "/api/chain-nodes", node("Upper1", &[])).await;
    check_error(s, &body, 422, "invalid_field");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("rare_earth.magnet"),
        "{body}"
    );
    let (s, body, _) = call(
        &app,
        "POST",
        "/api/chain-nodes",
        node("rare_earth.motor", &[]),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let (s, body, _) = call(
        &app,
        "POST",
        "/api/chain-nodes",
        node("rare_earth.magnet", &["rare_earth.motor"]),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let (s, body, _) = call(&app, "DELETE", "/api/chain-nodes/rare_earth.motor", "").await;
    check_error(s, &body, 409, "referenced");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("rare_earth.magnet"),
        "{body}"
    );
}

/// 「已自动修正」: the API answer and the import page list every silent normalisation — the
/// row, the column, the value as typed and as stored.
#[tokio::test]
async fn an_import_lists_every_silent_normalisation() {
    let app = app();
    let code = innomesh_core::CreditCode::with_check_digit("91150203MA0FEX001").unwrap();
    let typed = format!("\u{a0}{}", code.as_str().to_lowercase());
    let csv = format!(
        "统一社会信用代码,名称,组织类型,行政区划代码,从业人数,成立日期\n{typed},  修正测试公司 ,企业,１５０２０３,\"1,200\",2021/7/1\n"
    );
    let (s, b, _) = call(
        &app,
        "POST",
        "/api/organisations/import?format=csv",
        csv.clone(),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let got: Vec<(i64, String, String, String)> = b["corrections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["row"].as_i64().unwrap(),
                c["column"].as_str().unwrap().to_string(),
                c["before"].as_str().unwrap().to_string(),
                c["after"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let want = |col: &str, before: &str, after: &str| {
        (2, col.to_string(), before.to_string(), after.to_string())
    };
    assert_eq!(
        got,
        expected_in_schema_order(&[
            want("统一社会信用代码", &typed, code.as_str()),
            want("名称", "  修正测试公司 ", "修正测试公司"),
            want("行政区划代码", "１５０２０３", "150203"),
            want("成立日期", "2021/7/1", "2021-07-01"),
            want("从业人数", "1,200", "1200"),
        ])
    );
    assert_eq!(b["corrections_total"], 5);
    // The web import page shows the same list.
    let boundary = "XBOUNDARYX";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\norganisations\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\nContent-Type: text/csv\r\n\r\n{csv}\r\n--{boundary}--\r\n"
    );
    let req = Request::builder()
        .method("POST")
        .uri("/import")
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .unwrap();
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let html =
        String::from_utf8_lossy(&res.into_body().collect().await.unwrap().to_bytes()).to_string();
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("已自动修正（5 处）"), "{html}");
    assert!(
        html.contains("１５０２０３")
            && html.contains("2021-07-01")
            && html.contains("␠␠修正测试公司␠"),
        "{html}"
    );
}

/// The corrections in the order of the organisation schema's columns.
fn expected_in_schema_order(
    items: &[(i64, String, String, String)],
) -> Vec<(i64, String, String, String)> {
    let order: Vec<&str> = innomesh_core::schema::fields(innomesh_core::EntityKind::Organisation)
        .iter()
        .map(|f| f.header)
        .collect();
    let mut v = items.to_vec();
    v.sort_by_key(|c| order.iter().position(|h| *h == c.1));
    v
}
