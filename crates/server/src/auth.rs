//! Who is calling: the session cookie or the bearer token becomes a `Principal` for the handlers
//! (which pass it to `App`, where authorization is decided). Also here: what needs no login, the
//! CSRF check of cookie-authenticated writes, the forced password change, login rate limits, and
//! the user bar and CSRF fields added to every page.

use crate::error::ApiError;
use crate::AppState;
use axum::body::Body;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use innomesh_app::auth::accounts::SessionState;
use innomesh_app::{Code, Principal};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{LazyLock, Mutex};
use std::time::{Duration, Instant};

pub const COOKIE: &str = "innomesh_session";
/// The marker in the page frame replaced by the user bar.
pub const USER_MARKER: &str = "<!--innomesh:user-->";

/// Whether session cookies carry `Secure` (set when served over HTTPS or behind a TLS proxy).
static SECURE_COOKIES: AtomicBool = AtomicBool::new(false);

pub fn set_secure_cookies(on: bool) {
    SECURE_COOKIES.store(on, Ordering::Relaxed);
}

/// The `Set-Cookie` value for a new session (or its removal with `None`).
pub fn session_cookie(value: Option<&str>) -> HeaderValue {
    let secure = if SECURE_COOKIES.load(Ordering::Relaxed) {
        "; Secure"
    } else {
        ""
    };
    let v = match value {
        Some(v) => format!("{COOKIE}={v}; Path=/; HttpOnly; SameSite=Strict{secure}"),
        None => format!("{COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure}"),
    };
    HeaderValue::from_str(&v).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// Paths anyone may open: the login pages, the stylesheet, the API description.
fn is_public(path: &str) -> bool {
    matches!(
        path,
        "/login" | "/login/totp" | "/assets/site.css" | "/api/openapi.json" | "/favicon.ico"
    )
}

fn is_api(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}

fn is_write(m: &Method) -> bool {
    !matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

pub fn cookie_value(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v.trim().to_string())
        .filter(|v| !v.is_empty() && v.len() <= 128)
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_string())
}

/// The client address (the TCP peer; a proxy's own address unless the server is told otherwise).
pub fn source_of(req_ext: &axum::http::Extensions) -> String {
    req_ext
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "未知".into())
}

/// The authenticated caller, for handlers. Absent only on public paths, where handlers that need
/// it answer 401.
pub struct Who(pub Principal);

impl<S: Send + Sync> FromRequestParts<S> for Who {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Principal>()
            .cloned()
            .map(Who)
            .ok_or_else(|| ApiError::new(Code::Unauthorized, "未登录或登录已过期，请先登录"))
    }
}

/// The caller if logged in (public pages such as the login page).
pub struct MaybeWho(pub Option<Principal>);

impl<S: Send + Sync> FromRequestParts<S> for MaybeWho {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(MaybeWho(parts.extensions.get::<Principal>().cloned()))
    }
}

/// A fixed-window counter per key (client address, user name): enough to slow guessing and
/// floods without a dependency. Old windows are dropped as the map is used.
pub struct RateLimit {
    max: u32,
    window: Duration,
    hits: Mutex<HashMap<String, (Instant, u32)>>,
}

impl RateLimit {
    pub fn new(max: u32, window: Duration) -> Self {
        RateLimit {
            max,
            window,
            hits: Mutex::new(HashMap::new()),
        }
    }
    pub fn hit(&self, key: &str) -> bool {
        let now = Instant::now();
        let mut hits = self.hits.lock().unwrap_or_else(|p| p.into_inner());
        if hits.len() > 10_000 {
            hits.retain(|_, (t, _)| now.duration_since(*t) < self.window);
        }
        let e = hits.entry(key.to_string()).or_insert((now, 0));
        if now.duration_since(e.0) >= self.window {
            *e = (now, 0);
        }
        e.1 += 1;
        e.1 <= self.max
    }
}

/// Login attempts per client address per minute (the per-account lockout is in `App`).
pub static LOGIN_LIMIT: LazyLock<RateLimit> =
    LazyLock::new(|| RateLimit::new(30, Duration::from_secs(60)));
/// Imports per user per minute.
pub static IMPORT_LIMIT: LazyLock<RateLimit> =
    LazyLock::new(|| RateLimit::new(20, Duration::from_secs(60)));

