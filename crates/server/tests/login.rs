//! Logging in as a person would: the login page, lockout after repeated failures, the session
//! cookie's attributes, CSRF tokens on every form, the forced change of a one-time password,
//! logout.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use innomesh_app::{Principal, Role};
use innomesh_server::{router, AppState};
use innomesh_store::SqliteStore;
use std::sync::Arc;
use tower::ServiceExt;

const PASSWORD: &str = "稀土永磁-钢铁-2026";

struct Answer {
    status: StatusCode,
    location: String,
    cookie: Option<String>,
    text: String,
}

async fn send(app: &axum::Router, req: Request<Body>) -> Answer {
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let location = res
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let cookie = res
        .headers()
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    Answer {
        status,
        location,
        cookie,
        text: String::from_utf8_lossy(&bytes).to_string(),
    }
}

fn form(uri: &str, body: &str, cookie: Option<&str>) -> Request<Body> {
    let mut b =
        Request::post(uri).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    b.body(Body::from(body.to_string())).unwrap()
}

fn get(uri: &str, cookie: Option<&str>) -> Request<Body> {
    let mut b = Request::get(uri);
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    b.body(Body::empty()).unwrap()
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn setup() -> (axum::Router, AppState) {
    let st = AppState::for_store(Arc::new(SqliteStore::open_in_memory().unwrap()));
    st.add_user_with_password(
        &Principal::local("t"),
        "zhang",
        "张科员",
        Role::CityStaff,
        "",
        PASSWORD,
    )
    .unwrap();
    (router(st.clone()), st)
}

/// `innomesh_session=<value>` from a Set-Cookie header.
fn session_of(a: &Answer) -> String {
    a.cookie
        .as_deref()
        .expect("a session cookie")
        .split(';')
        .next()
        .unwrap()
        .to_string()
}

async fn login(app: &axum::Router) -> String {
    let a = send(
        app,
        form(
            "/login",
            &format!(
                "username=zhang&password={}&next=%2Forganisations",
                enc(PASSWORD)
            ),
            None,
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.text);
    assert_eq!(a.location, "/organisations");
    session_of(&a)
}

fn csrf_of(page: &str) -> String {
    let at = page.find("name=\"_csrf\" value=\"").expect("a CSRF field") + 20;
    page[at..at + page[at..].find('"').unwrap()].to_string()
}

#[tokio::test]
async fn pages_need_a_login_and_the_session_cookie_is_strict() {
    let (app, _) = setup();
    let a = send(&app, get("/organisations?region=150203", None)).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    assert_eq!(a.location, "/login?next=%2Forganisations%3Fregion%3D150203");
    let page = send(&app, get("/login", None)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("用户名") && page.text.contains("密码"));
    assert!(
        !page.text.contains("版本"),
        "no version for anonymous visitors"
    );
    let a = send(
        &app,
        form(
            "/login",
            &format!("username=zhang&password={}", enc(PASSWORD)),
            None,
        ),
    )
    .await;
    let cookie = a.cookie.clone().unwrap();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Strict"), "{cookie}");
    let session = session_of(&a);
    let page = send(&app, get("/organisations", Some(&session))).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.text.contains("张科员"),
        "the user bar names who is logged in"
    );
    assert!(
        page.text.contains("版本"),
        "the footer has the version once signed in"
    );
    // An open redirect is not possible: `next` stays on this site.
    let a = send(
        &app,
        form(
            "/login",
            &format!(
                "username=zhang&password={}&next=%2F%2Fevil.example",
                enc(PASSWORD)
            ),
            None,
        ),
    )
    .await;
    assert_eq!(a.location, "/");
    // Logout ends the session: the old cookie no longer opens pages.
    let page = send(&app, get("/", Some(&session))).await;
    let csrf = csrf_of(&page.text);
    let out = send(
        &app,
        form("/logout", &format!("_csrf={csrf}"), Some(&session)),
    )
    .await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    let after = send(&app, get("/organisations", Some(&session))).await;
    assert_eq!(after.status, StatusCode::SEE_OTHER, "logged out");
}

#[tokio::test]
async fn ten_failures_lock_the_account_even_for_the_right_password() {
    let (app, st) = setup();
    for i in 1..=10 {
        let a = send(
            &app,
            form("/login", "username=zhang&password=wrong-password-1", None),
        )
        .await;
        let want = if i < 10 {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::LOCKED
        };
        assert_eq!(a.status, want, "attempt {i}: {}", a.text);
        assert!(a.cookie.is_none());
    }
    let a = send(
        &app,
        form(
            "/login",
            &format!("username=zhang&password={}", enc(PASSWORD)),
            None,
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::LOCKED, "locked: {}", a.text);
    assert!(a.text.contains("锁定"), "{}", a.text);
    // An unknown name answers like a wrong password (no enumeration).
    let u = send(
        &app,
        form("/login", "username=nobody&password=wrong-password-1", None),
    )
    .await;
    assert_eq!(u.status, StatusCode::UNAUTHORIZED);
    assert!(u.text.contains("用户名或密码不正确"));
    // The security administrator's reset unlocks it.
    let issued = st
        .reset_password(&Principal::local("t"), "zhang", false)
        .unwrap();
    let a = send(
        &app,
        form(
            "/login",
            &format!("username=zhang&password={}", enc(&issued.one_time_password)),
            None,
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    assert_eq!(
        a.location, "/account/password",
        "a one-time password is changed first"
    );
    let session = session_of(&a);
    let other = send(&app, get("/organisations", Some(&session))).await;
    assert_eq!(other.location, "/account/password");
    let page = send(&app, get("/account/password", Some(&session))).await;
    let csrf = csrf_of(&page.text);
    let weak = send(
        &app,
        form(
            "/account/password",
            &format!(
                "_csrf={csrf}&old={}&new=password1234&repeat=password1234",
                enc(&issued.one_time_password)
            ),
            Some(&session),
        ),
    )
    .await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(weak.text.contains("常见"), "{}", weak.text);
    let ok = send(
        &app,
        form(
            "/account/password",
            &format!(
                "_csrf={csrf}&old={}&new={p}&repeat={p}",
                enc(&issued.one_time_password),
                p = enc("包头-稀土-高新区-2027")
            ),
            Some(&session),
        ),
    )
    .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.text);
    let now = send(&app, get("/organisations", Some(&session))).await;
    assert_eq!(now.status, StatusCode::OK);
}

#[tokio::test]
async fn a_form_post_without_the_csrf_token_is_refused() {
    let (app, st) = setup();
    let session = login(&app).await;
    let body = "name=%E8%B7%A8%E7%AB%99%E6%B5%8B%E8%AF%95&kind=%E4%BC%81%E4%B8%9A&credit_code=91150203MA0N000000&region=150203";
    let refused = send(&app, form("/organisations/new", body, Some(&session))).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.text);
    assert!(refused.text.contains("防跨站"), "{}", refused.text);
    let wrong = send(
        &app,
        form(
            "/organisations/new",
            &format!("{body}&_csrf=00ff"),
            Some(&session),
        ),
    )
    .await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    assert_eq!(
        st.count(
            &Principal::local("t"),
            innomesh_core::EntityKind::Organisation
        )
        .unwrap(),
        0,
        "nothing written"
    );
    // Every post form on a page carries the session's token; with it the post goes through.
    let page = send(&app, get("/organisations/new", Some(&session))).await;
    let csrf = csrf_of(&page.text);
    let ok = send(
        &app,
        form(
            "/organisations/new",
            &format!("{body}&_csrf={csrf}"),
            Some(&session),
        ),
    )
    .await;
    assert_ne!(ok.status, StatusCode::FORBIDDEN, "{}", ok.text);
    // A JSON write on the session needs the token as a header.
    let req = Request::post("/api/policies")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::COOKIE, &session)
        .body(Body::from("{}"))
        .unwrap();
    let a = send(&app, req).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    assert!(a.text.contains("csrf_failed"), "{}", a.text);
    // File uploads carry it in the form's address.
    let import = send(&app, get("/import", Some(&session))).await;
    assert!(
        import.text.contains("action=\"/import?_csrf="),
        "multipart forms carry the token"
    );
}

#[tokio::test]
async fn api_without_credentials_is_401_and_a_bad_token_too() {
    let (app, _) = setup();
    let a = send(&app, get("/api/organisations", None)).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert!(a.text.contains("\"code\":\"unauthorized\""), "{}", a.text);
    let req = Request::get("/api/organisations")
        .header(header::AUTHORIZATION, "Bearer imt_0000_ffff")
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&app, req).await.status, StatusCode::UNAUTHORIZED);
    let open = send(&app, get("/api/openapi.json", None)).await;
    assert_eq!(open.status, StatusCode::OK);
}

