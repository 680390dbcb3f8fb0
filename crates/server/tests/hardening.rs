//! Cross-site writes are refused and every answer carries the security headers.

mod support;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use innomesh_server::AppState;
use innomesh_store::{Repository, SqliteStore};
use std::sync::Arc;
use tower::ServiceExt;

fn app() -> (axum::Router, Arc<SqliteStore>) {
    let store = Arc::new(SqliteStore::open_in_memory().unwrap());
    (support::router(AppState::for_store(store.clone())), store)
}

async fn send(app: &axum::Router, req: Request<Body>) -> (StatusCode, axum::http::HeaderMap) {
    let res = app.clone().oneshot(req).await.unwrap();
    (res.status(), res.headers().clone())
}

#[tokio::test]
async fn a_cross_site_form_post_is_refused_and_writes_nothing() {
    let (app, store) = app();
    let req = Request::builder()
        .method("POST")
        .uri("/people/new")
        .header(header::HOST, "127.0.0.1:8080")
        .header(header::ORIGIN, "http://evil.example")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("name=%E5%BC%A0%E4%B8%89&role=expert"))
        .unwrap();
    let (s, _) = send(&app, req).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(store.count(innomesh_core::EntityKind::Person).unwrap(), 0);
}

#[tokio::test]
async fn a_simple_cross_site_body_never_reaches_a_json_write() {
    let (app, store) = app();
    for ct in [
        None,
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
    ] {
        let mut b = Request::builder().method("POST").uri("/api/people");
        if let Some(ct) = ct {
            b = b.header(header::CONTENT_TYPE, ct);
        }
        let req = b
            .body(Body::from(r#"{"name":"张三","role":"expert"}"#))
            .unwrap();
        let (s, _) = send(&app, req).await;
        assert_eq!(s, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{ct:?}");
    }
    assert_eq!(store.count(innomesh_core::EntityKind::Person).unwrap(), 0);
    // The same body declared as JSON, from the same origin, is accepted.
    let req = Request::builder()
        .method("POST")
        .uri("/api/people")
        .header(header::HOST, "127.0.0.1:8080")
        .header(header::ORIGIN, "http://127.0.0.1:8080")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(r#"{"name":"张三","role":"expert"}"#))
        .unwrap();
    assert_eq!(send(&app, req).await.0, StatusCode::CREATED);
}

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let (app, _) = app();
    for uri in ["/", "/api/people", "/no-such-page", "/api/no-such"] {
        let (_, h) = send(&app, Request::get(uri).body(Body::empty()).unwrap()).await;
        let csp = h[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-eval"));
        assert!(!csp.contains("script-src 'self' 'unsafe-inline'"));
        assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(h[header::REFERRER_POLICY], "same-origin");
    }
}

/// A method the document does not declare for a path answers 405 with `Allow` and the error
/// body, whatever the body type (the 415 guard only looks at declared writes), as the OpenAPI
/// document says.
#[tokio::test]
async fn an_undeclared_method_is_405_with_allow() {
    let (app, _) = app();
    for (method, uri, ct) in [
        ("POST", "/api/stats", None),
        ("PUT", "/api/regions", Some("text/plain")),
        ("DELETE", "/api/stats", None),
        ("PATCH", "/api/organisations", Some("application/json")),
    ] {
        let mut b = Request::builder().method(method).uri(uri);
        if let Some(ct) = ct {
            b = b.header(header::CONTENT_TYPE, ct);
        }
        let res = app
            .clone()
            .oneshot(b.body(Body::from("x")).unwrap())
            .await
            .unwrap();
        assert_eq!(
            res.status(),
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {uri}"
        );
        let allow = res
            .headers()
            .get(header::ALLOW)
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        assert!(allow.contains("GET"), "{method} {uri}: Allow {allow}");
        let body = http_body_util::BodyExt::collect(res.into_body())
            .await
            .unwrap()
            .to_bytes();
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["code"], "method_not_allowed", "{method} {uri}");
    }
    // A declared write with a CORS-simple body is still refused before the handler.
    let req = Request::builder()
        .method("POST")
        .uri("/api/people")
        .body(Body::from("{}"))
        .unwrap();
    let (s, _) = send(&app, req).await;
    assert_eq!(s, StatusCode::UNSUPPORTED_MEDIA_TYPE);
}
