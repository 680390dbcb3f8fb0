//! Character shingles of a text, per sentence: the raw material of candidate generation and
//! verification. A shingle of three characters is packed exactly into 63 bits and then mixed, so
//! two shingles are equal exactly when their characters are.

use crate::hash::mix64;
use crate::normalize::sentences;

/// Shingles of one sentence, as a range of the document's flat shingle list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentenceShingles {
    /// Character span in the original text.
    pub start: usize,
    /// End of the character span (exclusive).
    pub end: usize,
    /// Range into [`Features::shingles`]; sorted and unique within the sentence.
    pub range: std::ops::Range<u32>,
}

/// All shingles of a document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Features {
    /// Per-sentence shingle ranges.
    pub sentences: Vec<SentenceShingles>,
    /// Flat shingle codes, sentence by sentence.
    pub shingles: Vec<u64>,
}

/// Packs up to three characters into one exact code (21 bits each) and mixes it.
#[inline]
fn code(cs: &[char]) -> u64 {
    let mut v: u64 = 0;
    for &c in cs {
        v = (v << 21) | c as u64;
    }
    // Content characters are never U+0000, so codes of different lengths cannot collide.
    mix64(v)
}

/// Shingles of `text` with `k` characters (1..=3). Sentences shorter than `k` give one shingle
/// of their whole content. Shingles never cross a sentence boundary, so reordering sentences
/// keeps every shingle.
pub fn features(text: &str, k: usize) -> Features {
    let k = k.clamp(1, 3);
    let mut f = Features::default();
    for s in sentences(text) {
        let begin = f.shingles.len();
        if s.content.len() < k {
            f.shingles.push(code(&s.content));
        } else {
            f.shingles.extend(s.content.windows(k).map(code));
        }
        let part = &mut f.shingles[begin..];
        part.sort_unstable();
        let mut w = 0;
        for r in 0..part.len() {
            if r == 0 || part[r] != part[w - 1] {
                part[w] = part[r];
                w += 1;
            }
        }
        f.shingles.truncate(begin + w);
        f.sentences.push(SentenceShingles {
            start: s.start,
            end: s.end,
            range: begin as u32..f.shingles.len() as u32,
        });
    }
    f
}

/// Character bigrams of a title (sorted, unique). Titles are short, so bigrams rather than
/// trigrams; codes are tagged so they never equal a text shingle.
pub fn title_shingles(title: &str) -> Vec<u64> {
    let cs: Vec<char> = crate::normalize::content_string(title).chars().collect();
    let tag = |v: u64| mix64(v ^ (1u64 << 63));
    let mut out: Vec<u64> = if cs.len() < 2 {
        cs.iter().map(|&c| tag(c as u64)).collect()
    } else {
        cs.windows(2)
            .map(|w| tag(((w[0] as u64) << 21) | w[1] as u64))
            .collect()
    };
    out.sort_unstable();
    out.dedup();
    out
}

impl Features {
    /// Sorted, unique union of all shingles of the document.
    pub fn set(&self) -> Vec<u64> {
        let mut set = self.shingles.clone();
        set.sort_unstable();
        set.dedup();
        set
    }

    /// The shingles of sentence `i`.
    pub fn sentence(&self, i: usize) -> &[u64] {
        let r = &self.sentences[i].range;
        &self.shingles[r.start as usize..r.end as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reordering_sentences_keeps_the_set() {
        let a = features("甲乙丙丁戊。己庚辛壬癸。", 3);
        let b = features("己庚辛壬癸。甲乙丙丁戊。", 3);
        assert_eq!(a.set(), b.set());
        assert_eq!(a.sentences.len(), 2);
        assert_eq!(a.sentence(0).len(), 3);
    }

    #[test]
    fn short_sentence_gets_one_shingle() {
        let f = features("甲乙。", 3);
        assert_eq!(f.set().len(), 1);
        assert_ne!(f.set(), features("甲乙丙。", 3).set());
    }
}
