//! Boolean queries from our own segmentation (never tantivy's QueryParser, which turns overlapping
//! Chinese tokens into phrase queries that miss): every query word is required; a word matches
//! through itself, any of its aliases, or — when the document segmented it differently — all of
//! its own sub-words or bigrams.

use innomesh_matching::normalize::{is_cjk, is_content_char, normalize};
use innomesh_matching::{AliasDict, Segmenter};
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::Term;

use crate::tokenizer::bigrams;

/// How much more a match in the name counts than one in the text.
pub const NAME_BOOST: f32 = 3.0;

/// A parsed query: one group of alternative spellings per required word.
pub struct Plan {
    pub words: Vec<Vec<String>>,
}

impl Plan {
    pub fn parse(q: &str, seg: &Segmenter, aliases: &AliasDict) -> Plan {
        let norm = normalize(q);
        let all = seg.words_normalized(&norm);
        let mut content: Vec<String> = all
            .iter()
            .filter(|w| !seg.is_stopword(w))
            .cloned()
            .collect();
        if content.is_empty() {
            content = all;
        }
        content.dedup();
        let words = content
            .into_iter()
            .map(|w| {
                let mut variants = vec![w.clone()];
                for a in aliases.aliases_of(&w) {
                    variants.push(a.to_string());
                }
                variants
            })
            .collect();
        Plan { words }
    }

    /// Strings to mark in snippets: every variant and its sub-words, longest first.
    pub fn highlight_terms(&self, seg: &Segmenter) -> Vec<Vec<char>> {
        let mut out: Vec<Vec<char>> = Vec::new();
        for v in self.words.iter().flatten() {
            out.push(v.chars().collect());
            for s in seg.words_normalized(v) {
                if s.chars().count() >= 2 && !seg.is_stopword(&s) {
                    out.push(s.chars().collect());
                }
            }
            // The bigram fallback can match too; mark what matched.
            for g in bigrams(v) {
                out.push(g.chars().collect());
            }
        }
        out.sort_by_key(|t| std::cmp::Reverse(t.len()));
        out.dedup();
        out
    }

    /// The scoring part of the query, or `None` when there are no words.
    pub fn query(&self, seg: &Segmenter, name: Field, text: Field) -> Option<Box<dyn Query>> {
        if self.words.is_empty() {
            return None;
        }
        let clauses = self
            .words
            .iter()
            .map(|variants| {
                let alts = variants
                    .iter()
                    .map(|v| (Occur::Should, variant_query(v, seg, name, text)))
                    .collect();
                (
                    Occur::Must,
                    Box::new(BooleanQuery::new(alts)) as Box<dyn Query>,
                )
            })
            .collect();
        Some(Box::new(BooleanQuery::new(clauses)))
    }
}

/// `term` in name (boosted) or text.
fn either(term: &str, name: Field, text: Field) -> Box<dyn Query> {
    let t = |f| -> Box<dyn Query> {
        Box::new(TermQuery::new(
            Term::from_field_text(f, term),
            IndexRecordOption::WithFreqs,
        ))
    };
    Box::new(BooleanQuery::new(vec![
        (
            Occur::Should,
            Box::new(BoostQuery::new(t(name), NAME_BOOST)),
        ),
        (Occur::Should, t(text)),
    ]))
}

fn all_of(terms: &[String], name: Field, text: Field) -> Box<dyn Query> {
    Box::new(BooleanQuery::new(
        terms
            .iter()
            .map(|t| (Occur::Must, either(t, name, text)))
            .collect(),
    ))
}

/// One spelling. A pure-CJK spelling of three or more characters matches through all of its
/// bigrams (every CJK bigram is indexed, so this covers the whole word and any segmentation of it,
/// e.g. a long alias like 包头钢铁(集团)有限责任公司 that a document's segmentation split), and
/// the whole word only adds score: one conjunction instead of a union of alternatives keeps long
/// queries fast. Other spellings match as the whole word or all of its sub-words.
fn variant_query(v: &str, seg: &Segmenter, name: Field, text: Field) -> Box<dyn Query> {
    let grams = bigrams(v);
    let cjk_chars = v.chars().filter(|c| is_cjk(*c)).count();
    let other_content = v.chars().any(|c| is_content_char(c) && !is_cjk(c));
    if grams.len() > 1 && !other_content && cjk_chars >= 3 {
        return Box::new(BooleanQuery::new(vec![
            (Occur::Must, all_of(&grams, name, text)),
            (Occur::Should, either(v, name, text)),
        ]));
    }
    let mut alts: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Should, either(v, name, text))];
    let subs: Vec<String> = seg
        .words_normalized(v)
        .into_iter()
        .filter(|w| !seg.is_stopword(w))
        .collect();
    if subs.len() > 1 {
        alts.push((Occur::Should, all_of(&subs, name, text)));
    }
    Box::new(BooleanQuery::new(alts))
}
