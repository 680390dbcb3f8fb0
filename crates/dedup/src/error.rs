//! The crate's error contract: a stable code per kind of problem and a Chinese-first message
//! that names the input line and says how to fix it.

use serde::Serialize;
use thiserror::Error;

/// Stable codes for input problems (never renamed; clients may match on them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum ErrorCode {
    /// The line is not valid JSON.
    #[serde(rename = "dedup.invalid_json")]
    InvalidJson,
    /// The line is not UTF-8.
    #[serde(rename = "dedup.invalid_utf8")]
    InvalidUtf8,
    /// The line is JSON but not an object.
    #[serde(rename = "dedup.not_object")]
    NotObject,
    /// A required field is absent.
    #[serde(rename = "dedup.missing_field")]
    MissingField,
    /// A field has the wrong JSON type.
    #[serde(rename = "dedup.wrong_type")]
    WrongType,
    /// The id is empty.
    #[serde(rename = "dedup.empty_id")]
    EmptyId,
    /// The text is empty or whitespace.
    #[serde(rename = "dedup.empty_text")]
    EmptyText,
    /// The text exceeds the limit.
    #[serde(rename = "dedup.text_too_long")]
    TextTooLong,
    /// The id was already used on an earlier line.
    #[serde(rename = "dedup.duplicate_id")]
    DuplicateId,
}

impl ErrorCode {
    /// The code as a string, e.g. `dedup.missing_field`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidJson => "dedup.invalid_json",
            ErrorCode::InvalidUtf8 => "dedup.invalid_utf8",
            ErrorCode::NotObject => "dedup.not_object",
            ErrorCode::MissingField => "dedup.missing_field",
            ErrorCode::WrongType => "dedup.wrong_type",
            ErrorCode::EmptyId => "dedup.empty_id",
            ErrorCode::EmptyText => "dedup.empty_text",
            ErrorCode::TextTooLong => "dedup.text_too_long",
            ErrorCode::DuplicateId => "dedup.duplicate_id",
        }
    }
}

/// One problem on one input line (1-based; 0 when not tied to a line).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InputError {
    /// 1-based line number.
    pub line: usize,
    /// Stable code.
    pub code: ErrorCode,
    /// Chinese message naming the line, with the fix.
    pub message: String,
}

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "[{}] {}", self.code.as_str(), self.message)
    }
}

/// Every failure of the crate.
#[derive(Debug, Error)]
pub enum DedupError {
    /// The input has bad lines; nothing was written. `errors` lists the first ones,
    /// `total` counts all.
    #[error("输入有 {total} 处错误，未输出任何结果。{}", first_messages(.errors))]
    InvalidInput {
        /// The first problems found (at most [`crate::input::MAX_REPORTED_ERRORS`]).
        errors: Vec<InputError>,
        /// Number of problems in the whole input.
        total: usize,
    },
    /// An application with this id is already in the index.
    #[error("申报书编号「{id}」已存在于索引中，请使用新的编号 / id `{id}` is already indexed")]
    DuplicateId {
        /// The id.
        id: String,
    },
    /// The index holds the most applications it can address.
    #[error(
        "索引已满（上限 {limit} 份申报书），请分库存放 / index is full ({limit} applications)"
    )]
    Full {
        /// The limit.
        limit: usize,
    },
    /// Reading the input failed.
    #[error("读取输入失败：{0} / reading input failed")]
    Read(std::io::Error),
    /// Writing the output failed.
    #[error("写出结果失败：{0} / writing output failed")]
    Write(std::io::Error),
}

fn first_messages(errors: &[InputError]) -> String {
    errors
        .iter()
        .map(|e| e.to_string())
        .collect::<Vec<_>>()
        .join("；")
}

impl DedupError {
    /// Stable code of the error as a whole.
    pub fn code(&self) -> &'static str {
        match self {
            DedupError::InvalidInput { errors, .. } => errors
                .first()
                .map(|e| e.code.as_str())
                .unwrap_or("dedup.invalid_input"),
            DedupError::DuplicateId { .. } => ErrorCode::DuplicateId.as_str(),
            DedupError::Full { .. } => "dedup.index_full",
            DedupError::Read(_) => "dedup.read_failed",
            DedupError::Write(_) => "dedup.write_failed",
        }
    }
}
