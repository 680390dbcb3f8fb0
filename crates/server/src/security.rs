//! HTTP hardening applied to every route: security headers on every answer, and for writes a
//! same-origin check and no "simple" cross-site bodies (a form post or `text/plain` from another
//! site must not reach a JSON write).

use crate::error::ApiError;
use axum::extract::Request;
use axum::http::{header, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use innomesh_app::Code;

/// Content-Security-Policy: no inline script anywhere (the pages have none), nothing from other
/// origins, never framed.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/// The address users reach the server at (`https://kjj.baotou.gov.cn`), when configured: behind
/// a reverse proxy the Host header may be the proxy's, so writes are checked against this.
static PUBLIC_ORIGIN: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Sets the public address (scheme, host and port, no path) writes must come from.
pub fn set_public_origin(url: &str) -> Result<(), String> {
    let trimmed = url.trim().trim_end_matches('/');
    if !(trimmed.starts_with("http://") || trimmed.starts_with("https://"))
        || trimmed
            .split("://")
            .nth(1)
            .is_none_or(|h| h.is_empty() || h.contains('/'))
    {
        return Err(format!(
            "公开地址「{url}」无效：应为 http(s)://主机[:端口]，例如 https://kjj.baotou.gov.cn"
        ));
    }
    let _ = PUBLIC_ORIGIN.set(trimmed.to_ascii_lowercase());
    Ok(())
}

fn is_write(m: &Method) -> bool {
    !matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// The host part of an `Origin` header (`http://host:port` → `host:port`).
fn origin_host(origin: &str) -> Option<&str> {
    let rest = origin.split_once("://")?.1;
    Some(rest.trim_end_matches('/'))
}

/// Bodies a page on another site can send without the browser asking first (CORS "simple").
fn is_simple_body(content_type: Option<&str>) -> bool {
    let ct = content_type
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    matches!(
        ct.as_str(),
        "" | "text/plain" | "application/x-www-form-urlencoded" | "multipart/form-data"
    )
}

pub async fn guard(req: Request, next: Next) -> Response {
    if is_write(req.method()) {
        let headers = req.headers();
        if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
            let host = headers
                .get(header::HOST)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            let allowed = match PUBLIC_ORIGIN.get() {
                Some(public) => origin.eq_ignore_ascii_case(public),
                None => origin_host(origin) == Some(host),
            };
            if origin != "null" && !allowed {
                return with_headers(
                    ApiError::new(
                        Code::Forbidden,
                        format!("拒绝来自其他网站（{origin}）的写请求"),
                    )
                    .into_response(),
                );
            }
        }
        let path = req.uri().path();
        // Only these carry a body; any other method (DELETE, TRACE, …) goes on to the router,
        // which answers 405 where the route does not have it.
        let has_body = matches!(*req.method(), Method::POST | Method::PUT | Method::PATCH);
        // Only a declared operation: an undeclared method goes on to the router's 405 (with
        // `Allow`), which writes nothing either.
        if path.starts_with("/api/")
            && has_body
            && crate::openapi::is_operation(req.method().as_str(), path)
        {
            let ct = headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok());
            if is_simple_body(ct) {
                return with_headers(
                    ApiError::new(
                        Code::UnsupportedMediaType,
                        "接口写请求须声明 Content-Type：JSON 用 application/json，导入文件用 application/octet-stream、text/csv 或 XLSX 类型",
                    )
                    .into_response(),
                );
            }
        }
    }
    with_headers(next.run(req).await)
}

fn with_headers(mut res: Response) -> Response {
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simple_bodies() {
        assert!(is_simple_body(None));
        assert!(is_simple_body(Some("text/plain;charset=UTF-8")));
        assert!(is_simple_body(Some("multipart/form-data; boundary=x")));
        assert!(!is_simple_body(Some("application/json")));
        assert!(!is_simple_body(Some("application/octet-stream")));
        assert_eq!(origin_host("http://127.0.0.1:8080"), Some("127.0.0.1:8080"));
    }
}
