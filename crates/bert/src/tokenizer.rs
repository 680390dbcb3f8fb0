//! BERT's WordPiece tokenizer, as `BertTokenizer` in Hugging Face transformers does it: a basic
//! pass (clean control characters, put each CJK character on its own, optionally lowercase and
//! strip accents, split off punctuation, split on whitespace), then greedy longest-match-first
//! WordPiece with `##` continuations; a word with no complete cover becomes `[UNK]`.

use std::collections::HashMap;

use unicode_categories::UnicodeCategories;
use unicode_normalization_alignments::UnicodeNormalization;

use crate::error::BertError;

/// Words longer than this (in characters) are `[UNK]`, as in BERT.
const MAX_WORD_CHARS: usize = 100;

/// A vocabulary plus the rules to cut text into its pieces.
#[derive(Debug, Clone)]
pub struct WordPiece {
    vocab: HashMap<String, u32>,
    tokens: Vec<String>,
    lowercase: bool,
    cls: u32,
    sep: u32,
    unk: u32,
    pad: u32,
}

impl WordPiece {
    /// Parses `vocab.txt` (one token a line, id = line number). `[CLS]`, `[SEP]`, `[UNK]` and
    /// `[PAD]` must be present.
    pub fn from_vocab(text: &str, lowercase: bool) -> Result<Self, BertError> {
        let tokens = text
            .lines()
            .map(|l| l.strip_suffix('\r').unwrap_or(l).to_string())
            .collect();
        Self::from_tokens(tokens, lowercase)
    }

    /// The WordPiece vocabulary inside a Hugging Face `tokenizer.json` (`model.vocab`, token →
    /// id), for model directories that ship no `vocab.txt`.
    pub fn from_tokenizer_json(text: &str, lowercase: bool) -> Result<Self, BertError> {
        let bad = |why: &str| BertError::Vocab(format!("tokenizer.json {why}"));
        let v: serde_json::Value =
            serde_json::from_str(text).map_err(|e| bad(&format!("不是合法的 JSON（{e}）")))?;
        let model = &v["model"];
        if model["type"].as_str() != Some("WordPiece") {
            return Err(bad(
                "的 model.type 不是 WordPiece：只支持 BERT 系列的 WordPiece 词表",
            ));
        }
        let map = model["vocab"]
            .as_object()
            .ok_or_else(|| bad("缺少 model.vocab"))?;
        let mut tokens = vec![None; map.len()];
        for (tok, id) in map {
            let slot = id
                .as_u64()
                .and_then(|i| tokens.get_mut(i as usize))
                .ok_or_else(|| {
                    bad(&format!(
                        "中词元「{tok}」的 id 不在 0–{} 之内",
                        map.len() - 1
                    ))
                })?;
            *slot = Some(tok.clone());
        }
        let tokens = tokens
            .into_iter()
            .collect::<Option<Vec<String>>>()
            .ok_or_else(|| bad("的 id 不连续"))?;
        Self::from_tokens(tokens, lowercase)
    }

    fn from_tokens(tokens: Vec<String>, lowercase: bool) -> Result<Self, BertError> {
        let mut vocab = HashMap::new();
        for (i, tok) in tokens.iter().enumerate() {
            // A duplicate keeps its first id (transformers keeps the last); published vocabularies
            // have none.
            vocab.entry(tok.clone()).or_insert(i as u32);
        }
        if tokens.is_empty() {
            return Err(BertError::Vocab("文件为空：应每行一个词元".into()));
        }
        let special = |name: &str| {
            vocab.get(name).copied().ok_or_else(|| {
                BertError::Vocab(format!(
                    "缺少特殊词元「{name}」：BERT 词表应含 [CLS]、[SEP]、[UNK]、[PAD]"
                ))
            })
        };
        Ok(Self {
            cls: special("[CLS]")?,
            sep: special("[SEP]")?,
            unk: special("[UNK]")?,
            pad: special("[PAD]")?,
            vocab,
            tokens,
            lowercase,
        })
    }

    /// Number of lines in the vocabulary (the largest id is one less).
    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    /// Whether the vocabulary is empty (never, once constructed).
    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    /// Id of `[PAD]`.
    pub fn pad_id(&self) -> u32 {
        self.pad
    }

