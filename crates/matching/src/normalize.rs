//! Text normalisation shared by every matcher: width folding, case folding, character classes.

/// Folds full-width ASCII to half-width, the ideographic space to a space, and ASCII to lower case.
pub fn normalize(text: &str) -> String {
    text.chars().map(fold_char).collect()
}

/// One character as `normalize` writes it (full-width folded to half-width, ASCII lower-cased).
pub fn fold_char(c: char) -> char {
    match c {
        '\u{3000}' => ' ',
        '\u{FF01}'..='\u{FF5E}' => {
            char::from_u32(c as u32 - 0xFEE0).map_or(c, |h| h.to_ascii_lowercase())
        }
        _ => c.to_ascii_lowercase(),
    }
}

/// A CJK ideograph (the common blocks).
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x4E00..=0x9FFF | 0x3400..=0x4DBF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

/// A character that carries meaning for matching: an ideograph, a letter or a digit.
pub fn is_content_char(c: char) -> bool {
    is_cjk(c) || c.is_alphanumeric()
}

/// The meaningful characters of already-normalised text, in order.
pub fn content_chars(text: &str) -> Vec<char> {
    text.chars().filter(|&c| is_content_char(c)).collect()
}

/// Overlapping character bigrams over the meaningful characters; a single character yields itself.
pub fn char_bigrams(chars: &[char]) -> Vec<String> {
    match chars.len() {
        0 => Vec::new(),
        1 => vec![chars[0].to_string()],
        _ => chars.windows(2).map(|w| w.iter().collect()).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_width_and_case() {
        assert_eq!(normalize("ＡＢｃ１２　包钢"), "abc12 包钢");
        assert_eq!(normalize("NdFeB"), "ndfeb");
    }

    #[test]
    fn bigrams_of_short_text() {
        assert!(char_bigrams(&[]).is_empty());
        assert_eq!(char_bigrams(&['包']), vec!["包"]);
        assert_eq!(
            char_bigrams(&content_chars("包钢，集团")),
            vec!["包钢", "钢集", "集团"]
        );
    }
}
