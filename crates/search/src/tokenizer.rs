//! The tantivy tokenizer: jieba words (with the domain user dictionary and alias names) plus the
//! overlapping character bigrams of every CJK run, so a word inside a longer compound
//! (永磁 in 稀土永磁电机) is found even when jieba keeps the compound whole.

use std::sync::Arc;

use innomesh_matching::normalize::{is_cjk, normalize};
use innomesh_matching::Segmenter;
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// Name under which the tokenizer is registered with the index.
pub const TOKENIZER: &str = "innomesh_jieba";

/// jieba words + CJK bigrams. Offsets point into the normalised text (snippets are built by our
/// own highlighter, not tantivy's).
#[derive(Clone)]
pub struct JiebaTokenizer {
    seg: Arc<Segmenter>,
}

impl JiebaTokenizer {
    pub fn new(seg: Arc<Segmenter>) -> Self {
        Self { seg }
    }

    /// The index terms of `text`, in order (also used by tests and the query builder).
    pub fn terms(&self, text: &str) -> Vec<String> {
        let norm = normalize(text);
        let mut out: Vec<String> = self
            .seg
            .words_normalized(&norm)
            .into_iter()
            .filter(|w| !self.seg.is_stopword(w))
            .collect();
        out.extend(bigrams(&norm));
        out
    }
}

/// Overlapping bigrams of each run of CJK ideographs.
pub fn bigrams(norm: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut prev: Option<char> = None;
    for c in norm.chars() {
        if is_cjk(c) {
            if let Some(p) = prev {
                let mut s = String::with_capacity(6);
                s.push(p);
                s.push(c);
                out.push(s);
            }
            prev = Some(c);
        } else {
            prev = None;
        }
    }
    out
}

pub struct TermStream {
    tokens: Vec<Token>,
    next: usize,
}

impl Tokenizer for JiebaTokenizer {
    type TokenStream<'a> = TermStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> TermStream {
        let tokens = self
            .terms(text)
            .into_iter()
            .enumerate()
            .map(|(position, text)| Token {
                offset_from: 0,
                offset_to: 0,
                position,
                position_length: 1,
                text,
            })
            .collect();
        TermStream { tokens, next: 0 }
    }
}

impl TokenStream for TermStream {
    fn advance(&mut self) -> bool {
        if self.next < self.tokens.len() {
            self.next += 1;
            true
        } else {
            false
        }
    }
    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }
    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next - 1]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_bigrams() {
        let t = JiebaTokenizer::new(Arc::new(Segmenter::default()));
        let terms = t.terms("稀土永磁电机");
        assert!(terms.iter().any(|w| w == "永磁"), "{terms:?}");
        assert!(terms.iter().any(|w| w == "磁电"), "{terms:?}");
        assert!(bigrams("ab 包钢").contains(&"包钢".to_string()));
    }
}
