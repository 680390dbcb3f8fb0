//! Demand → solver matching (出题解题) and its reverse, achievement → likely adopters. Every hit
//! carries evidence a person can check: the matched terms and the field they matched in, the
//! discipline / industry / chain-node links, past collaborations, and the score parts.

use std::collections::HashSet;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::bm25::{Bm25Index, FieldConfig};
use crate::dict::AliasDict;
use crate::embed::{dot, Embedder, FeatureSet, LsaConfig, LsaEmbedder};
use crate::normalize::normalize;
use crate::segment::Segmenter;

/// Kinds of solvers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SolverKind {
    Expert,
    Platform,
    Achievement,
    Equipment,
}

/// A past collaboration of a solver or a past demand of an enterprise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Collaboration {
    /// The partner organisation (name or credit code).
    pub partner: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year: Option<i32>,
}

/// A candidate solver: expert, platform, achievement or equipment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Solver {
    pub id: String,
    pub kind: SolverKind,
    pub name: String,
    pub text: String,
    #[serde(default)]
    pub disciplines: Vec<String>,
    /// GB/T 4754 industry codes, e.g. `C3240`.
    #[serde(default)]
    pub industries: Vec<String>,
    #[serde(default)]
    pub chain_nodes: Vec<String>,
    #[serde(default)]
    pub collaborations: Vec<Collaboration>,
}

/// A technology demand (problem card text plus its classification).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Demand {
    pub id: String,
    pub title: String,
    pub text: String,
    #[serde(default)]
    pub discipline: Option<String>,
    #[serde(default)]
    pub industry: Option<String>,
    #[serde(default)]
    pub chain_node: Option<String>,
    /// The posting enterprise (name or credit code), to find past collaborations.
    #[serde(default)]
    pub enterprise: Option<String>,
}

/// Score weights. The text parts are in [0, 1]; links add fixed bonuses.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SolverMatchConfig {
    pub lexical: f32,
    pub semantic: f32,
    pub discipline: f32,
    pub industry: f32,
    pub chain_node: f32,
    pub collaboration: f32,
    pub alias_weight: f32,
}

impl Default for SolverMatchConfig {
    fn default() -> Self {
        Self {
            lexical: 0.5,
            semantic: 0.3,
            discipline: 0.1,
            industry: 0.08,
            chain_node: 0.08,
            collaboration: 0.05,
            alias_weight: 0.5,
        }
    }
}

/// A query term found in a candidate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MatchedTerm {
    /// The term as found in the candidate.
    pub term: String,
    /// Which field of the candidate it matched: `name`, `text`, `disciplines`, `past_demands` …
    pub field: String,
    /// The query term it stands for, when matched through an alias (钕铁硼 → 稀土永磁).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via_alias: Option<String>,
}

/// An industry link between query and candidate codes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IndustryLink {
    pub query: String,
    pub candidate: String,
    /// 门类 / 大类 / 中类 / 小类 — the finest level both codes share.
    pub level: String,
}

/// Why a candidate was ranked where it was.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Evidence {
    pub matched_terms: Vec<MatchedTerm>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub discipline: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub industry: Option<IndustryLink>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chain_node: Option<String>,
    pub collaborations: Vec<Collaboration>,
    /// Max-normalised BM25 score in [0, 1].
    pub lexical: f32,
    /// LSA cosine in [0, 1].
    pub semantic: f32,
}

/// One ranked candidate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SolverHit {
    pub id: String,
    pub kind: SolverKind,
    pub name: String,
    pub score: f32,
    pub evidence: Evidence,
}

/// An enterprise that might adopt an achievement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enterprise {
    pub id: String,
    pub name: String,
    /// Business scope and products.
    pub text: String,
    #[serde(default)]
    pub industries: Vec<String>,
    #[serde(default)]
    pub chain_nodes: Vec<String>,
    /// Texts of demands it posted before.
    #[serde(default)]
    pub past_demands: Vec<String>,
}

/// An achievement looking for adopters.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Achievement {
    pub id: String,
    pub title: String,
    pub text: String,
    #[serde(default)]
    pub industries: Vec<String>,
    #[serde(default)]
    pub chain_nodes: Vec<String>,
}

/// One ranked adopter.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AdopterHit {
    pub id: String,
    pub name: String,
    pub score: f32,
    pub evidence: Evidence,
}

