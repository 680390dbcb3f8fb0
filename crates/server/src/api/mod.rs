//! The JSON API under `/api`: one router per feature.

mod alloc;
pub mod assessment;
pub mod chains;
pub mod deals;
mod dictionaries;
pub(crate) mod funding;
mod matching;
pub mod policy;
mod reference;
pub mod registry;
pub mod search;
pub mod sharing;
mod suggest;
pub mod transfer;
mod workflow;

#[allow(unused_imports)]
use crate::error::HttpStatus;
use crate::error::{ApiError, Code};
use crate::AppState;
use axum::extract::DefaultBodyLimit;
use axum::Router;

/// Largest JSON body accepted for a single record.
pub const JSON_LIMIT: usize = 1024 * 1024;
/// Largest import file accepted.
pub const FILE_LIMIT: usize = 200 * 1024 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(registry::router().layer(DefaultBodyLimit::max(JSON_LIMIT)))
        .merge(transfer::router().layer(DefaultBodyLimit::max(FILE_LIMIT)))
        .merge(reference::router())
        .merge(chains::router().layer(DefaultBodyLimit::max(JSON_LIMIT)))
        .merge(funding::router().layer(DefaultBodyLimit::max(JSON_LIMIT)))
        .merge(alloc::router().layer(DefaultBodyLimit::max(JSON_LIMIT)))
        .merge(matching::router())
        .merge(policy::router().layer(DefaultBodyLimit::max(JSON_LIMIT)))
        .merge(search::router())
        .merge(dictionaries::router().layer(DefaultBodyLimit::max(JSON_LIMIT)))
        .merge(workflow::router().layer(DefaultBodyLimit::max(JSON_LIMIT)))
        .merge(assessment::router().layer(DefaultBodyLimit::max(JSON_LIMIT)))
        .merge(
            assessment::evidence_router()
                .layer(DefaultBodyLimit::max(assessment::EVIDENCE_BODY_LIMIT)),
        )
        .merge(sharing::router().layer(DefaultBodyLimit::max(JSON_LIMIT)))
        .merge(deals::router().layer(DefaultBodyLimit::max(JSON_LIMIT)))
        .merge(suggest::router())
        .route(
            "/api/openapi.json",
            axum::routing::get(crate::openapi::document),
        )
}

/// Unknown paths: JSON under `/api`, a page elsewhere.
/// A path that exists without the request's method: 405, `Allow` (set by the router) naming the
/// methods it has, and for the API the `{code, message}` body.
pub async fn method_not_allowed(
    method: axum::http::Method,
    uri: axum::http::Uri,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    if uri.path().starts_with("/api") {
        ApiError::new(
            Code::MethodNotAllowed,
            format!(
                "{} 不支持 {method} 请求：支持的方法见响应头 Allow 和 /api/openapi.json",
                uri.path()
            ),
        )
        .into_response()
    } else {
        (
            axum::http::StatusCode::METHOD_NOT_ALLOWED,
            axum::response::Html(crate::pages::page(
                "不支持的请求方法",
                "<h1>不支持的请求方法</h1><p><a href=\"/\">返回首页</a></p>",
                None,
            )),
        )
            .into_response()
    }
}

pub async fn fallback(uri: axum::http::Uri) -> axum::response::Response {
    use axum::response::IntoResponse;
    if uri.path().starts_with("/api") {
        ApiError::not_found("没有这个接口：请查看 /api/openapi.json").into_response()
    } else {
        (
            axum::http::StatusCode::NOT_FOUND,
            axum::response::Html(crate::pages::page(
                "页面不存在",
                "<h1>页面不存在</h1><p><a href=\"/\">返回首页</a></p>",
                None,
            )),
        )
            .into_response()
    }
}

/// Query parameters as given, without a rejection that answers in English.
pub type Params = Vec<(String, String)>;

/// A whole number from 0 to `max`, `default` when the parameter is absent.
pub fn number(params: &Params, key: &str, default: usize, max: usize) -> Result<usize, ApiError> {
    match given(params, key) {
        None => Ok(default),
        Some(v) => v
            .trim()
            .parse::<usize>()
            .ok()
            .filter(|n| *n <= max)
            .ok_or_else(|| {
                ApiError::new(
                    Code::InvalidQuery,
                    format!("参数 {key}「{v}」应为 0 到 {max} 之间的整数"),
                )
            }),
    }
}

pub fn param<'a>(params: &'a Params, key: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.trim().is_empty())
}

/// A parameter as given, an empty value included: where "absent" has a default, an empty number
/// or format is an error (`?per_page=`), not the default.
pub fn given<'a>(params: &'a Params, key: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

pub fn kind_of(segment: &str) -> Result<innomesh_core::EntityKind, ApiError> {
    innomesh_core::EntityKind::from_plural(segment).ok_or_else(|| {
        let all: Vec<&str> = innomesh_core::EntityKind::ALL
            .iter()
            .map(|k| k.plural())
            .collect();
        ApiError::new(
            Code::UnknownKind,
            format!("没有「{segment}」这种记录类型，可用：{}", all.join("、")),
        )
    })
}

/// Reads the body, turning a too-large or broken body into our error contract.
pub fn body_bytes(
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
    limit: usize,
) -> Result<axum::body::Bytes, ApiError> {
    body.map_err(|e| {
        if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                Code::PayloadTooLarge,
                format!("请求体过大：上限 {} MB", limit / 1024 / 1024),
            )
        } else {
            ApiError::new(Code::BadJson, format!("无法读取请求体：{e}"))
        }
    })
}

pub fn query_params(
    q: Result<axum::extract::Query<Params>, axum::extract::rejection::QueryRejection>,
) -> Result<Params, ApiError> {
    q.map(|axum::extract::Query(p)| p)
        .map_err(|_| ApiError::new(Code::InvalidQuery, "查询参数无法解析"))
}
