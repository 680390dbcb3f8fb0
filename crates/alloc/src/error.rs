//! The one error type of the crate: what went wrong with the input, in Chinese first, English after.

use thiserror::Error;

/// Every failure the optimiser reports. Messages say what was wrong and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AllocError {
    /// The instance text ended before all numbers were read.
    #[error("实例文本在第 {position} 个数字处提前结束：需要{expected} / instance text ended at token {position}: expected {expected}")]
    UnexpectedEnd { position: usize, expected: String },
    /// A token is not the kind of number the format needs.
    #[error("第 {position} 个数字「{token}」无效：需要{expected} / token {position} `{token}` is invalid: expected {expected}")]
    BadToken {
        position: usize,
        token: String,
        expected: String,
    },
    /// The numbers parse but describe an impossible instance.
    #[error("实例不合法：{reason_zh} / invalid instance: {reason_en}")]
    InvalidInstance {
        reason_zh: String,
        reason_en: String,
    },
    /// The configuration asks for something the solver cannot do.
    #[error("配置不合法：{reason_zh} / invalid configuration: {reason_en}")]
    InvalidConfig {
        reason_zh: String,
        reason_en: String,
    },
}

impl AllocError {
    pub(crate) fn invalid(zh: impl Into<String>, en: impl Into<String>) -> Self {
        AllocError::InvalidInstance {
            reason_zh: zh.into(),
            reason_en: en.into(),
        }
    }

    pub(crate) fn config(zh: impl Into<String>, en: impl Into<String>) -> Self {
        AllocError::InvalidConfig {
            reason_zh: zh.into(),
            reason_en: en.into(),
        }
    }
}