/// A candidate seen as named text fields, the shared shape of solvers and enterprises.
struct Candidate {
    fields: Vec<(&'static str, String)>,
}

/// Lexical and semantic scores of a query against candidates, with matched terms.
struct TextScores {
    lexical: Vec<f32>,
    semantic: Vec<f32>,
    matched: Vec<Vec<MatchedTerm>>,
}

fn score_text(
    seg: &Arc<Segmenter>,
    aliases: &AliasDict,
    query: &str,
    cands: &[Candidate],
    alias_weight: f32,
) -> TextScores {
    let words_of = |t: &str| -> Vec<String> { seg.content_words(t) };
    // One BM25 document per candidate over all its fields.
    let docs: Vec<Vec<Vec<String>>> = cands
        .iter()
        .map(|c| vec![c.fields.iter().flat_map(|(_, t)| words_of(t)).collect()])
        .collect();
    let index = Bm25Index::build(&docs, &[FieldConfig::default()]);
    let norm_q = normalize(query);
    let mut q_terms: Vec<String> = words_of(query);
    q_terms.sort_unstable();
    q_terms.dedup();
    // Alias expansions: (alias term, original query name).
    let mut expansions: Vec<(String, String)> = Vec::new();
    for name in aliases.names_in(&norm_q) {
        for alias in aliases.aliases_of(name) {
            let alias_words = words_of(alias);
            for w in alias_words
                .into_iter()
                .chain(std::iter::once(alias.to_string()))
            {
                if !q_terms.contains(&w) && !expansions.iter().any(|(a, _)| *a == w) {
                    expansions.push((w, name.to_string()));
                }
            }
        }
    }
    let mut bq: Vec<(String, f32)> = q_terms.iter().map(|t| (t.clone(), 1.0)).collect();
    bq.extend(expansions.iter().map(|(t, _)| (t.clone(), alias_weight)));
    let mut lexical = index.scores(&[bq]);
    let max = lexical.iter().copied().fold(0.0f32, f32::max);
    if max > 0.0 {
        lexical.iter_mut().for_each(|s| *s /= max);
    }
    let texts: Vec<String> = cands
        .iter()
        .map(|c| {
            c.fields
                .iter()
                .map(|(_, t)| t.as_str())
                .collect::<Vec<_>>()
                .join("。")
        })
        .collect();
    let mut fit_texts: Vec<&str> = texts.iter().map(String::as_str).collect();
    fit_texts.push(query);
    let cfg = LsaConfig {
        dim: 64,
        min_df: 1,
        features: FeatureSet {
            words: true,
            chars: false,
            bigrams: true,
            trigrams: false,
        },
        ..LsaConfig::default()
    };
    let lsa = LsaEmbedder::fit(seg.clone(), &fit_texts, cfg);
    let qe = lsa.embed(query);
    let semantic = texts
        .iter()
        .map(|t| dot(&lsa.embed(t), &qe).clamp(0.0, 1.0))
        .collect();
    let matched = cands
        .iter()
        .map(|c| {
            let mut out: Vec<MatchedTerm> = Vec::new();
            for (field, text) in &c.fields {
                let norm = normalize(text);
                let fw: HashSet<String> = words_of(text).into_iter().collect();
                let found =
                    |t: &str| fw.contains(t) || (t.chars().count() >= 2 && norm.contains(t));
                for t in &q_terms {
                    if found(t) && !out.iter().any(|m| m.term == *t) {
                        out.push(MatchedTerm {
                            term: t.clone(),
                            field: (*field).to_string(),
                            via_alias: None,
                        });
                    }
                }
                for (t, orig) in &expansions {
                    if found(t) && !out.iter().any(|m| m.term == *t) {
                        out.push(MatchedTerm {
                            term: t.clone(),
                            field: (*field).to_string(),
                            via_alias: Some(orig.clone()),
                        });
                    }
                }
            }
            out
        })
        .collect();
    TextScores {
        lexical,
        semantic,
        matched,
    }
}

/// The finest GB/T 4754 level two industry codes share (`C3240` vs `C3251` → 大类 C32).
/// Codes may carry the section letter or not; different letters never link.
pub fn industry_link(query: &str, candidate: &str) -> Option<IndustryLink> {
    let split = |code: &str| -> (Option<char>, String) {
        let code = code.trim().to_ascii_uppercase();
        match code.chars().next() {
            Some(c) if c.is_ascii_alphabetic() => (Some(c), code[1..].to_string()),
            _ => (None, code),
        }
    };
    let ((la, da), (lb, db)) = (split(query), split(candidate));
    let same_letter = match (la, lb) {
        (Some(a), Some(b)) if a != b => return None,
        (Some(_), Some(_)) => true,
        _ => false,
    };
    let common = da
        .chars()
        .zip(db.chars())
        .take_while(|(x, y)| x == y)
        .count();
    let level = match common {
        0 | 1 if same_letter => "门类",
        0 | 1 => return None,
        2 => "大类",
        3 => "中类",
        _ => "小类",
    };
    Some(IndustryLink {
        query: query.trim().to_string(),
        candidate: candidate.trim().to_string(),
        level: level.into(),
    })
}

fn best_industry_link(query: &[String], candidate: &[String]) -> Option<IndustryLink> {
    let rank = |l: &str| match l {
        "小类" => 4,
        "中类" => 3,
        "大类" => 2,
        _ => 1,
    };
    query
        .iter()
        .flat_map(|q| candidate.iter().filter_map(move |c| industry_link(q, c)))
        .max_by_key(|l| rank(&l.level))
}

fn industry_bonus(link: &Option<IndustryLink>) -> f32 {
    match link.as_ref().map(|l| l.level.as_str()) {
        Some("小类") | Some("中类") => 1.0,
        Some("大类") => 0.7,
        Some(_) => 0.3,
        None => 0.0,
    }
}

fn same_label(a: &str, b: &str) -> bool {
    normalize(a.trim()) == normalize(b.trim())
}

fn sort_hits<T>(hits: &mut [T], key: impl Fn(&T) -> (f32, &str)) {
    hits.sort_by(|a, b| {
        let (sa, ia) = key(a);
        let (sb, ib) = key(b);
        sb.total_cmp(&sa).then(ia.cmp(ib))
    });
}

/// Ranks `solvers` for `demand`, best first, at most `top`.
pub fn match_solvers(
    seg: &Arc<Segmenter>,
    aliases: &AliasDict,
    demand: &Demand,
    solvers: &[Solver],
    top: usize,
    config: &SolverMatchConfig,
) -> Vec<SolverHit> {
    if solvers.is_empty() || top == 0 {
        return Vec::new();
    }
    let cands: Vec<Candidate> = solvers
        .iter()
        .map(|s| Candidate {
            fields: vec![
                ("name", s.name.clone()),
                ("text", s.text.clone()),
                ("disciplines", s.disciplines.join("、")),
            ],
        })
        .collect();
    let query = format!("{}。{}", demand.title, demand.text);
    let ts = score_text(seg, aliases, &query, &cands, config.alias_weight);
    let demand_industry: Vec<String> = demand.industry.iter().cloned().collect();
    let mut hits: Vec<SolverHit> = solvers
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let discipline = demand
                .discipline
                .as_ref()
                .and_then(|d| s.disciplines.iter().find(|x| same_label(x, d)).cloned());
            let industry = best_industry_link(&demand_industry, &s.industries);
            let chain_node = demand
                .chain_node
                .as_ref()
                .and_then(|n| s.chain_nodes.iter().find(|x| same_label(x, n)).cloned());
            let collaborations: Vec<Collaboration> = demand
                .enterprise
                .as_ref()
                .map(|e| {
                    s.collaborations
                        .iter()
                        .filter(|c| same_label(&c.partner, e))
                        .cloned()
                        .collect()
                })
                .unwrap_or_default();
            let score = config.lexical * ts.lexical[i]
                + config.semantic * ts.semantic[i]
                + config.discipline * discipline.is_some() as u8 as f32
                + config.industry * industry_bonus(&industry)
                + config.chain_node * chain_node.is_some() as u8 as f32
                + config.collaboration * (!collaborations.is_empty()) as u8 as f32;
            SolverHit {
                id: s.id.clone(),
                kind: s.kind,
                name: s.name.clone(),
                score,
                evidence: Evidence {
                    matched_terms: ts.matched[i].clone(),
                    discipline,
                    industry,
                    chain_node,
                    collaborations,
                    lexical: ts.lexical[i],
                    semantic: ts.semantic[i],
                },
            }
        })
        .collect();
    sort_hits(&mut hits, |h| (h.score, h.id.as_str()));
    hits.truncate(top);
    hits
}

