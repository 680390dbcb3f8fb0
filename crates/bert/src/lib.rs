//! An optional BERT-family sentence encoder for Innomesh, loaded from a local directory in the
//! Hugging Face layout (`config.json`, `vocab.txt` or `tokenizer.json`, `model.safetensors`, and
//! optionally the sentence-transformers files `modules.json`, `1_Pooling/config.json`,
//! `config_sentence_transformers.json`) and run on the CPU with candle. It implements
//! `innomesh_matching::Embedder`: the directory's prompt before each text, mean (or CLS) pooling,
//! unit length. Nothing is downloaded; a directory that cannot be used is a `BertError`, never a
//! panic.

mod config;
mod error;
mod model;
mod sentence;
mod text;
pub mod tiny;
mod tokenizer;

use std::path::{Path, PathBuf};

use candle_core::Device;
use innomesh_matching::Embedder;

pub use config::{Activation, BertConfig};
pub use error::BertError;
pub use model::Encoder;
pub use sentence::{Pooling, SentenceConfig};
pub use text::{HfTokenizer, TextTokenizer};
pub use tokenizer::{basic_tokens, WordPiece};

/// Sentences per forward pass in `embed_batch`.
const BATCH: usize = 32;

/// A loaded encoder with its tokenizer.
pub struct BertEmbedder {
    tokenizer: TextTokenizer,
    encoder: Encoder,
    sentence: SentenceConfig,
}

impl std::fmt::Debug for BertEmbedder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BertEmbedder")
            .field("config", self.encoder.config())
            .field("vocab", &self.tokenizer.len())
            .field("sentence", &self.sentence)
            .finish()
    }
}

fn read(dir: &Path, name: &str) -> Result<Vec<u8>, BertError> {
    let path = dir.join(name);
    if !path.is_file() {
        return Err(BertError::MissingFile(path));
    }
    std::fs::read(&path).map_err(|e| BertError::Io {
        path,
        reason: e.to_string(),
    })
}

fn utf8(bytes: Vec<u8>, what: fn(String) -> BertError) -> Result<String, BertError> {
    String::from_utf8(bytes).map_err(|_| what("不是 UTF-8 文本".into()))
}

impl BertEmbedder {
    /// Loads the model in `dir`. The vocabulary is `vocab.txt` (WordPiece); without it,
    /// `tokenizer.json`: a WordPiece one is read into the same WordPiece tokenizer, any other kind
    /// (SentencePiece Unigram, BPE) is run by the `tokenizers` crate as the file declares it.
    /// `tokenizer_config.json`, when present, may turn WordPiece lowercasing off
    /// (`"do_lower_case": false`); it is on by default, as for bert-base-chinese. Pooling and
    /// prompt come from the sentence-transformers files (`SentenceConfig`).
    pub fn load(dir: impl AsRef<Path>) -> Result<Self, BertError> {
        let dir = dir.as_ref();
        if !dir.is_dir() {
            return Err(BertError::NotADirectory(PathBuf::from(dir)));
        }
        let config = BertConfig::parse(&utf8(read(dir, "config.json")?, BertError::Config)?)?;
        let sentence = SentenceConfig::load(dir)?;
        let lowercase = lowercase_setting(dir)?;
        let tokenizer = if !dir.join("vocab.txt").is_file() && dir.join("tokenizer.json").is_file()
        {
            let text = utf8(read(dir, "tokenizer.json")?, BertError::Tokenizer)?;
            if is_wordpiece_json(&text)? {
                TextTokenizer::WordPiece(WordPiece::from_tokenizer_json(&text, lowercase)?)
            } else {
                TextTokenizer::HuggingFace(Box::new(HfTokenizer::from_json(
                    &text,
                    config.max_position_embeddings,
                )?))
            }
        } else {
            TextTokenizer::WordPiece(WordPiece::from_vocab(
                &utf8(read(dir, "vocab.txt")?, BertError::Vocab)?,
                lowercase,
            )?)
        };
        if tokenizer.len() > config.vocab_size {
            return Err(BertError::Vocab(format!(
                "词表有 {} 个词元，多于 config.json 的 vocab_size（{}）",
                tokenizer.len(),
                config.vocab_size
            )));
        }
        let bytes = read(dir, "model.safetensors")?;
        let map = candle_core::safetensors::load_buffer(&bytes, &Device::Cpu)
            .map_err(|e| BertError::Weights(format!("无法解析（{e}）")))?;
        drop(bytes);
        let encoder = Encoder::new(config, map)?;
        Ok(Self {
            tokenizer,
            encoder,
            sentence,
        })
    }

