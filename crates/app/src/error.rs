//! The one error contract: every failure a user can cause has a `Code` with a stable string, an
//! HTTP status (for `server`) and a Chinese default message. The table in the OpenAPI document and
//! on `/api` is generated from `Code::ALL`, so it cannot drift from what the server answers.

use innomesh_core::tabular::RowError;
use innomesh_store::StoreError;
use serde::Serialize;

/// Stable error codes (modelled on meilisearch's `Code`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Code {
    BadJson,
    InvalidField,
    UnknownReference,
    InvalidQuery,
    UnknownKind,
    NotFound,
    Conflict,
    Referenced,
    PayloadTooLarge,
    UnsupportedFormat,
    ImportRejected,
    BadFile,
    InvalidTransition,
    ReindexFailed,
    InvalidDictionary,
    Unauthorized,
    Forbidden,
    UnsupportedMediaType,
    MethodNotAllowed,
    SecondFactorRequired,
    AccountLocked,
    CsrfFailed,
    TooManyRequests,
    Internal,
    AmbiguousReference,
    StatusNotInitial,
}

impl Code {
    pub const ALL: [Code; 26] = [
        Code::BadJson,
        Code::InvalidField,
        Code::UnknownReference,
        Code::InvalidQuery,
        Code::UnknownKind,
        Code::NotFound,
        Code::Conflict,
        Code::Referenced,
        Code::PayloadTooLarge,
        Code::UnsupportedFormat,
        Code::ImportRejected,
        Code::BadFile,
        Code::InvalidTransition,
        Code::ReindexFailed,
        Code::InvalidDictionary,
        Code::Unauthorized,
        Code::Forbidden,
        Code::UnsupportedMediaType,
        Code::MethodNotAllowed,
        Code::SecondFactorRequired,
        Code::AccountLocked,
        Code::CsrfFailed,
        Code::TooManyRequests,
        Code::Internal,
        Code::AmbiguousReference,
        Code::StatusNotInitial,
    ];

