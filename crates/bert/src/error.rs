//! What can go wrong loading a model directory; every message says what to fix, in Chinese.

use std::path::PathBuf;

/// A model directory that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum BertError {
    #[error("模型目录「{0}」不存在或不是目录：请指向含 config.json、vocab.txt（或 tokenizer.json）、model.safetensors 的本地目录")]
    NotADirectory(PathBuf),
    #[error("模型目录缺少文件「{0}」：BERT 系列模型目录应含 config.json、vocab.txt（或 tokenizer.json）、model.safetensors（pytorch_model.bin 请先转换为 safetensors）")]
    MissingFile(PathBuf),
    #[error("无法读取「{path}」：{reason}")]
    Io { path: PathBuf, reason: String },
    #[error("config.json 无效：{0}")]
    Config(String),
    #[error("vocab.txt 无效：{0}")]
    Vocab(String),
    #[error("tokenizer.json 无效：{0}")]
    Tokenizer(String),
    #[error("句向量配置无效：{0}")]
    Sentence(String),
    #[error("model.safetensors 无效：{0}")]
    Weights(String),
    #[error("model.safetensors 缺少张量「{0}」（带或不带「bert.」前缀都没有找到）：该目录可能不是 BERT 系列编码器，或 config.json 的层数与权重不符")]
    MissingTensor(String),
    #[error("张量「{name}」的形状为 {found:?}，按 config.json 应为 {expected:?}")]
    BadShape {
        name: String,
        found: Vec<usize>,
        expected: Vec<usize>,
    },
    #[error("模型计算失败：{0}")]
    Compute(String),
}

impl From<candle_core::Error> for BertError {
    fn from(e: candle_core::Error) -> Self {
        BertError::Compute(e.to_string())
    }
}