fn unauthorized(api: bool, method: &Method, path_and_query: &str, message: &str) -> Response {
    if api {
        return ApiError::new(Code::Unauthorized, message).into_response();
    }
    if *method == Method::GET || *method == Method::HEAD {
        let next = crate::pages::layout::url_encode(path_and_query);
        return Redirect::to(&format!("/login?next={next}")).into_response();
    }
    (
        StatusCode::UNAUTHORIZED,
        Html(crate::pages::page(
            "请先登录",
            &format!(
                "<h1>请先登录</h1><p class=\"notice bad\">{}</p><p><a href=\"/login\">登录</a></p>",
                crate::pages::layout::escape(message)
            ),
            None,
        )),
    )
        .into_response()
}

fn refused(api: bool, code: Code, message: &str) -> Response {
    if api {
        return ApiError::new(code, message).into_response();
    }
    (
        crate::error::status_of(code),
        Html(crate::pages::page(
            "无法完成",
            &format!(
                "<h1>无法完成</h1><p class=\"notice bad\">{}</p><p><a href=\"/\">返回首页</a></p>",
                crate::pages::layout::escape(message)
            ),
            None,
        )),
    )
        .into_response()
}

/// The `_csrf` value of a URL query or a form body.
fn form_value(encoded: &str, key: &str) -> Option<String> {
    encoded.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        (k == key).then(|| percent_decode(v))
    })
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                match u8::from_str_radix(
                    std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or(""),
                    16,
                ) {
                    Ok(b) => {
                        out.push(b);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Largest form body read for its CSRF field (record forms; files go as multipart with the token
/// in the URL).
const FORM_LIMIT: usize = 2 * 1024 * 1024;

pub async fn authenticate(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let path_and_query = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| path.clone());
    let api = is_api(&path);
    let method = req.method().clone();
    let source = source_of(req.extensions());
    let headers = req.headers().clone();

    // Who is calling (store reads, off the async threads).
    let resolved = {
        let st = st.clone();
        let source = source.clone();
        let token = bearer(&headers);
        let cookie = cookie_value(&headers);
        tokio::task::spawn_blocking(
            move || -> Result<Option<SessionState>, innomesh_app::Error> {
                if let Some(t) = token {
                    return st
                        .token_principal(&t, &source)
                        .map(|p| Some(SessionState::Active(p)));
                }
                match cookie {
                    Some(c) => Ok(st.session(&c, &source).ok()),
                    None => Ok(None),
                }
            },
        )
        .await
    };
    let state = match resolved {
        Ok(Ok(s)) => s,
        Ok(Err(e)) => return refused(api, e.code, &e.message),
        Err(e) => return ApiError::internal(e).into_response(),
    };
    let mut req = req;
    let who = match state {
        Some(SessionState::Active(p)) => Some(p),
        Some(SessionState::SecondFactorDue { .. }) => {
            if path == "/login/totp" || path == "/logout" || is_public(&path) {
                None
            } else if api {
                return ApiError::new(Code::SecondFactorRequired, "管理员账号须先输入动态口令")
                    .into_response();
            } else {
                return Redirect::to("/login/totp").into_response();
            }
        }
        None => None,
    };

    if who.is_none() && !is_public(&path) && path != "/logout" {
        return unauthorized(
            api,
            &method,
            &path_and_query,
            "未登录或登录已过期，请先登录",
        );
    }

    if let Some(p) = &who {
        // CSRF: a write on a cookie session carries the session's token (header for scripts,
        // form field or URL parameter for forms). Token callers send no cookies.
        if !p.via_token && is_write(&method) {
            let expected = p.csrf.clone().unwrap_or_default();
            let mut given = headers
                .get("x-csrf-token")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
                .or_else(|| req.uri().query().and_then(|q| form_value(q, "_csrf")));
            let is_form = headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
            if given.is_none() && is_form {
                let (parts, body) = req.into_parts();
                let bytes = match axum::body::to_bytes(body, FORM_LIMIT).await {
                    Ok(b) => b,
                    Err(_) => {
                        return refused(api, Code::PayloadTooLarge, "表单内容过大");
                    }
                };
                given = form_value(&String::from_utf8_lossy(&bytes), "_csrf");
                req = Request::from_parts(parts, Body::from(bytes));
            }
            if expected.is_empty() || given.as_deref() != Some(expected.as_str()) {
                return refused(
                    api,
                    Code::CsrfFailed,
                    "表单已过期或来源不明（缺少有效的防跨站令牌），请刷新页面后重试",
                );
            }
        }
        // A one-time password is replaced before anything else.
        if !api
            && !p.via_token
            && p.must_change
            && !matches!(
                path.as_str(),
                "/account/password" | "/logout" | "/assets/site.css"
            )
        {
            return Redirect::to("/account/password").into_response();
        }
        req.extensions_mut().insert(p.clone());
    }

    let res = next.run(req).await;
    match &who {
        // The user bar and every form's CSRF field.
        Some(p) if !api => rewrite_html(res, |h| decorate_html(h, p)).await,
        // An anonymous visitor (the login page) gets no navigation into the system.
        None if !api => rewrite_html(res, |h| strip_sections(h, |_| false)).await,
        _ => res,
    }
}

/// An HTML answer rewritten by `f` (other answers pass untouched).
async fn rewrite_html(res: Response, f: impl FnOnce(&str) -> String) -> Response {
    let is_html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("text/html"));
    if !is_html {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024 * 1024).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "页面过大").into_response();
    };
    let out = f(&String::from_utf8_lossy(&bytes));
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(out))
}

