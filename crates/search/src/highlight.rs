//! Highlighted snippets: HTML-escaped text with `<mark>` around every occurrence of a query term
//! (matched on the normalised text, so full-width and case variants are marked too).

use innomesh_matching::normalize::normalize;

/// Characters of context kept around the first match in a long text.
const WINDOW: usize = 120;

/// The whole of `text`, escaped, with matches marked.
pub fn mark_all(text: &str, terms: &[Vec<char>]) -> String {
    let chars: Vec<char> = text.chars().collect();
    let marks = find(&chars, terms);
    render(&chars, &marks, 0, chars.len())
}

/// A window of `text` around its first match (or its start), escaped, with matches marked.
pub fn snippet(text: &str, terms: &[Vec<char>]) -> String {
    let chars: Vec<char> = text.chars().collect();
    let marks = find(&chars, terms);
    if chars.len() <= WINDOW {
        return render(&chars, &marks, 0, chars.len());
    }
    let first = marks.first().map_or(0, |m| m.0);
    let start = first.saturating_sub(WINDOW / 4);
    let end = (start + WINDOW).min(chars.len());
    let start = end.saturating_sub(WINDOW).min(start);
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    out.push_str(&render(&chars, &marks, start, end));
    if end < chars.len() {
        out.push('…');
    }
    out
}

/// Non-overlapping (start, end) char ranges of term occurrences, longest term first at each spot.
fn find(chars: &[char], terms: &[Vec<char>]) -> Vec<(usize, usize)> {
    let norm: Vec<char> = normalize(&chars.iter().collect::<String>())
        .chars()
        .collect();
    // normalize maps char to char; fall back to no marks if that ever changes.
    if norm.len() != chars.len() {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut i = 0;
    while i < norm.len() {
        match terms
            .iter()
            .find(|t| !t.is_empty() && norm[i..].starts_with(t))
        {
            Some(t) => {
                out.push((i, i + t.len()));
                i += t.len();
            }
            None => i += 1,
        }
    }
    out
}

fn render(chars: &[char], marks: &[(usize, usize)], start: usize, end: usize) -> String {
    let mut out = String::new();
    let mut open_until: Option<usize> = None;
    let mut mi = marks.iter().peekable();
    for (i, &c) in chars.iter().enumerate().take(end).skip(start) {
        if open_until == Some(i) {
            out.push_str("</mark>");
            open_until = None;
        }
        while mi.peek().is_some_and(|m| m.1 <= i) {
            mi.next();
        }
        if open_until.is_none() {
            if let Some(&&(s, e)) = mi.peek() {
                if s <= i {
                    out.push_str("<mark>");
                    open_until = Some(e);
                }
            }
        }
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    if open_until.is_some() {
        out.push_str("</mark>");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_and_escapes() {
        let terms = vec!["永磁".chars().collect::<Vec<_>>()];
        assert_eq!(
            mark_all("<稀土永磁>电机", &terms),
            "&lt;稀土<mark>永磁</mark>&gt;电机"
        );
        let long = format!("{}永磁{}", "甲".repeat(300), "乙".repeat(300));
        let s = snippet(&long, &terms);
        assert!(s.starts_with('…') && s.ends_with('…') && s.contains("<mark>永磁</mark>"));
    }
}
