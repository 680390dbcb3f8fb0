//! `/api/search` through the HTTP boundary: Chinese queries, aliases, facets, snippets, writes
//! visible at once, malformed parameters answered 400 with a Chinese message.

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use innomesh_core::CreditCode;
use innomesh_server::AppState;
use innomesh_store::SqliteStore;
use serde_json::{json, Value};
use std::sync::Arc;
use tower::ServiceExt;

fn app() -> axum::Router {
    let store = SqliteStore::open_in_memory().unwrap();
    support::router(AppState::for_store(Arc::new(store)))
}

async fn call(app: &axum::Router, method: &str, uri: &str, body: Value) -> (StatusCode, Value) {
    let req = Request::builder()
        .method(method)
        .uri(uri)
        .header("content-type", "application/json")
        .body(if body.is_null() {
            Body::empty()
        } else {
            Body::from(body.to_string())
        })
        .unwrap();
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

fn org(code17: &str, region: &str, name: &str, products: &str) -> Value {
    let code = CreditCode::with_check_digit(code17).unwrap();
    json!({"credit_code": code.as_str(), "name": name, "kind": "enterprise",
        "region": region, "industry": "3985", "products": products})
}

fn names(body: &Value) -> Vec<String> {
    body["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["name"].as_str().unwrap().to_string())
        .collect()
}

fn q(text: &str) -> String {
    let mut s = String::new();
    for b in text.bytes() {
        s.push_str(&format!("%{b:02X}"));
    }
    s
}

#[tokio::test]
async fn search_follows_writes() {
    let app = app();
    for (code, region, name, products) in [
        (
            "91150203MA0000001",
            "150203",
            "甲电机有限公司",
            "稀土永磁电机",
        ),
        (
            "91150207MA0000002",
            "150207",
            "乙物流有限公司",
            "为包头钢铁（集团）有限责任公司提供运输",
        ),
    ] {
        let (s, _) = call(
            &app,
            "POST",
            "/api/organisations",
            org(code, region, name, products),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED);
    }
    // The first search builds the index from the store.
    let (s, body) = call(
        &app,
        "GET",
        &format!("/api/search?q={}", q("永磁")),
        Value::Null,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(names(&body), ["甲电机有限公司"]);
    assert!(body["hits"][0]["snippet_html"]
        .as_str()
        .unwrap()
        .contains("<mark>永磁</mark>"));
    let (_, body) = call(
        &app,
        "GET",
        &format!("/api/search?q={}", q("包钢")),
        Value::Null,
    )
    .await;
    assert_eq!(names(&body), ["乙物流有限公司"]);

    // Facets add up to the total; filters narrow.
    let url = format!(
        "/api/search?q={}&region=1502&kind=organisations",
        q("有限公司")
    );
    let (_, body) = call(&app, "GET", &url, Value::Null).await;
    assert_eq!(body["total"], 2);
    let sum = |key: &str| -> u64 {
        body["facets"][key]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["count"].as_u64().unwrap())
            .sum()
    };
    assert_eq!((sum("kinds"), sum("districts")), (2, 2));
    let (_, body) = call(
        &app,
        "GET",
        &format!("/api/search?q={}&region=150203", q("有限公司")),
        Value::Null,
    )
    .await;
    assert_eq!(names(&body), ["甲电机有限公司"]);

    // A write is searchable as soon as the write call returns; so are updates and deletes.
    let new = org(
        "91150205MA0000005",
        "150205",
        "丙新材料有限公司",
        "稀土储氢合金",
    );
    let (s, saved) = call(&app, "POST", "/api/organisations", new.clone()).await;
    assert_eq!(s, StatusCode::CREATED);
    let (_, body) = call(
        &app,
        "GET",
        &format!("/api/search?q={}", q("储氢合金")),
        Value::Null,
    )
    .await;
    assert_eq!(names(&body), ["丙新材料有限公司"]);
    let id = saved["credit_code"].as_str().unwrap().to_string();
    let mut renamed = new;
    renamed["name"] = json!("丙储能有限公司");
    let (s, _) = call(&app, "PUT", &format!("/api/organisations/{id}"), renamed).await;
    assert_eq!(s, StatusCode::OK);
    let (_, body) = call(
        &app,
        "GET",
        &format!("/api/search?q={}", q("储氢合金")),
        Value::Null,
    )
    .await;
    assert_eq!(names(&body), ["丙储能有限公司"]);
    let (s, _) = call(
        &app,
        "DELETE",
        &format!("/api/organisations/{id}"),
        Value::Null,
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, body) = call(
        &app,
        "GET",
        &format!("/api/search?q={}", q("储氢合金")),
        Value::Null,
    )
    .await;
    assert_eq!(body["total"], 0);
}

#[tokio::test]
async fn malformed_parameters_are_400() {
    let app = app();
    let long = q(&"稀".repeat(101));
    for url in [
        "/api/search".to_string(),
        "/api/search?q=".to_string(),
        format!("/api/search?q={long}"),
        "/api/search?q=a&kind=nonsense".to_string(),
        "/api/search?q=a&region=99x".to_string(),
        "/api/search?q=a&limit=-1".to_string(),
        "/api/search?q=a&limit=1000".to_string(),
        "/api/search?q=a&offset=x".to_string(),
    ] {
        let (s, body) = call(&app, "GET", &url, Value::Null).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{url}: {body}");
        assert_eq!(body["code"], "invalid_query", "{url}");
        let msg = body["message"].as_str().unwrap();
        assert!(
            msg.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "{msg}"
        );
    }
}

async fn page(app: &axum::Router, method: &str, uri: &str, form: &str) -> (StatusCode, String) {
    let req = Request::builder()
        .method(method)
        .uri(uri)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(form.to_string()))
        .unwrap();
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8(bytes.to_vec()).unwrap())
}