/// Removes the navigation links whose `data-perm` the caller lacks.
fn strip_sections(html: &str, allowed: impl Fn(&str) -> bool) -> String {
    let mut out = html.to_string();
    for tag in ["read", "engines", "funding", "assess", "write"] {
        if allowed(tag) {
            continue;
        }
        let marker = format!(" data-perm=\"{tag}\"");
        while let Some(at) = out.find(&marker) {
            let (Some(start), Some(end)) = (out[..at].rfind("<a "), out[at..].find("</a>")) else {
                break;
            };
            out.replace_range(start..at + end + 4, "");
        }
    }
    out
}

/// The navigation without the sections this account cannot use (each link names what it needs
/// in `data-perm`).
fn without_forbidden_sections(html: &str, who: &Principal) -> String {
    use innomesh_app::Perm;
    strip_sections(html, |tag| match tag {
        "read" => who.may(Perm::Read),
        "engines" => who.may(Perm::Engines),
        "funding" => who.may(Perm::Funding),
        "assess" => innomesh_app::assessment::may_open(who),
        "write" => who.may(Perm::Write),
        _ => true,
    })
}

pub fn decorate_html(html: &str, who: &Principal) -> String {
    use crate::pages::layout::escape;
    let csrf = who.csrf.clone().unwrap_or_default();
    let bar = format!(
        "<div class=\"user\"><span>{}（{}{}）</span>{}<form method=\"post\" action=\"/logout\" class=\"inline\"><button type=\"submit\">退出</button></form></div>",
        escape(&who.display_name),
        who.role.label(),
        if who.scope.is_empty() { String::new() } else { format!("：{}", escape(&who.scope)) },
        if who.role == innomesh_app::Role::SecurityAdmin {
            "<a href=\"/admin/users\">账号管理</a>"
        } else if who.may(innomesh_app::Perm::Audit) {
            "<a href=\"/audit\">审计日志</a>"
        } else {
            ""
        },
    );
    // The version only for signed-in users: an anonymous visitor (the login page, an error
    // answer) learns nothing about what runs here.
    let html = without_forbidden_sections(html, who);
    let html = html.replacen(USER_MARKER, &bar, 1).replacen(
        "<!--innomesh:version-->",
        &format!(" · 版本 {}", crate::VERSION),
        1,
    );
    // Every post form gets the session's token: as a hidden field, and in the action URL for
    // file uploads (a multipart body is read by its handler, not here).
    let mut out = String::with_capacity(html.len() + 1024);
    let mut rest = html.as_str();
    while let Some(i) = rest.find("<form") {
        let Some(end) = rest[i..].find('>') else {
            break;
        };
        let tag = &rest[i..i + end + 1];
        out.push_str(&rest[..i]);
        let lower = tag.to_ascii_lowercase();
        if lower.contains("method=\"post\"") {
            let mut tag = tag.to_string();
            if lower.contains("multipart/form-data") {
                if let Some(a) = tag.find("action=\"") {
                    let start = a + "action=\"".len();
                    if let Some(len) = tag[start..].find('"') {
                        let action = &tag[start..start + len];
                        let sep = if action.contains('?') { "&amp;" } else { "?" };
                        let new_action = format!("{action}{sep}_csrf={csrf}");
                        tag.replace_range(start..start + len, &new_action);
                    }
                }
            }
            out.push_str(&tag);
            out.push_str(&format!(
                "<input type=\"hidden\" name=\"_csrf\" value=\"{csrf}\">"
            ));
        } else {
            out.push_str(tag);
        }
        rest = &rest[i + end + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_forms() {
        assert_eq!(
            form_value("a=1&_csrf=ab%20c", "_csrf").as_deref(),
            Some("ab c")
        );
        assert_eq!(form_value("a=1", "_csrf"), None);
        assert_eq!(percent_decode("%E4%B8%AD+x%"), "中 x%");
    }
}
