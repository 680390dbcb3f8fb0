//! How a sentence becomes one vector, from the sentence-transformers files of a model directory
//! (all optional; without them: mean pooling, no prompt, as before):
//!
//! - `modules.json`: the module pipeline; Transformer, Pooling and Normalize are what this crate
//!   runs (it always normalises). Any other module (Dense, …) would be silently skipped, so it is
//!   refused.
//! - `1_Pooling/config.json` (or the Pooling module's path): `pooling_mode_mean_tokens` or
//!   `pooling_mode_cls_token`; other modes are refused.
//! - `config_sentence_transformers.json`: `prompts` and `default_prompt_name`; the default
//!   prompt is put before every text (multilingual-e5 expects "query: " on both sides of a
//!   symmetric comparison).

use std::path::Path;

use serde_json::Value;

use crate::error::BertError;

/// Which token states make the sentence vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pooling {
    /// Mean over the real (unpadded) tokens.
    Mean,
    /// The first token's state (`[CLS]` / `<s>`).
    Cls,
}

/// The sentence-level settings read from a model directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentenceConfig {
    pub pooling: Pooling,
    /// Put before every text; empty when the directory names no default prompt.
    pub prompt: String,
}

impl Default for SentenceConfig {
    fn default() -> Self {
        Self {
            pooling: Pooling::Mean,
            prompt: String::new(),
        }
    }
}

fn read_json(path: &Path) -> Result<Option<Value>, BertError> {
    if !path.is_file() {
        return Ok(None);
    }
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| BertError::Io {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|e| BertError::Sentence(format!("「{name}」不是合法的 JSON（{e}）")))
}

const TRANSFORMER: &str = "sentence_transformers.models.Transformer";
const POOLING: &str = "sentence_transformers.models.Pooling";
const NORMALIZE: &str = "sentence_transformers.models.Normalize";

impl SentenceConfig {
    /// Reads the optional sentence-transformers files of `dir`.
    pub fn load(dir: &Path) -> Result<Self, BertError> {
        let mut pooling_dir = dir.join("1_Pooling");
        if let Some(modules) = read_json(&dir.join("modules.json"))? {
            let list = modules
                .as_array()
                .ok_or_else(|| BertError::Sentence("modules.json 应为模块列表".into()))?;
            for m in list {
                let kind = m["type"].as_str().unwrap_or("");
                match kind {
                    TRANSFORMER | NORMALIZE => {}
                    POOLING => {
                        if let Some(p) = m["path"].as_str() {
                            pooling_dir = dir.join(p);
                        }
                    }
                    other => {
                        return Err(BertError::Sentence(format!(
                            "modules.json 含不支持的模块「{other}」（只支持 Transformer、Pooling、Normalize）：忽略它会得到错误的向量"
                        )))
                    }
                }
            }
        }
        let pooling = match read_json(&pooling_dir.join("config.json"))? {
            None => Pooling::Mean,
            Some(p) => pooling_of(&p)?,
        };
        let mut prompt = String::new();
        if let Some(st) = read_json(&dir.join("config_sentence_transformers.json"))? {
            if let Some(name) = st["default_prompt_name"].as_str() {
                prompt = st["prompts"][name]
                    .as_str()
                    .ok_or_else(|| {
                        BertError::Sentence(format!(
                            "config_sentence_transformers.json 的 default_prompt_name「{name}」不在 prompts 中"
                        ))
                    })?
                    .to_string();
            }
        }
        Ok(Self { pooling, prompt })
    }
}

fn pooling_of(p: &Value) -> Result<Pooling, BertError> {
    let on = |k: &str| p[k].as_bool().unwrap_or(false);
    let others = [
        "pooling_mode_max_tokens",
        "pooling_mode_mean_sqrt_len_tokens",
        "pooling_mode_weightedmean_tokens",
        "pooling_mode_lasttoken",
    ];
    if p["include_prompt"].as_bool() == Some(false) {
        return Err(BertError::Sentence(
            "不支持池化配置 include_prompt = false（提示词的词元不参与池化）".into(),
        ));
    }
    if let Some(k) = others.iter().find(|k| on(k)) {
        return Err(BertError::Sentence(format!(
            "不支持的池化方式「{k}」（只支持 pooling_mode_mean_tokens 或 pooling_mode_cls_token）"
        )));
    }
    match (on("pooling_mode_mean_tokens"), on("pooling_mode_cls_token")) {
        (true, false) => Ok(Pooling::Mean),
        (false, true) => Ok(Pooling::Cls),
        (true, true) => Err(BertError::Sentence(
            "池化配置同时开启了 mean 与 cls（拼接两种向量），不支持".into(),
        )),
        (false, false) => Err(BertError::Sentence(
            "池化配置没有开启任何方式（应开启 pooling_mode_mean_tokens 或 pooling_mode_cls_token）"
                .into(),
        )),
    }
}