#[tokio::test]
async fn dictionaries_are_editable_and_drive_search() {
    let app = app();
    let (s, _) = call(
        &app,
        "POST",
        "/api/organisations",
        org(
            "91150203MA0000001",
            "150203",
            "包头甲电机有限公司",
            "伺服电机、稀土永磁电机",
        ),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    let total = |v: &Value| v["total"].as_u64().unwrap();
    let (_, r) = call(&app, "GET", "/api/search?q=伺服马达", Value::Null).await;
    assert_eq!(total(&r), 0, "no alias yet");
    // The bundled dictionaries are served as they are.
    let (s, d) = call(&app, "GET", "/api/dictionaries/aliases", Value::Null).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(d["edited"], false);
    assert!(d["text"].as_str().unwrap().contains("包钢"));
    // A malformed line is refused, naming the line; nothing changes.
    let bad = format!("{}\n伺服马达\n", d["text"].as_str().unwrap());
    let (s, e) = call(
        &app,
        "PUT",
        "/api/dictionaries/aliases",
        json!({"text": bad}),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["code"], "invalid_dictionary");
    assert!(e["message"].as_str().unwrap().contains("行"), "{e}");
    let (_, d2) = call(&app, "GET", "/api/dictionaries/aliases", Value::Null).await;
    assert_eq!(d2["edited"], false);
    // A good edit takes effect in search at once.
    let good = format!("{}\n伺服马达|伺服电机\n", d["text"].as_str().unwrap());
    let (s, v) = call(
        &app,
        "PUT",
        "/api/dictionaries/aliases",
        json!({"text": good, "actor": "词典管理员"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["edited"], true);
    let (_, r) = call(&app, "GET", "/api/search?q=伺服马达", Value::Null).await;
    assert_eq!(total(&r), 1, "the alias finds the record: {r}");
    let (s, _) = call(
        &app,
        "PUT",
        "/api/dictionaries/colours",
        json!({"text": ""}),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = call(&app, "PUT", "/api/dictionaries/aliases", json!({"txt": ""})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    // The page: a refused user-word line is explained and the text stays for fixing.
    let (s, html) = page(
        &app,
        "POST",
        "/dictionaries",
        "which=user-words&text=%E7%A3%81%E6%9D%90+abc&actor=web",
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("未保存") && html.contains("第 1 行"),
        "{html}"
    );
    assert!(html.contains("磁材 abc"));
    // Reset from the page: back to the bundled aliases, the alias is gone.
    let (s, html) = page(&app, "POST", "/dictionaries", "which=aliases&reset=1&text=").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("已保存别名词典"));
    let (_, r) = call(&app, "GET", "/api/search?q=伺服马达", Value::Null).await;
    assert_eq!(total(&r), 0);
    // The search page shows highlighted hits with facets.
    let (s, html) = page(&app, "GET", "/search?q=%E6%B0%B8%E7%A3%81", "").await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("找到 1 条") && html.contains("<mark>"),
        "{html}"
    );
    assert!(html.contains("包头甲电机有限公司"));
    let (s, html) = page(
        &app,
        "GET",
        "/search?q=%E6%B0%B8%E7%A3%81&region=999999",
        "",
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("行政区划代码"), "bad filter explained");
}
