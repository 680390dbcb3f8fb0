//! The one error type of the chain engine: a stable code plus a Chinese message saying what to fix.

/// Everything that can go wrong when models, rules or inputs are handed to the engine.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ChainError {
    /// A chain model file is not valid JSON or has the wrong shape.
    #[error("链模型文件格式错误：{0}")]
    ModelSyntax(String),
    /// A chain model parsed but breaks a rule (duplicate id, unknown edge target, cycle …).
    #[error("链模型「{chain}」有误：{message}")]
    InvalidModel { chain: String, message: String },
    /// Diagnosis rules, mapping or targeting configuration are malformed.
    #[error("配置有误：{0}")]
    InvalidConfig(String),
    /// Input records (organisations, supplies, relations, ledger entries) are malformed.
    #[error("输入数据有误：{0}")]
    InvalidInput(String),
    /// A node key such as `rare_earth/magnet` is not in any loaded chain.
    #[error("未找到链节点「{0}」，节点键应为「链编号/节点编号」，例如 rare_earth/magnet")]
    UnknownNode(String),
}

impl ChainError {
    /// Stable machine-readable code for the API error table.
    pub fn code(&self) -> &'static str {
        match self {
            ChainError::ModelSyntax(_) => "chain.model_syntax",
            ChainError::InvalidModel { .. } => "chain.invalid_model",
            ChainError::InvalidConfig(_) => "chain.invalid_config",
            ChainError::InvalidInput(_) => "chain.invalid_input",
            ChainError::UnknownNode(_) => "chain.unknown_node",
        }
    }
}
