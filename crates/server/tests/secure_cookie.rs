//! Behind HTTPS (`innomesh serve --secure-cookies`) the session cookie carries `Secure`. Its own
//! test binary: the setting is process-wide.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use innomesh_app::{Principal, Role};
use innomesh_server::{router, AppState};
use innomesh_store::SqliteStore;
use std::sync::Arc;
use tower::ServiceExt;

#[tokio::test]
async fn the_session_cookie_is_secure_when_configured() {
    let st = AppState::for_store(Arc::new(SqliteStore::open_in_memory().unwrap()));
    st.add_user_with_password(
        &Principal::local("t"),
        "zhao",
        "赵",
        Role::CityStaff,
        "",
        "包头-稀土-高新区-2027",
    )
    .unwrap();
    innomesh_server::auth::set_secure_cookies(true);
    let req = Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(
            "username=zhao&password=%E5%8C%85%E5%A4%B4-%E7%A8%80%E5%9C%9F-%E9%AB%98%E6%96%B0%E5%8C%BA-2027",
        ))
        .unwrap();
    let res = router(st).oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let cookie = res
        .headers()
        .get(header::SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap();
    assert!(cookie.contains("; Secure"), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
}
