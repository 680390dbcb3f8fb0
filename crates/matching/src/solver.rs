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

/// A query word found in more than this share of the candidates is not shown as evidence.
/// (Among few candidates every word is shared by many: a word is only "common" in more than this
/// many candidates.)
const COMMON_TERM_SHARE: f32 = 0.2;
const COMMON_TERM_MIN_DOCS: usize = 10;

/// One candidate field prepared for finding matched terms: its normalised text and words.
struct PreparedField {
    field: &'static str,
    norm: String,
    words: HashSet<String>,
}

/// The text side of matching, built once over the candidates and queried many times: BM25 over
/// segmented words, an LSA space learned from the candidates' own texts with each candidate's
/// vector, and the fields prepared for the matched-term evidence.
struct TextIndex {
    seg: Arc<Segmenter>,
    bm25: Bm25Index,
    lsa: LsaEmbedder,
    vectors: Vec<Vec<f32>>,
    fields: Vec<Vec<PreparedField>>,
}

/// A query scored against every candidate.
struct QueryScores {
    lexical: Vec<f32>,
    semantic: Vec<f32>,
    terms: Vec<String>,
    /// Alias expansions: (alias term, the query name it stands for).
    expansions: Vec<(String, String)>,
}

impl TextIndex {
    fn build(seg: &Arc<Segmenter>, cands: &[Candidate]) -> Self {
        let words_of = |t: &str| -> Vec<String> { seg.content_words(t) };
        // One BM25 document per candidate over all its fields.
        let docs: Vec<Vec<Vec<String>>> = cands
            .iter()
            .map(|c| vec![c.fields.iter().flat_map(|(_, t)| words_of(t)).collect()])
            .collect();
        let bm25 = Bm25Index::build(&docs, &[FieldConfig::default()]);
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
        let fit_texts: Vec<&str> = texts.iter().map(String::as_str).collect();
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
        let vectors = texts.iter().map(|t| lsa.embed(t)).collect();
        let fields = cands
            .iter()
            .map(|c| {
                c.fields
                    .iter()
                    .map(|(field, text)| PreparedField {
                        field,
                        norm: normalize(text),
                        words: words_of(text).into_iter().collect(),
                    })
                    .collect()
            })
            .collect();
        Self {
            seg: seg.clone(),
            bm25,
            lsa,
            vectors,
            fields,
        }
    }

    fn score(&self, aliases: &AliasDict, query: &str, alias_weight: f32) -> QueryScores {
        let words_of = |t: &str| -> Vec<String> { self.seg.content_words(t) };
        let norm_q = normalize(query);
        let mut terms: Vec<String> = words_of(query);
        terms.sort_unstable();
        terms.dedup();
        let mut expansions: Vec<(String, String)> = Vec::new();
        for name in aliases.names_in(&norm_q) {
            for alias in aliases.aliases_of(name) {
                let alias_words = words_of(alias);
                for w in alias_words
                    .into_iter()
                    .chain(std::iter::once(alias.to_string()))
                {
                    if !terms.contains(&w) && !expansions.iter().any(|(a, _)| *a == w) {
                        expansions.push((w, name.to_string()));
                    }
                }
            }
        }
        let mut bq: Vec<(String, f32)> = terms.iter().map(|t| (t.clone(), 1.0)).collect();
        bq.extend(expansions.iter().map(|(t, _)| (t.clone(), alias_weight)));
        let mut lexical = self.bm25.scores(&[bq]);
        let max = lexical.iter().copied().fold(0.0f32, f32::max);
        if max > 0.0 {
            lexical.iter_mut().for_each(|s| *s /= max);
        }
        let qe = self.lsa.embed(query);
        let semantic = self
            .vectors
            .iter()
            .map(|v| dot(v, &qe).clamp(0.0, 1.0))
            .collect();
        QueryScores {
            lexical,
            semantic,
            terms,
            expansions,
        }
    }

    /// The best `top` of `(candidate index, hit)`, best first (ties by id), with the matched terms
    /// looked up only for the hits kept.
    fn keep_best<H>(
        &self,
        q: &QueryScores,
        hits: Vec<(usize, H)>,
        top: usize,
        key: impl Fn(&H) -> (f32, &str),
        evidence: impl Fn(&mut H) -> &mut Evidence,
    ) -> Vec<H> {
        self.keep_sorted(q, hits, |rank, _| rank < top, key, evidence)
    }

