//! Text → token ids, whichever tokenizer the model directory ships: BERT's WordPiece (our own
//! `WordPiece`, from `vocab.txt` or a WordPiece `tokenizer.json`) or any other Hugging Face
//! `tokenizer.json` (SentencePiece Unigram as in XLM-R and multilingual-e5, BPE), run by the
//! `tokenizers` crate that candle already brings in: its normaliser, pre-tokeniser, model and
//! post-processor (`<s> … </s>`) exactly as the file declares them.

use tokenizers::{Tokenizer, TruncationDirection, TruncationParams, TruncationStrategy};

use crate::error::BertError;
use crate::tokenizer::WordPiece;

/// A model directory's tokenizer.
#[derive(Debug, Clone)]
pub enum TextTokenizer {
    WordPiece(WordPiece),
    HuggingFace(Box<HfTokenizer>),
}

/// A non-WordPiece `tokenizer.json`, truncated to the model's positions, never padded.
#[derive(Debug, Clone)]
pub struct HfTokenizer {
    inner: Tokenizer,
    len: usize,
    pad: u32,
}

impl HfTokenizer {
    /// Parses `tokenizer.json` and sets truncation to `max_len` tokens (special tokens included).
    pub fn from_json(text: &str, max_len: usize) -> Result<Self, BertError> {
        let mut inner: Tokenizer = text
            .parse()
            .map_err(|e| BertError::Tokenizer(format!("无法解析（{e}）")))?;
        inner.with_padding(None);
        inner
            .with_truncation(Some(TruncationParams {
                max_length: max_len,
                strategy: TruncationStrategy::LongestFirst,
                stride: 0,
                direction: TruncationDirection::Right,
            }))
            .map_err(|e| BertError::Tokenizer(format!("无法设置截断长度 {max_len}（{e}）")))?;
        let len = inner
            .get_vocab(true)
            .values()
            .max()
            .map_or(0, |&m| m as usize + 1);
        if len == 0 {
            return Err(BertError::Tokenizer("词表为空".into()));
        }
        let pad = inner
            .get_padding()
            .map(|p| p.pad_id)
            .or_else(|| inner.token_to_id("<pad>"))
            .or_else(|| inner.token_to_id("[PAD]"))
            .unwrap_or(0);
        Ok(Self { inner, len, pad })
    }

    /// The pieces of `text` without special tokens (for inspection and tests).
    pub fn tokenize(&self, text: &str) -> Result<Vec<String>, BertError> {
        Ok(self.encoding(text, false)?.get_tokens().to_vec())
    }

    fn encoding(&self, text: &str, special: bool) -> Result<tokenizers::Encoding, BertError> {
        self.inner
            .encode(text, special)
            .map_err(|e| BertError::Tokenizer(format!("无法切分文本（{e}）")))
    }
}

impl TextTokenizer {
    /// One more than the largest token id.
    pub fn len(&self) -> usize {
        match self {
            Self::WordPiece(w) => w.len(),
            Self::HuggingFace(h) => h.len,
        }
    }

    /// Never empty once constructed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Any valid id for padding (padding is masked, so which one does not matter).
    pub fn pad_id(&self) -> u32 {
        match self {
            Self::WordPiece(w) => w.pad_id(),
            Self::HuggingFace(h) => h.pad,
        }
    }

    /// Whether `text` has no content: no token at all, or (SentencePiece) only word-start
    /// markers, as a text of spaces gives. Such a text embeds to the zero vector.
    pub fn is_blank(&self, text: &str) -> Result<bool, BertError> {
        Ok(match self {
            Self::WordPiece(w) => w.tokenize(text).is_empty(),
            Self::HuggingFace(h) => h
                .encoding(text, false)?
                .get_tokens()
                .iter()
                .all(|t| t.chars().all(|c| c.is_whitespace() || c == '\u{2581}')),
        })
    }

    /// The ids the encoder reads: with the special tokens, at most `max_len` of them; empty for
    /// a blank text (`is_blank`).
    pub fn encode(&self, text: &str, max_len: usize) -> Result<Vec<u32>, BertError> {
        Ok(match self {
            Self::WordPiece(w) => w.encode(text, max_len),
            Self::HuggingFace(h) => {
                if self.is_blank(text)? {
                    Vec::new()
                } else {
                    h.encoding(text, true)?.get_ids().to_vec()
                }
            }
        })
    }

    /// The pieces of `text`, without special tokens.
    pub fn tokenize(&self, text: &str) -> Result<Vec<String>, BertError> {
        match self {
            Self::WordPiece(w) => Ok(w.tokenize(text)),
            Self::HuggingFace(h) => h.tokenize(text),
        }
    }
}
