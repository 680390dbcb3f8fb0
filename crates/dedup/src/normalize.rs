//! Text normalisation: width folding, case folding, punctuation and whitespace removal, and
//! sentence splitting that keeps character offsets into the original text for highlighting.

/// A sentence of the original text: its character span and its normalised content characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentenceText {
    /// First character (Unicode scalar index, not byte) of the sentence in the original text.
    pub start: usize,
    /// One past the last character of the sentence in the original text.
    pub end: usize,
    /// Content characters after folding: letters, digits and CJK ideographs only.
    pub content: Vec<char>,
}

/// Folds full-width forms to half-width, the ideographic space to a space, and ASCII to lower case.
#[inline]
pub fn fold_char(c: char) -> char {
    let u = c as u32;
    let c = if (0xFF01..=0xFF5E).contains(&u) {
        char::from_u32(u - 0xFEE0).unwrap_or(c)
    } else if u == 0x3000 {
        ' '
    } else {
        c
    };
    c.to_ascii_lowercase()
}

/// Whether a folded character carries content (kept for shingles); punctuation, symbols and
/// whitespace do not, so re-punctuated or re-spaced copies compare equal.
#[inline]
pub fn is_content(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    // CJK Unified Ideographs: the common case, without the Unicode table lookup.
    ('\u{4E00}'..='\u{9FFF}').contains(&c) || c.is_alphanumeric()
}

/// Whether a folded character ends a sentence.
#[inline]
fn is_sentence_end(c: char) -> bool {
    matches!(c, '。' | '.' | '!' | '?' | ';' | '\n' | '｡')
}

/// Splits `text` into sentences with their normalised content. A '.' between two digits is a
/// decimal point, not a sentence end. Sentences without content characters are dropped.
pub fn sentences(text: &str) -> Vec<SentenceText> {
    let chars: Vec<char> = text.chars().map(fold_char).collect();
    let mut out = Vec::new();
    let mut start = 0usize;
    let mut content = Vec::new();
    for (i, &c) in chars.iter().enumerate() {
        if is_content(c) {
            content.push(c);
        }
        let ends = is_sentence_end(c)
            && !(c == '.'
                && i > 0
                && chars[i - 1].is_ascii_digit()
                && chars.get(i + 1).is_some_and(|n| n.is_ascii_digit()));
        if ends {
            if !content.is_empty() {
                out.push(SentenceText {
                    start,
                    end: i + 1,
                    content: std::mem::take(&mut content),
                });
            }
            start = i + 1;
        }
    }
    if !content.is_empty() {
        out.push(SentenceText {
            start,
            end: chars.len(),
            content,
        });
    }
    out
}

/// The whole text as one normalised string (content characters only); used for budget items
/// and identity fields.
pub fn content_string(text: &str) -> String {
    text.chars()
        .map(fold_char)
        .filter(|&c| is_content(c))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_width_case_and_punctuation() {
        let s = sentences("ＡＢＣ１２３，中文　测试。Second  one!");
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].content.iter().collect::<String>(), "abc123中文测试");
        assert_eq!((s[0].start, s[0].end), (0, 13));
        assert_eq!(s[1].content.iter().collect::<String>(), "secondone");
    }

    #[test]
    fn decimal_point_does_not_split() {
        let s = sentences("增产6.85%.下一句");
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].content.iter().collect::<String>(), "增产685");
    }

    #[test]
    fn empty_and_punctuation_only() {
        assert!(sentences("").is_empty());
        assert!(sentences("。。，,  ").is_empty());
    }
}
