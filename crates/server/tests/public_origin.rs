//! With the public address configured (`innomesh serve --public-url …`, for a server behind a
//! reverse proxy), writes are accepted only from that origin. Its own test binary: the setting
//! is process-wide.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use innomesh_server::{router, AppState};
use innomesh_store::SqliteStore;
use std::sync::Arc;
use tower::ServiceExt;

#[tokio::test]
async fn writes_come_only_from_the_configured_public_address() {
    assert!(innomesh_server::security::set_public_origin("kjj.example").is_err());
    innomesh_server::security::set_public_origin("https://kjj.example/").unwrap();
    let app = router(AppState::for_store(Arc::new(
        SqliteStore::open_in_memory().unwrap(),
    )));
    let post = |origin: &str| {
        Request::post("/api/organisations")
            .header(header::HOST, "127.0.0.1:8080")
            .header(header::ORIGIN, origin)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from("{}"))
            .unwrap()
    };
    // The proxy's Host no longer decides: the public origin does.
    let other = app
        .clone()
        .oneshot(post("http://127.0.0.1:8080"))
        .await
        .unwrap();
    assert_eq!(other.status(), StatusCode::FORBIDDEN);
    let evil = app
        .clone()
        .oneshot(post("https://evil.example"))
        .await
        .unwrap();
    assert_eq!(evil.status(), StatusCode::FORBIDDEN);
    // From the public address the request goes on (to the login check: no credentials here).
    let ours = app.oneshot(post("https://kjj.example")).await.unwrap();
    assert_eq!(ours.status(), StatusCode::UNAUTHORIZED);
}