/// Ranks `enterprises` as likely adopters of `achievement`: business text and past demands,
/// chain node and industry links. Best first, at most `top`.
pub fn match_adopters(
    seg: &Arc<Segmenter>,
    aliases: &AliasDict,
    achievement: &Achievement,
    enterprises: &[Enterprise],
    top: usize,
    config: &SolverMatchConfig,
) -> Vec<AdopterHit> {
    if enterprises.is_empty() || top == 0 {
        return Vec::new();
    }
    let cands: Vec<Candidate> = enterprises
        .iter()
        .map(|e| Candidate {
            fields: vec![
                ("name", e.name.clone()),
                ("text", e.text.clone()),
                ("past_demands", e.past_demands.join("。")),
            ],
        })
        .collect();
    let query = format!("{}。{}", achievement.title, achievement.text);
    let ts = score_text(seg, aliases, &query, &cands, config.alias_weight);
    let mut hits: Vec<AdopterHit> = enterprises
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let industry = best_industry_link(&achievement.industries, &e.industries);
            let chain_node = achievement
                .chain_nodes
                .iter()
                .find(|n| e.chain_nodes.iter().any(|x| same_label(x, n)))
                .cloned();
            let past_hit = ts.matched[i].iter().any(|m| m.field == "past_demands");
            let score = config.lexical * ts.lexical[i]
                + config.semantic * ts.semantic[i]
                + config.industry * industry_bonus(&industry)
                + config.chain_node * chain_node.is_some() as u8 as f32
                + config.collaboration * past_hit as u8 as f32;
            AdopterHit {
                id: e.id.clone(),
                name: e.name.clone(),
                score,
                evidence: Evidence {
                    matched_terms: ts.matched[i].clone(),
                    discipline: None,
                    industry,
                    chain_node,
                    collaborations: Vec::new(),
                    lexical: ts.lexical[i],
                    semantic: ts.semantic[i],
                },
            }
        })
        .collect();
    sort_hits(&mut hits, |h| (h.score, h.id.as_str()));
    hits.truncate(top);
    hits
}