#[tokio::test]
async fn administrators_enrol_totp_then_manage_accounts() {
    let (app, st) = setup();
    st.add_user_with_password(
        &Principal::local("t"),
        "anquan",
        "安全管理员",
        Role::SecurityAdmin,
        "",
        "安全-管理-账号-2026",
    )
    .unwrap();
    let a = send(
        &app,
        form(
            "/login",
            &format!("username=anquan&password={}", enc("安全-管理-账号-2026")),
            None,
        ),
    )
    .await;
    assert_eq!(
        a.location, "/login/totp",
        "the password alone is not enough"
    );
    let pending = session_of(&a);
    // Until the code is given, nothing else opens.
    let blocked = send(&app, get("/admin/users", Some(&pending))).await;
    assert_eq!(blocked.location, "/login/totp");
    let enrol = send(&app, get("/login/totp", Some(&pending))).await;
    assert!(enrol.text.contains("绑定动态口令"), "{}", enrol.text);
    let at = enrol.text.find("<code class=\"secret\">").unwrap() + 21;
    let secret = &enrol.text[at..at + enrol.text[at..].find('<').unwrap()];
    let wrong = send(&app, form("/login/totp", "code=000000", Some(&pending))).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    let code =
        innomesh_app::auth::accounts::totp_code(secret, innomesh_store::unix_now() as u64).unwrap();
    let ok = send(
        &app,
        form("/login/totp", &format!("code={code}"), Some(&pending)),
    )
    .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text);
    assert!(ok.text.contains("恢复码"));
    let session = session_of(&ok);
    assert_ne!(session, pending, "a new session id after the second factor");
    // The same code does not open a second login (RFC 6238: accepted once).
    let again = send(
        &app,
        form(
            "/login",
            &format!("username=anquan&password={}", enc("安全-管理-账号-2026")),
            None,
        ),
    )
    .await;
    let replay = send(
        &app,
        form(
            "/login/totp",
            &format!("code={code}"),
            Some(&session_of(&again)),
        ),
    )
    .await;
    assert_eq!(replay.status, StatusCode::UNAUTHORIZED, "{}", replay.text);
    assert!(replay.text.contains("已用过"), "{}", replay.text);
    let old = send(&app, get("/admin/users", Some(&pending))).await;
    assert_eq!(
        old.status,
        StatusCode::SEE_OTHER,
        "the pre-TOTP session is gone"
    );
    let users = send(&app, get("/admin/users", Some(&session))).await;
    assert_eq!(users.status, StatusCode::OK, "{}", users.text);
    assert!(
        !users.text.contains("href=\"/organisations\""),
        "the registry sections are not in a security administrator's navigation"
    );
    assert!(users.text.contains("zhang") && users.text.contains("市级工作人员"));
    let csrf = csrf_of(&users.text);
    let added = send(
        &app,
        form(
            "/admin/users",
            &format!("_csrf={csrf}&action=add&username=li&display_name=%E6%9D%8E&role=district-staff&scope=150203"),
            Some(&session),
        ),
    )
    .await;
    assert_eq!(added.status, StatusCode::OK, "{}", added.text);
    assert!(added.text.contains("一次性密码"), "{}", added.text);
    let bad_scope = send(
        &app,
        form(
            "/admin/users",
            &format!("_csrf={csrf}&action=add&username=wang&role=district-staff&scope=999999"),
            Some(&session),
        ),
    )
    .await;
    assert_eq!(bad_scope.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad_scope.text.contains("GB/T 2260"), "{}", bad_scope.text);
    // The security administrator sees no registry records (separation of duties) …
    let records = send(&app, get("/api/organisations", Some(&session))).await;
    assert_eq!(records.status, StatusCode::FORBIDDEN, "{}", records.text);
    // … and city staff cannot manage accounts.
    let zhang = login(&app).await;
    let refused = send(&app, get("/admin/users", Some(&zhang))).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}