    /// Like `keep_best`, keeping the hits `keep(rank, hit)` accepts, `rank` being the hit's
    /// position in the best-first order.
    fn keep_sorted<H>(
        &self,
        q: &QueryScores,
        mut hits: Vec<(usize, H)>,
        mut keep: impl FnMut(usize, &H) -> bool,
        key: impl Fn(&H) -> (f32, &str),
        evidence: impl Fn(&mut H) -> &mut Evidence,
    ) -> Vec<H> {
        sort_hits(&mut hits, |(_, h)| key(h));
        let mut rank = 0;
        hits.retain(|(_, h)| {
            let k = keep(rank, h);
            rank += 1;
            k
        });
        hits.into_iter()
            .map(|(i, mut h)| {
                let e = evidence(&mut h);
                if e.matched_terms.is_empty() {
                    e.matched_terms = self.matched(q, i);
                }
                h
            })
            .collect()
    }

    /// The query terms (and alias expansions) found in candidate `i`, with the field they are in:
    /// the most telling first, leaving out words most candidates share (我单位、技术、实现 …) and
    /// words that tell nothing on their own (single characters, bare numbers, common words: 不、
    /// 150、8%、长期), which are no evidence a person could check. (Evidence only: the score
    /// still counts every word.)
    fn matched(&self, q: &QueryScores, i: usize) -> Vec<MatchedTerm> {
        let n = self.bm25.len().max(1) as f32;
        let mut terms: Vec<(&String, f32)> = q
            .terms
            .iter()
            .filter(|t| self.seg.is_informative(t))
            .filter(|t| {
                let df = self.bm25.df(0, t);
                df <= COMMON_TERM_MIN_DOCS || (df as f32) / n <= COMMON_TERM_SHARE
            })
            .map(|t| (t, self.bm25.idf(0, t)))
            .collect();
        terms.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
        let mut out: Vec<MatchedTerm> = Vec::new();
        for f in &self.fields[i] {
            let found =
                |t: &str| f.words.contains(t) || (t.chars().count() >= 2 && f.norm.contains(t));
            for (t, _) in &terms {
                if found(t) && !out.iter().any(|m| m.term == **t) {
                    out.push(MatchedTerm {
                        term: (*t).clone(),
                        field: f.field.to_string(),
                        via_alias: None,
                    });
                }
            }
            for (t, orig) in &q.expansions {
                if found(t) && self.seg.is_informative(t) && !out.iter().any(|m| m.term == *t) {
                    out.push(MatchedTerm {
                        term: t.clone(),
                        field: f.field.to_string(),
                        via_alias: Some(orig.clone()),
                    });
                }
            }
        }
        out
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

/// Solvers prepared once for many demands (the server keeps one per registry version).
pub struct SolverIndex {
    solvers: Vec<Solver>,
    text: TextIndex,
}

impl SolverIndex {
    pub fn build(seg: &Arc<Segmenter>, solvers: Vec<Solver>) -> Self {
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
        let text = TextIndex::build(seg, &cands);
        Self { solvers, text }
    }

    pub fn len(&self) -> usize {
        self.solvers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.solvers.is_empty()
    }

    /// Ranks the solvers for `demand`, best first, at most `top`.
    pub fn rank(
        &self,
        aliases: &AliasDict,
        demand: &Demand,
        top: usize,
        config: &SolverMatchConfig,
    ) -> Vec<SolverHit> {
        self.rank_where(aliases, demand, top, config, |_| true)
    }

    /// Like [`rank`](Self::rank) over the solvers `keep` accepts only (one kind, say): the same
    /// scores, the best `top` of those solvers — not the kept part of an overall top `top`.
    pub fn rank_where(
        &self,
        aliases: &AliasDict,
        demand: &Demand,
        top: usize,
        config: &SolverMatchConfig,
        keep: impl Fn(&Solver) -> bool,
    ) -> Vec<SolverHit> {
        if self.solvers.is_empty() || top == 0 {
            return Vec::new();
        }
        let (ts, hits) = self.scored(aliases, demand, config, keep);
        self.text.keep_best(
            &ts,
            hits,
            top,
            |h| (h.score, h.id.as_str()),
            |h| &mut h.evidence,
        )
    }

    /// The best `top` solvers overall together with the best `per_kind` of every kind (so that
    /// a kind outranked by a crowd of another is still there to choose from), best first. One
    /// scoring pass; the same scores as [`rank`](Self::rank).
    pub fn rank_with_each_kind(
        &self,
        aliases: &AliasDict,
        demand: &Demand,
        top: usize,
        per_kind: usize,
        config: &SolverMatchConfig,
    ) -> Vec<SolverHit> {
        if self.solvers.is_empty() || (top == 0 && per_kind == 0) {
            return Vec::new();
        }
        let (ts, hits) = self.scored(aliases, demand, config, |_| true);
        let mut seen: std::collections::HashMap<SolverKind, usize> = Default::default();
        self.text.keep_sorted(
            &ts,
            hits,
            |rank, h| {
                let n = seen.entry(h.kind).or_default();
                *n += 1;
                rank < top || *n <= per_kind
            },
            |h| (h.score, h.id.as_str()),
            |h| &mut h.evidence,
        )
    }

    /// Every solver `keep` accepts, scored for `demand` (matched terms not yet looked up).
    fn scored(
        &self,
        aliases: &AliasDict,
        demand: &Demand,
        config: &SolverMatchConfig,
        keep: impl Fn(&Solver) -> bool,
    ) -> (QueryScores, Vec<(usize, SolverHit)>) {
        let query = format!("{}。{}", demand.title, demand.text);
        let ts = self.text.score(aliases, &query, config.alias_weight);
        let demand_industry: Vec<String> = demand.industry.iter().cloned().collect();
        let hits: Vec<(usize, SolverHit)> = self
            .solvers
            .iter()
            .enumerate()
            .filter(|(_, s)| keep(s))
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
                let hit = SolverHit {
                    id: s.id.clone(),
                    kind: s.kind,
                    name: s.name.clone(),
                    score,
                    evidence: Evidence {
                        matched_terms: Vec::new(),
                        discipline,
                        industry,
                        chain_node,
                        collaborations,
                        lexical: ts.lexical[i],
                        semantic: ts.semantic[i],
                    },
                };
                (i, hit)
            })
            .collect();
        (ts, hits)
    }
}