    /// The string clients compare against.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::BadJson => "bad_json",
            Code::InvalidField => "invalid_field",
            Code::UnknownReference => "unknown_reference",
            Code::InvalidQuery => "invalid_query",
            Code::UnknownKind => "unknown_kind",
            Code::NotFound => "not_found",
            Code::Conflict => "conflict",
            Code::Referenced => "referenced",
            Code::PayloadTooLarge => "payload_too_large",
            Code::UnsupportedFormat => "unsupported_format",
            Code::ImportRejected => "import_rejected",
            Code::BadFile => "bad_file",
            Code::InvalidTransition => "invalid_transition",
            Code::ReindexFailed => "reindex_failed",
            Code::InvalidDictionary => "invalid_dictionary",
            Code::Unauthorized => "unauthorized",
            Code::Forbidden => "forbidden",
            Code::UnsupportedMediaType => "unsupported_media_type",
            Code::MethodNotAllowed => "method_not_allowed",
            Code::SecondFactorRequired => "second_factor_required",
            Code::AccountLocked => "account_locked",
            Code::CsrfFailed => "csrf_failed",
            Code::TooManyRequests => "too_many_requests",
            Code::Internal => "internal",
            Code::AmbiguousReference => "ambiguous_reference",
            Code::StatusNotInitial => "status_not_initial",
        }
    }

    /// The HTTP status `server` answers with.
    pub fn status(self) -> u16 {
        match self {
            Code::BadJson | Code::InvalidQuery | Code::BadFile => 400,
            Code::Unauthorized | Code::SecondFactorRequired => 401,
            Code::CsrfFailed => 403,
            Code::AccountLocked => 423,
            Code::MethodNotAllowed => 405,
            Code::TooManyRequests => 429,
            Code::Forbidden => 403,
            Code::UnknownKind | Code::NotFound => 404,
            Code::Conflict | Code::Referenced => 409,
            Code::PayloadTooLarge => 413,
            Code::UnsupportedFormat | Code::UnsupportedMediaType => 415,
            Code::InvalidField
            | Code::UnknownReference
            | Code::ImportRejected
            | Code::InvalidTransition
            | Code::InvalidDictionary
            | Code::AmbiguousReference
            | Code::StatusNotInitial => 422,
            Code::ReindexFailed | Code::Internal => 500,
        }
    }

    /// What the code means, in Chinese (the published table).
    pub fn description(self) -> &'static str {
        match self {
            Code::BadJson => "请求体不是合法的 JSON",
            Code::InvalidField => "字段缺失、类型不对或取值无效",
            Code::UnknownReference => {
                "引用的记录（组织的统一社会信用代码或其他记录的编号）不在登记库中"
            }
            Code::InvalidQuery => "查询参数无效（如未知的区划代码、行业代码、分页参数）",
            Code::UnknownKind => "没有这种记录类型",
            Code::NotFound => "记录不存在",
            Code::Conflict => "与现有数据冲突（如编号已存在）",
            Code::Referenced => "记录仍被其他记录引用，不能删除；消息列出引用它的记录",
            Code::PayloadTooLarge => "请求体过大",
            Code::UnsupportedFormat => {
                "文件格式不支持（导入只接受 CSV、XLSX；佐证材料只接受 PDF、PNG、JPEG、XLSX，按内容判断）"
            }
            Code::ImportRejected => "导入文件有错误行，未写入任何数据；errors 列出每一处",
            Code::BadFile => "文件无法读取",
            Code::InvalidTransition => {
                "需求流转不合规则（只能逐级推进；退回须写原因；目标状态无效）"
            }
            Code::ReindexFailed => {
                "数据已保存，但搜索索引未能重建；检索暂按原样，请运行 innomesh reindex"
            }
            Code::InvalidDictionary => "词典内容有误（消息指出第几行、如何改）；未保存",
            Code::Unauthorized => {
                "未登录或登录已过期：请先登录，或在 Authorization 头中提供有效令牌"
            }
            Code::Forbidden => "没有权限执行此操作（或请求来自其他网站）",
            Code::UnsupportedMediaType => {
                "请求体类型不对：JSON 接口要求 Content-Type: application/json"
            }
            Code::MethodNotAllowed => "该地址不支持此请求方法；响应头 Allow 列出支持的方法",
            Code::SecondFactorRequired => "管理员账号须再输入动态口令（TOTP）才能继续",
            Code::AccountLocked => "连续登录失败次数过多，账号暂时锁定；消息给出解锁时间",
            Code::CsrfFailed => "表单已过期或来源不明（缺少有效的防跨站令牌），请刷新页面后重试",
            Code::TooManyRequests => "请求过于频繁，请稍后再试",
            Code::Internal => "服务器内部错误",
            Code::AmbiguousReference => {
                "按名称填写的引用对应多条记录（或没有完全同名的记录）：消息列出候选的名称与代码，请改填代码或选择其一"
            }
            Code::StatusNotInitial => {
                "新建的记录只能处于流程的初始状态（需求：已发布；技术交易：意向），之后按流程逐级流转"
            }
        }
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A refused or failed operation: a code, a Chinese message for the user, and for imports every
/// bad cell.
#[derive(Debug, Clone, Serialize)]
pub struct Error {
    pub code: Code,
    pub message: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<RowError>,
}

impl Error {
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            errors: vec![],
        }
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(Code::NotFound, message)
    }
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(Code::InvalidField, message)
    }
    pub fn query(message: impl Into<String>) -> Self {
        Self::new(Code::InvalidQuery, message)
    }
    /// An internal failure: the detail goes to the log, the user gets the generic message.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        eprintln!("internal error: {detail}");
        Self::new(Code::Internal, "服务器内部错误，请联系管理员查看日志")
    }
    pub fn with_errors(mut self, errors: Vec<RowError>) -> Self {
        self.errors = errors;
        self
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { .. } => Self::not_found(e.to_string()),
            StoreError::Conflict(m) => Self::new(Code::Conflict, m),
            StoreError::Referenced(m) => Self::new(Code::Referenced, m),
            StoreError::UnknownReference(m) => Self::new(Code::UnknownReference, m),
            StoreError::Invalid(m) => Self::new(Code::InvalidField, m),
            StoreError::Rule(m) => Self::new(Code::InvalidTransition, m),
            StoreError::Database(d) => Self::internal(d),
            // The key's trouble is the operator's to fix; the message is logged, not shown.
            StoreError::DataKey(d) => Self::internal(d),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_all_listed() {
        let mut seen = std::collections::HashSet::new();
        for c in Code::ALL {
            assert!(seen.insert(c.as_str()), "duplicate {c}");
            assert!((400..600).contains(&c.status()));
            assert!(!c.description().is_empty());
            // serde's name and as_str agree
            assert_eq!(serde_json::to_value(c).unwrap(), c.as_str());
        }
    }
}
