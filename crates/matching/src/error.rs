//! The one error type of the crate: a stable code, a Chinese message, and the input line when known.

use thiserror::Error;

/// An input or dictionary error. `code` is stable (for API clients); `message` is for people.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
#[error("[{code}] {message}")]
pub struct MatchError {
    /// Stable machine-readable code, e.g. `matching.bad_pair_line`.
    pub code: &'static str,
    /// Chinese message that says what was wrong and how to fix it.
    pub message: String,
    /// 1-based line number of the offending input, when the error comes from a line.
    pub line: Option<usize>,
}

impl MatchError {
    /// An error not tied to a line.
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            line: None,
        }
    }

    /// An error on input line `line` (1-based); the message is prefixed with 「第 N 行」.
    pub fn at_line(code: &'static str, line: usize, message: impl AsRef<str>) -> Self {
        Self {
            code,
            message: format!("第 {line} 行：{}", message.as_ref()),
            line: Some(line),
        }
    }

    /// Wraps an IO failure while reading or writing.
    pub fn io(err: &std::io::Error) -> Self {
        Self::new("matching.io", format!("读写失败：{err}"))
    }
}