/// Ranks `solvers` for `demand`, best first, at most `top` (builds a one-off `SolverIndex`).
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
    SolverIndex::build(seg, solvers.to_vec()).rank(aliases, demand, top, config)
}

/// Enterprises prepared once for many achievements.
pub struct AdopterIndex {
    enterprises: Vec<Enterprise>,
    text: TextIndex,
}

impl AdopterIndex {
    pub fn build(seg: &Arc<Segmenter>, enterprises: Vec<Enterprise>) -> Self {
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
        let text = TextIndex::build(seg, &cands);
        Self { enterprises, text }
    }

    /// Ranks the enterprises as likely adopters of `achievement`: business text and past
    /// demands, chain node and industry links. Best first, at most `top`; `exclude` (the
    /// achievement's own owners) never appear.
    pub fn rank(
        &self,
        aliases: &AliasDict,
        achievement: &Achievement,
        exclude: &[String],
        top: usize,
        config: &SolverMatchConfig,
    ) -> Vec<AdopterHit> {
        if self.enterprises.is_empty() || top == 0 {
            return Vec::new();
        }
        let query = format!("{}。{}", achievement.title, achievement.text);
        let ts = self.text.score(aliases, &query, config.alias_weight);
        let hits: Vec<(usize, AdopterHit)> = self
            .enterprises
            .iter()
            .enumerate()
            .filter(|(_, e)| !exclude.contains(&e.id))
            .map(|(i, e)| {
                let industry = best_industry_link(&achievement.industries, &e.industries);
                let chain_node = achievement
                    .chain_nodes
                    .iter()
                    .find(|n| e.chain_nodes.iter().any(|x| same_label(x, n)))
                    .cloned();
                let matched = if e.past_demands.is_empty() {
                    Vec::new()
                } else {
                    self.text.matched(&ts, i)
                };
                let past_hit = matched.iter().any(|m| m.field == "past_demands");
                let score = config.lexical * ts.lexical[i]
                    + config.semantic * ts.semantic[i]
                    + config.industry * industry_bonus(&industry)
                    + config.chain_node * chain_node.is_some() as u8 as f32
                    + config.collaboration * past_hit as u8 as f32;
                let hit = AdopterHit {
                    id: e.id.clone(),
                    name: e.name.clone(),
                    score,
                    evidence: Evidence {
                        matched_terms: matched,
                        discipline: None,
                        industry,
                        chain_node,
                        collaborations: Vec::new(),
                        lexical: ts.lexical[i],
                        semantic: ts.semantic[i],
                    },
                };
                (i, hit)
            })
            .collect();
        self.text.keep_best(
            &ts,
            hits,
            top,
            |h| (h.score, h.id.as_str()),
            |h| &mut h.evidence,
        )
    }
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
    AdopterIndex::build(seg, enterprises.to_vec()).rank(aliases, achievement, &[], top, config)
}
