//! Import and export of whole files: `/api/{kind}/import`, `/export`, `/template`.

use super::{body_bytes, kind_of, param, query_params, Params, FILE_LIMIT};
use crate::auth::Who;
use crate::error::{ApiError, Code};
use crate::state::blocking;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use innomesh_app::transfer::NoProgress;
use innomesh_sheets::pipeline::{export_filtered_bytes, file_name, template_bytes};
use innomesh_sheets::Format;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/{kind}/import", post(import))
        .route("/api/{kind}/export", get(export))
        .route("/api/{kind}/template", get(template))
}

/// `format=csv|xlsx` (or a file name ending so). Given but empty or unknown is refused rather
/// than silently defaulted: the caller asked for something we cannot give.
fn format_param(params: &Params, default: Format) -> Result<Format, ApiError> {
    match params
        .iter()
        .find(|(k, _)| k == "format")
        .map(|(_, v)| v.trim())
    {
        None => Ok(default),
        Some(f) => Format::guess(f).ok_or_else(|| {
            ApiError::new(
                Code::UnsupportedFormat,
                format!("格式「{f}」不支持，可选 csv、xlsx"),
            )
        }),
    }
}

/// Attachment download with a UTF-8 file name (RFC 5987), so Chinese names survive.
pub fn attachment(bytes: Vec<u8>, name: &str, mime: &str) -> Response {
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    (
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"download\"; filename*=UTF-8''{encoded}"),
            ),
        ],
        bytes,
    )
        .into_response()
}

async fn import(
    State(st): State<AppState>,
    Who(who): Who,
    Path(kind): Path<String>,
    params: Result<Query<Params>, QueryRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let kind = kind_of(&kind)?;
    let params = query_params(params)?;
    let body = body_bytes(body, FILE_LIMIT)?;
    if body.is_empty() {
        return Err(ApiError::new(
            Code::BadFile,
            "请求体为空：请上传 CSV 或 XLSX 文件",
        ));
    }
    let format = format_param(&params, Format::sniff(&body))?;
    if !crate::auth::IMPORT_LIMIT.hit(&who.username) {
        return Err(ApiError::new(
            Code::TooManyRequests,
            "导入过于频繁（每分钟最多 20 次），请稍后再试",
        ));
    }
    let source = param(&params, "filename").unwrap_or("api").to_string();
    let outcome =
        blocking(move || st.import_file(&who, kind, &body, format, &source, &NoProgress)).await??;
    Ok(Json(
        serde_json::to_value(&outcome).map_err(ApiError::internal)?,
    ))
}

async fn export(
    State(st): State<AppState>,
    Who(who): Who,
    Path(kind): Path<String>,
    params: Result<Query<Params>, QueryRejection>,
) -> Result<Response, ApiError> {
    let kind = kind_of(&kind)?;
    let params = query_params(params)?;
    let format = format_param(&params, Format::Xlsx)?;
    let q = super::registry::list_query(kind, &params)?;
    let reason = (param(&params, "personal") == Some("full"))
        .then(|| param(&params, "reason").unwrap_or("").to_string());
    let full = reason.is_some();
    let label = st.sample_label();
    let repo = st.clone();
    let label2 = label.clone();
    let bytes = blocking(move || -> Result<Vec<u8>, ApiError> {
        who.require(innomesh_app::Perm::Export)?;
        if let Some(reason) = &reason {
            repo.log_unmask(&who, None, reason, &format!("导出（{}）", kind.label()))?;
        }
        // The list's filters (the page's 「导出」 link carries them): the file holds what the
        // list shows and says so on its first line.
        let described = repo.describe_filters(&who, &q, &|k, v| {
            crate::pages::view::filter_label(kind, k, v)
        })?;
        let records = repo.export_records(&who, &q)?;
        export_filtered_bytes(&records, kind, format, full, label2.as_deref(), &described)
            .map_err(ApiError::internal)
    })
    .await??;
    Ok(attachment(
        bytes,
        &file_name(kind, "", format, label.is_some()),
        format.mime(),
    ))
}

async fn template(
    Path(kind): Path<String>,
    params: Result<Query<Params>, QueryRejection>,
) -> Result<Response, ApiError> {
    let kind = kind_of(&kind)?;
    let params = query_params(params)?;
    let format = format_param(&params, Format::Xlsx)?;
    let bytes = template_bytes(kind, format).map_err(ApiError::internal)?;
    Ok(attachment(
        bytes,
        &file_name(kind, "-导入模板", format, false),
        format.mime(),
    ))
}
