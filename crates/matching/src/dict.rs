//! Editable domain dictionaries: the user word list for segmentation and the alias (synonym) groups
//! used for query expansion. Both are plain data, parsed from text, replaceable at runtime.

use std::collections::HashMap;

use crate::error::MatchError;
use crate::normalize::normalize;

/// The bundled Baotou / industry word list (jieba format: `词 [词频] [词性]`, `#` comments).
pub const DEFAULT_USER_DICT: &str = include_str!("../data/user_dict.txt");
/// The bundled alias groups (one group a line, members separated by `|`, `#` comments).
pub const DEFAULT_ALIASES: &str = include_str!("../data/aliases.txt");

/// One user dictionary word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserWord {
    pub word: String,
    pub freq: Option<usize>,
    pub tag: Option<String>,
}

/// Domain words added to the segmenter so they are kept whole (稀土永磁, 钕铁硼 …).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserDict {
    pub words: Vec<UserWord>,
}

impl UserDict {
    /// Parses jieba-format lines: `词 [词频] [词性]`; blank lines and `#` comments are skipped.
    pub fn parse(text: &str) -> Result<Self, MatchError> {
        let mut words = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut parts = line.split_whitespace();
            let Some(word) = parts.next() else { continue };
            let freq = match parts.next() {
                None => None,
                Some(f) => Some(f.parse::<usize>().map_err(|_| {
                    MatchError::at_line(
                        "matching.bad_user_dict",
                        i + 1,
                        format!(
                            "用户词典「{word}」的词频「{f}」不是非负整数，格式应为「词 词频 词性」"
                        ),
                    )
                })?),
            };
            let tag = parts.next().map(str::to_string);
            words.push(UserWord {
                word: normalize(word),
                freq,
                tag,
            });
        }
        Ok(Self { words })
    }

    /// The bundled dictionary.
    pub fn bundled() -> Self {
        // The bundled file is checked by a unit test, so parsing cannot fail here.
        Self::parse(DEFAULT_USER_DICT).unwrap_or_default()
    }
}

/// Synonym groups: 包钢 ↔ 包头钢铁（集团）有限责任公司, 钕铁硼 ↔ 稀土永磁 …
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AliasDict {
    groups: Vec<Vec<String>>,
    index: HashMap<String, Vec<usize>>,
}

impl AliasDict {
    /// Builds from groups of names; names are normalised, groups with fewer than two names dropped.
    pub fn from_groups(groups: Vec<Vec<String>>) -> Self {
        let mut out = Self::default();
        for g in groups {
            let mut names: Vec<String> = g
                .iter()
                .map(|s| normalize(s.trim()))
                .filter(|s| !s.is_empty())
                .collect();
            names.dedup();
            if names.len() < 2 {
                continue;
            }
            let gi = out.groups.len();
            for n in &names {
                out.index.entry(n.clone()).or_default().push(gi);
            }
            out.groups.push(names);
        }
        out
    }

    /// Parses one group a line, names separated by `|`; `#` comments and blank lines skipped.
    pub fn parse(text: &str) -> Result<Self, MatchError> {
        let mut groups = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let names: Vec<String> = line
                .split('|')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect();
            if names.len() < 2 {
                return Err(MatchError::at_line(
                    "matching.bad_alias_line",
                    i + 1,
                    format!("别名组「{line}」至少需要两个名称，用「|」分隔，例如「包钢|包头钢铁（集团）有限责任公司」"),
                ));
            }
            groups.push(names);
        }
        Ok(Self::from_groups(groups))
    }

    /// The bundled alias groups.
    pub fn bundled() -> Self {
        Self::parse(DEFAULT_ALIASES).unwrap_or_default()
    }

    /// All names of all groups (added to the segmenter so each stays one token).
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.groups.iter().flatten().map(String::as_str)
    }

    /// The groups, as given.
    pub fn groups(&self) -> &[Vec<String>] {
        &self.groups
    }

    /// Other names of the groups that `name` belongs to (normalised input expected).
    pub fn aliases_of(&self, name: &str) -> Vec<&str> {
        let mut out = Vec::new();
        if let Some(gis) = self.index.get(name) {
            for &gi in gis {
                for n in &self.groups[gi] {
                    if n != name && !out.contains(&n.as_str()) {
                        out.push(n.as_str());
                    }
                }
            }
        }
        out
    }

    /// Names (of any group) occurring as substrings of normalised `text`, so long company names
    /// are found even when the segmenter splits them.
    pub fn names_in<'a>(&'a self, text: &str) -> Vec<&'a str> {
        let mut out: Vec<&str> = self.names().filter(|n| text.contains(*n)).collect();
        out.sort_unstable();
        out.dedup();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_dictionaries_parse() {
        assert!(UserDict::parse(DEFAULT_USER_DICT).unwrap().words.len() > 20);
        let a = AliasDict::parse(DEFAULT_ALIASES).unwrap();
        assert!(a.aliases_of("包钢").contains(&"包头钢铁(集团)有限责任公司"));
        assert!(a.aliases_of("钕铁硼").contains(&"稀土永磁"));
    }

    #[test]
    fn bad_lines_name_the_line() {
        let e = UserDict::parse("稀土 10\n钕铁硼 x n").unwrap_err();
        assert_eq!(e.line, Some(2));
        assert_eq!(e.code, "matching.bad_user_dict");
        let e = AliasDict::parse("# c\n包钢").unwrap_err();
        assert_eq!(e.line, Some(2));
    }

    #[test]
    fn finds_long_names_in_text() {
        let a = AliasDict::bundled();
        let t = normalize("与包头钢铁（集团）有限责任公司合作");
        assert!(a.names_in(&t).contains(&"包头钢铁(集团)有限责任公司"));
    }
}