    /// The tokenizer (for inspection and tests).
    pub fn tokenizer(&self) -> &TextTokenizer {
        &self.tokenizer
    }

    /// Pooling and prompt (for inspection and tests).
    pub fn sentence_config(&self) -> &SentenceConfig {
        &self.sentence
    }

    /// The encoder (for inspection and tests).
    pub fn encoder(&self) -> &Encoder {
        &self.encoder
    }

    /// `[CLS] prompt text [SEP]` ids of `text` (or the tokenizer's own special tokens), truncated
    /// to the model's length; empty when `text` itself has no token (the prompt alone is not
    /// embedded).
    pub fn encode(&self, text: &str) -> Result<Vec<u32>, BertError> {
        let max = self.encoder.config().max_position_embeddings;
        if self.sentence.prompt.is_empty() {
            return self.tokenizer.encode(text, max);
        }
        if self.tokenizer.is_blank(text)? {
            return Ok(Vec::new());
        }
        self.tokenizer
            .encode(&format!("{}{text}", self.sentence.prompt), max)
    }

    /// Embeddings of many texts, in order; texts of similar length share a padded batch, which
    /// does not change any embedding (padding is masked).
    pub fn try_embed_batch(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, BertError> {
        let ids = texts
            .iter()
            .map(|t| self.encode(t))
            .collect::<Result<Vec<Vec<u32>>, BertError>>()?;
        let dim = self.dim();
        let mut out = vec![vec![0.0f32; dim]; texts.len()];
        let mut order: Vec<usize> = (0..ids.len()).filter(|&i| !ids[i].is_empty()).collect();
        order.sort_by_key(|&i| (ids[i].len(), i));
        for chunk in order.chunks(BATCH) {
            let batch: Vec<Vec<u32>> = chunk.iter().map(|&i| ids[i].clone()).collect();
            let vecs =
                self.encoder
                    .embed_ids(&batch, self.tokenizer.pad_id(), self.sentence.pooling)?;
            for (&i, v) in chunk.iter().zip(vecs) {
                out[i] = v;
            }
        }
        Ok(out)
    }

    /// `try_embed_batch`. Token ids are bounded by the vocabulary and lengths by the position
    /// table, both checked at load, so the forward pass has no input-dependent failure left
    /// (the `tokenizers` crate reports none for text that is valid UTF-8, which `&str` is).
    pub fn embed_batch(&self, texts: &[&str]) -> Vec<Vec<f32>> {
        self.try_embed_batch(texts)
            .unwrap_or_else(|e| panic!("BERT forward failed on checked inputs: {e}"))
    }
}

impl Embedder for BertEmbedder {
    fn dim(&self) -> usize {
        self.encoder.config().hidden_size
    }

    fn embed(&self, text: &str) -> Vec<f32> {
        self.embed_batch(&[text]).pop().unwrap_or_default()
    }
}

/// Whether a `tokenizer.json` declares a WordPiece model (read by `WordPiece` itself).
fn is_wordpiece_json(text: &str) -> Result<bool, BertError> {
    let v: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| BertError::Tokenizer(format!("不是合法的 JSON（{e}）")))?;
    Ok(v["model"]["type"].as_str() == Some("WordPiece"))
}

fn lowercase_setting(dir: &Path) -> Result<bool, BertError> {
    let path = dir.join("tokenizer_config.json");
    if !path.is_file() {
        return Ok(true);
    }
    let text = utf8(read(dir, "tokenizer_config.json")?, BertError::Config)?;
    let v: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| BertError::Config(format!("tokenizer_config.json 不是合法的 JSON（{e}）")))?;
    Ok(v.get("do_lower_case")
        .and_then(serde_json::Value::as_bool)
        .unwrap_or(true))
}