    /// The pieces of `text`, without `[CLS]`/`[SEP]`.
    pub fn tokenize(&self, text: &str) -> Vec<String> {
        self.piece_ids(text)
            .into_iter()
            .map(|id| self.tokens[id as usize].clone())
            .collect()
    }

    /// `[CLS] pieces [SEP]`, with the pieces cut so that the whole fits in `max_len` (≥ 3).
    /// Empty (no pieces at all) when the text has no content, so callers can return a zero vector.
    pub fn encode(&self, text: &str, max_len: usize) -> Vec<u32> {
        let mut ids = self.piece_ids(text);
        if ids.is_empty() {
            return ids;
        }
        ids.truncate(max_len.saturating_sub(2).max(1));
        let mut out = Vec::with_capacity(ids.len() + 2);
        out.push(self.cls);
        out.extend(ids);
        out.push(self.sep);
        out
    }

    fn piece_ids(&self, text: &str) -> Vec<u32> {
        let mut out = Vec::new();
        for word in basic_tokens(text, self.lowercase) {
            self.wordpiece(&word, &mut out);
        }
        out
    }

    fn wordpiece(&self, word: &str, out: &mut Vec<u32>) {
        let chars: Vec<char> = word.chars().collect();
        if chars.len() > MAX_WORD_CHARS {
            out.push(self.unk);
            return;
        }
        let mut pieces = Vec::new();
        let mut start = 0;
        while start < chars.len() {
            let mut found = None;
            let mut end = chars.len();
            while start < end {
                let mut sub: String = chars[start..end].iter().collect();
                if start > 0 {
                    sub.insert_str(0, "##");
                }
                if let Some(&id) = self.vocab.get(&sub) {
                    found = Some(id);
                    break;
                }
                end -= 1;
            }
            match found {
                Some(id) => {
                    pieces.push(id);
                    start = end;
                }
                None => {
                    out.push(self.unk);
                    return;
                }
            }
        }
        out.extend(pieces);
    }
}

/// BERT's basic tokenizer: the words and single CJK/punctuation characters of `text`.
pub fn basic_tokens(text: &str, lowercase: bool) -> Vec<String> {
    let mut spaced = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c == '\0' || c == '\u{FFFD}' || is_control(c) {
            continue;
        }
        if is_whitespace(c) {
            spaced.push(' ');
        } else if is_cjk(c) {
            spaced.push(' ');
            spaced.push(c);
            spaced.push(' ');
        } else {
            spaced.push(c);
        }
    }
    let mut out = Vec::new();
    for word in spaced.split(' ').filter(|w| !w.is_empty()) {
        let word = if lowercase {
            strip_accents(&word.to_lowercase())
        } else {
            word.to_string()
        };
        let mut cur = String::new();
        for c in word.chars() {
            if is_punctuation(c) {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
                out.push(c.to_string());
            } else {
                cur.push(c);
            }
        }
        if !cur.is_empty() {
            out.push(cur);
        }
    }
    out
}

fn strip_accents(s: &str) -> String {
    s.nfd()
        .map(|(c, _)| c)
        .filter(|c| !c.is_mark_nonspacing())
        .collect()
}

fn is_whitespace(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r') || c.is_separator_space()
}

fn is_control(c: char) -> bool {
    if matches!(c, '\t' | '\n' | '\r') {
        return false;
    }
    c.is_other_control() || c.is_other_format()
}

/// ASCII symbols such as `$` and `^` count as punctuation, as in BERT.
fn is_punctuation(c: char) -> bool {
    let u = c as u32;
    (33..=47).contains(&u)
        || (58..=64).contains(&u)
        || (91..=96).contains(&u)
        || (123..=126).contains(&u)
        || c.is_punctuation()
}

/// The CJK Unified Ideographs blocks BERT splits into single characters (not kana or hangul).
fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x4E00..=0x9FFF
        | 0x3400..=0x4DBF
        | 0x20000..=0x2A6DF
        | 0x2A700..=0x2B73F
        | 0x2B740..=0x2B81F
        | 0x2B820..=0x2CEAF
        | 0xF900..=0xFAFF
        | 0x2F800..=0x2FA1F)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_tokens_split_cjk_punctuation_and_case() {
        assert_eq!(
            basic_tokens("稀土Magnet，Héllo!\u{0}", true),
            ["稀", "土", "magnet", "，", "hello", "!"]
        );
        assert_eq!(basic_tokens("AB c", false), ["AB", "c"]);
    }
}
