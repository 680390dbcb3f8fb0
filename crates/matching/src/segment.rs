//! Word segmentation: jieba with the domain user dictionary, plus a prior word weight derived from
//! jieba's bundled word frequencies (a general-language source, not evaluation data).

use std::collections::HashSet;

use jieba_rs::Jieba;

use crate::dict::{AliasDict, UserDict};
use crate::normalize::{is_content_char, normalize};

/// Function words that carry little topical meaning. Kept short on purpose: similarity relies on
/// weights, not on this list; retrieval drops these from the index.
const STOPWORDS: &[&str] = &[
    "的", "了", "是", "在", "和", "与", "及", "以及", "或", "等", "对", "为", "将", "把", "被",
    "从", "中", "其", "该", "本", "之", "而", "并", "也", "都", "就", "这", "那", "这个", "那个",
    "一个", "一种", "我们", "你们", "他们", "它", "我", "你", "他", "她", "啊", "吗", "呢", "吧",
    "呀", "个", "着", "过", "上", "下", "由", "于", "所", "以", "可", "能", "可以", "进行", "通过",
    "采用", "利用", "研究", "本文", "提出", "结果", "表明", "方法", "分析", "基于", "对于", "具有",
    "得到",
];

/// Words whose jieba prior weight (`ln(total / freq)`) is below this are common general-language
/// words (长期 8.9、问题 7.0、以上 7.8), no evidence a person could check.
pub const EVIDENCE_MIN_PRIOR: f32 = 9.0;

/// Jieba with the user dictionary and alias names loaded. Build once, share by reference.
pub struct Segmenter {
    jieba: Jieba,
    stopwords: HashSet<&'static str>,
    /// ln of jieba's total dictionary frequency mass, used for the prior weight.
    log_total: f32,
}

impl std::fmt::Debug for Segmenter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Segmenter").finish_non_exhaustive()
    }
}

impl Default for Segmenter {
    fn default() -> Self {
        Self::new(&UserDict::bundled(), &AliasDict::bundled())
    }
}

impl Segmenter {
    /// Jieba's bundled dictionary plus `user` words and every alias name.
    pub fn new(user: &UserDict, aliases: &AliasDict) -> Self {
        let mut jieba = Jieba::new();
        for w in &user.words {
            jieba.add_word(&w.word, w.freq, w.tag.as_deref());
        }
        for name in aliases.names() {
            if !jieba.has_word(name) {
                jieba.add_word(name, None, None);
            }
        }
        Self {
            jieba,
            stopwords: STOPWORDS.iter().copied().collect(),
            // jieba's default dictionary holds about 6.1e7 counts.
            log_total: (6.1e7f32).ln(),
        }
    }

    /// Adds a domain word at runtime.
    pub fn add_word(&mut self, word: &str) {
        let w = normalize(word);
        if !w.is_empty() {
            self.jieba.add_word(&w, None, None);
        }
    }

    /// Words of `text` (normalised), dropping punctuation and spaces.
    pub fn words(&self, text: &str) -> Vec<String> {
        let norm = normalize(text);
        self.words_normalized(&norm)
    }

    /// Words of already-normalised text.
    pub fn words_normalized(&self, norm: &str) -> Vec<String> {
        self.jieba
            .cut(norm, true)
            .into_iter()
            .map(|t| t.word)
            .filter(|w| w.chars().any(is_content_char))
            .map(str::to_string)
            .collect()
    }

    /// Words of already-normalised text with jieba's part-of-speech tags (`n`, `v`, `r`, `uj`,
    /// …; words jieba does not know get `x` or an HMM guess), dropping punctuation and spaces.
    pub fn tagged_normalized(&self, norm: &str) -> Vec<(String, String)> {
        self.jieba
            .tag(norm, true)
            .into_iter()
            .filter(|t| t.word.chars().any(is_content_char))
            .map(|t| (t.word.to_string(), t.tag.to_string()))
            .collect()
    }

    /// Words minus stopwords (for indexing and evidence).
    pub fn content_words(&self, text: &str) -> Vec<String> {
        self.words(text)
            .into_iter()
            .filter(|w| !self.is_stopword(w))
            .collect()
    }

    /// Whether `word` is on the built-in function-word list.
    pub fn is_stopword(&self, word: &str) -> bool {
        self.stopwords.contains(word)
    }

    /// Whether `word` is worth showing a person as evidence of a match: at least two characters,
    /// at least one letter or Chinese character (not a bare number, percentage or unit), not a
    /// function word, and not a common general-language word (jieba frequency prior below
    /// [`EVIDENCE_MIN_PRIOR`]: 长期、问题、以上、要求 …).
    pub fn is_informative(&self, word: &str) -> bool {
        word.chars().count() >= 2
            && word.chars().any(char::is_alphabetic)
            && !self.is_stopword(word)
            && self.prior_weight(word) >= EVIDENCE_MIN_PRIOR
    }

    /// An IDF-like prior weight from jieba's dictionary frequency: `ln(total / freq)`, clamped to
    /// [1, 16]. Unknown words get a high weight (they are rare by definition).
    pub fn prior_weight(&self, word: &str) -> f32 {
        let freq = if self.jieba.has_word(word) {
            // For a dictionary word the suggested frequency is its own frequency (+1).
            self.jieba.suggest_freq(word).max(1) as f32
        } else {
            1.0
        };
        (self.log_total - freq.ln()).clamp(1.0, 16.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_domain_terms_whole() {
        let s = Segmenter::default();
        let w = s.words("包钢采购钕铁硼和稀土抛光粉，储氢合金也要。");
        for t in ["包钢", "钕铁硼", "稀土抛光粉", "储氢合金"] {
            assert!(w.iter().any(|x| x == t), "{t} not in {w:?}");
        }
        assert!(!w.iter().any(|x| x == "，" || x == "。"));
    }

    #[test]
    fn runtime_words_take_effect() {
        let mut s = Segmenter::default();
        s.add_word("镧铈合金");
        assert!(s.words("生产镧铈合金").iter().any(|x| x == "镧铈合金"));
    }

    #[test]
    fn tagged_words_match_plain_words() {
        let s = Segmenter::default();
        let norm = normalize("北京到成都的火车票多少钱？");
        let tagged = s.tagged_normalized(&norm);
        let words: Vec<String> = tagged.iter().map(|(w, _)| w.clone()).collect();
        assert_eq!(words, s.words_normalized(&norm));
        let tag_of = |w: &str| tagged.iter().find(|(v, _)| v == w).map(|(_, t)| t.as_str());
        assert_eq!(tag_of("北京"), Some("ns"));
        assert_eq!(tag_of("的"), Some("uj"));
    }

    #[test]
    fn prior_weight_orders_common_below_rare() {
        let s = Segmenter::default();
        assert!(s.prior_weight("的") < s.prior_weight("钕铁硼"));
    }
}
