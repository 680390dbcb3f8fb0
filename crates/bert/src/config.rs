//! `config.json` of a BERT-family encoder: the fields the forward pass needs, checked on load.

use serde::Deserialize;

use crate::error::BertError;

/// The activation between the two feed-forward layers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activation {
    /// Exact GELU (`gelu` in Hugging Face configs).
    Gelu,
    /// Tanh approximation (`gelu_new`, `gelu_pytorch_tanh`).
    GeluTanh,
    Relu,
}

/// Model shape, validated: every size is positive and heads divide the hidden size.
#[derive(Debug, Clone, PartialEq)]
pub struct BertConfig {
    pub vocab_size: usize,
    pub hidden_size: usize,
    pub num_hidden_layers: usize,
    pub num_attention_heads: usize,
    pub intermediate_size: usize,
    pub max_position_embeddings: usize,
    pub type_vocab_size: usize,
    pub layer_norm_eps: f64,
    pub hidden_act: Activation,
}

#[derive(Deserialize)]
struct RawConfig {
    vocab_size: Option<usize>,
    hidden_size: Option<usize>,
    num_hidden_layers: Option<usize>,
    num_attention_heads: Option<usize>,
    intermediate_size: Option<usize>,
    max_position_embeddings: Option<usize>,
    type_vocab_size: Option<usize>,
    layer_norm_eps: Option<f64>,
    hidden_act: Option<String>,
    position_embedding_type: Option<String>,
    model_type: Option<String>,
}

impl BertConfig {
    /// Parses and checks the text of `config.json`.
    pub fn parse(text: &str) -> Result<Self, BertError> {
        let raw: RawConfig = serde_json::from_str(text)
            .map_err(|e| BertError::Config(format!("不是合法的 JSON 对象（{e}）")))?;
        let need = |v: Option<usize>, name: &str| -> Result<usize, BertError> {
            match v {
                Some(n) if n > 0 => Ok(n),
                Some(_) => Err(BertError::Config(format!("「{name}」必须大于 0"))),
                None => Err(BertError::Config(format!(
                    "缺少字段「{name}」（应为正整数）"
                ))),
            }
        };
        let hidden_size = need(raw.hidden_size, "hidden_size")?;
        let num_attention_heads = need(raw.num_attention_heads, "num_attention_heads")?;
        if hidden_size % num_attention_heads != 0 {
            return Err(BertError::Config(format!(
                "hidden_size（{hidden_size}）不能被 num_attention_heads（{num_attention_heads}）整除"
            )));
        }
        let hidden_act = match raw.hidden_act.as_deref().unwrap_or("gelu") {
            "gelu" => Activation::Gelu,
            "gelu_new" | "gelu_pytorch_tanh" | "gelu_fast" => Activation::GeluTanh,
            "relu" => Activation::Relu,
            other => {
                return Err(BertError::Config(format!(
                    "不支持的激活函数 hidden_act「{other}」（支持 gelu、gelu_new、relu）"
                )))
            }
        };
        if let Some(t @ ("roberta" | "xlm-roberta" | "camembert")) = raw.model_type.as_deref() {
            return Err(BertError::Config(format!(
                "不支持 model_type「{t}」：RoBERTa 系列的位置编号从 padding_idx + 1 开始，按 BERT 计算会得到错误的向量（只支持 model_type 为 bert 的编码器）"
            )));
        }
        if let Some(p) = raw.position_embedding_type.as_deref() {
            if p != "absolute" {
                return Err(BertError::Config(format!(
                    "不支持的位置编码 position_embedding_type「{p}」（只支持 absolute）"
                )));
            }
        }
        let max_position_embeddings = need(raw.max_position_embeddings, "max_position_embeddings")?;
        if max_position_embeddings < 3 {
            return Err(BertError::Config(
                "「max_position_embeddings」至少为 3（[CLS]、一个词元、[SEP]）".into(),
            ));
        }
        let layer_norm_eps = raw.layer_norm_eps.unwrap_or(1e-12);
        if !(layer_norm_eps.is_finite() && layer_norm_eps > 0.0) {
            return Err(BertError::Config("「layer_norm_eps」必须是正数".into()));
        }
        Ok(Self {
            vocab_size: need(raw.vocab_size, "vocab_size")?,
            hidden_size,
            num_hidden_layers: need(raw.num_hidden_layers, "num_hidden_layers")?,
            num_attention_heads,
            intermediate_size: need(raw.intermediate_size, "intermediate_size")?,
            max_position_embeddings,
            type_vocab_size: need(raw.type_vocab_size.or(Some(2)), "type_vocab_size")?,
            layer_norm_eps,
            hidden_act,
        })
    }

    /// Size of one attention head.
    pub fn head_dim(&self) -> usize {
        self.hidden_size / self.num_attention_heads
    }
}
