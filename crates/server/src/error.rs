//! The one error contract: `{code, message}` with a stable code, an HTTP status and a Chinese
//! message. Internal details go to the log, never to the client.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use innomesh_core::tabular::RowError;
use innomesh_store::StoreError;
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct ApiError {
    #[serde(skip)]
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<RowError>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            errors: vec![],
        }
    }
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        eprintln!("internal error: {detail}");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "服务器内部错误，请联系管理员查看日志",
        )
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { .. } => Self::not_found(e.to_string()),
            StoreError::Conflict(m) => Self::new(StatusCode::CONFLICT, "conflict", m),
            StoreError::UnknownReference(m) => {
                Self::new(StatusCode::UNPROCESSABLE_ENTITY, "unknown_reference", m)
            }
            StoreError::Invalid(m) => {
                Self::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", m)
            }
            StoreError::Rule(m) => {
                Self::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_transition", m)
            }
            StoreError::Database(d) => Self::internal(d),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(&self)).into_response()
    }
}

/// Stable codes and what they mean, published in the OpenAPI document.
pub const ERROR_CODES: &[(&str, u16, &str)] = &[
    ("bad_json", 400, "请求体不是合法的 JSON"),
    ("invalid_field", 422, "字段缺失、类型不对或取值无效"),
    (
        "unknown_reference",
        422,
        "引用的组织（统一社会信用代码）不在登记库中",
    ),
    (
        "invalid_query",
        400,
        "查询参数无效（如未知的区划代码、行业代码、分页参数）",
    ),
    ("unknown_kind", 404, "没有这种记录类型"),
    ("not_found", 404, "记录不存在"),
    ("conflict", 409, "与现有数据冲突（如编号已存在、仍被引用）"),
    ("payload_too_large", 413, "请求体过大"),
    (
        "unsupported_format",
        415,
        "文件格式不支持（只接受 CSV、XLSX）",
    ),
    (
        "import_rejected",
        422,
        "导入文件有错误行，未写入任何数据；errors 列出每一处",
    ),
    ("bad_file", 400, "文件无法读取"),
    (
        "invalid_transition",
        422,
        "需求流转不合规则（只能逐级推进；退回须写原因；目标状态无效）",
    ),
    (
        "reindex_failed",
        500,
        "数据已保存，但搜索索引未能重建；检索暂按原样，请运行 innomesh reindex",
    ),
    (
        "invalid_dictionary",
        422,
        "词典内容有误（消息指出第几行、如何改）；未保存",
    ),
    ("internal", 500, "服务器内部错误"),
];
