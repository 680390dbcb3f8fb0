//! Demand → solver matching (出题解题) and its reverse, achievement → likely adopters. Every hit
//! carries evidence a person can check: the matched terms and the field they matched in, the
//! discipline / industry / chain-node links, past collaborations, and the score parts.

use std::collections::HashSet;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::bm25::{Bm25Index, FieldConfig};
use crate::dict::AliasDict;
use crate::embed::{dot, Embedder, FeatureSet, LsaConfig, LsaEmbedder};
use crate::normalize::{fold_char, normalize};
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

/// The LSA space is learned from at most this many candidates' texts (an even sample by
/// position when there are more); every candidate is then embedded in it. Learning the space is
/// what grows with the registry (a randomized SVD over every text: 70 s for 414,000 solvers at
/// ×100); a few ten thousand texts already fix the main directions of a vocabulary. Registries
/// up to this size (the ×1 and ×5 samples) learn from every text, exactly as before.
const LSA_FIT_DOCS: usize = 20_000;

/// One candidate field prepared for finding matched terms: its normalised text and words.
struct PreparedField {
    field: &'static str,
    norm: String,
    words: HashSet<String>,
}

/// `f(i)` for `i` in `0..n`, in order, spread over the machine's cores (the index builds are
/// per-candidate work: segmenting and embedding texts).
fn par_map<T: Send>(n: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |t| t.get())
        .min(8);
    if threads < 2 || n < 2_048 {
        return (0..n).map(f).collect();
    }
    let chunk = n.div_ceil(threads);
    let f = &f;
    std::thread::scope(|scope| {
        let parts: Vec<_> = (0..threads)
            .map(|t| {
                scope.spawn(move || {
                    (t * chunk..((t + 1) * chunk).min(n))
                        .map(f)
                        .collect::<Vec<T>>()
                })
            })
            .collect();
        parts
            .into_iter()
            .flat_map(|p| match p.join() {
                Ok(v) => v,
                Err(e) => std::panic::resume_unwind(e),
            })
            .collect()
    })
}

/// The text side of matching, built once over the candidates and queried many times: BM25 over
/// segmented words, and an LSA space learned from the candidates' own texts with each
/// candidate's vector (one flat array). The matched-term evidence is looked up only for the hits
/// shown, from their fields (`matched`), so nothing per field is kept.
struct TextIndex {
    seg: Arc<Segmenter>,
    bm25: Bm25Index,
    lsa: LsaEmbedder,
    /// `len × dim` unit vectors, row by row.
    vectors: Vec<f32>,
    dim: usize,
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
        // One BM25 document per candidate over all its fields.
        let docs: Vec<Vec<Vec<String>>> = par_map(cands.len(), |i| {
            vec![cands[i]
                .fields
                .iter()
                .flat_map(|(_, t)| seg.content_words(t))
                .collect()]
        });
        let bm25 = Bm25Index::build(&docs, &[FieldConfig::default()]);
        drop(docs);
        let text_of = |c: &Candidate| -> String {
            c.fields
                .iter()
                .map(|(_, t)| t.as_str())
                .collect::<Vec<_>>()
                .join("。")
        };
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
        let step = cands.len().div_ceil(LSA_FIT_DOCS).max(1);
        let fit_texts: Vec<String> = cands.iter().step_by(step).map(text_of).collect();
        let fit_refs: Vec<&str> = fit_texts.iter().map(String::as_str).collect();
        let lsa = LsaEmbedder::fit(seg.clone(), &fit_refs, cfg);
        drop(fit_texts);
        let dim = lsa.dim();
        let vectors: Vec<f32> = par_map(cands.len(), |i| lsa.embed(&text_of(&cands[i])))
            .into_iter()
            .flatten()
            .collect();
        Self {
            seg: seg.clone(),
            bm25,
            lsa,
            vectors,
            dim,
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
        let semantic = if self.dim == 0 {
            vec![0.0; lexical.len()]
        } else {
            self.vectors
                .chunks_exact(self.dim)
                .map(|v| dot(v, &qe).clamp(0.0, 1.0))
                .collect()
        };
        QueryScores {
            lexical,
            semantic,
            terms,
            expansions,
        }
    }

    /// The query terms (and alias expansions) found in a candidate's `fields`, with the field
    /// they are in: the most telling first, leaving out words most candidates share (我单位、
    /// 技术、实现 …) and words that tell nothing on their own (single characters, bare numbers,
    /// common words: 不、150、8%、长期), which are no evidence a person could check. (Evidence
    /// only: the score still counts every word.)
    fn matched(&self, q: &QueryScores, fields: &[(&'static str, String)]) -> Vec<MatchedTerm> {
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
        for (field, text) in fields {
            let f = PreparedField {
                field,
                norm: normalize(text),
                words: self.seg.content_words(text).into_iter().collect(),
            };
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

/// The same label once normalised (width and case folded), compared without allocating: it runs
/// for every candidate of every match.
fn same_label(a: &str, b: &str) -> bool {
    a.trim()
        .chars()
        .map(fold_char)
        .eq(b.trim().chars().map(fold_char))
}

/// The best `top` of `scored` (candidate, score), best first, ties by `id_of` ascending,
/// choosing before sorting so that a large index sorts only what it
/// keeps.
fn best_of<'a>(
    mut scored: Vec<(usize, f32)>,
    top: usize,
    id_of: impl Fn(usize) -> &'a str,
) -> Vec<(usize, f32)> {
    let order =
        |a: &(usize, f32), b: &(usize, f32)| b.1.total_cmp(&a.1).then(id_of(a.0).cmp(id_of(b.0)));
    if scored.len() > top && top > 0 {
        scored.select_nth_unstable_by(top - 1, order);
        scored.truncate(top);
    } else if top == 0 {
        scored.clear();
    }
    scored.sort_by(order);
    scored
}

/// Solvers prepared once for many demands (the server keeps one per registry version).
pub struct SolverIndex {
    solvers: Vec<Solver>,
    text: TextIndex,
}

/// A demand's parts that every solver is compared with, prepared once per match.
struct DemandView<'a> {
    demand: &'a Demand,
    industry: Vec<String>,
}

impl SolverIndex {
    pub fn build(seg: &Arc<Segmenter>, solvers: Vec<Solver>) -> Self {
        let cands: Vec<Candidate> = solvers
            .iter()
            .map(|s| Candidate {
                fields: Self::fields(s),
            })
            .collect();
        let text = TextIndex::build(seg, &cands);
        Self { solvers, text }
    }

    /// A solver's text fields, as matched and shown in evidence.
    fn fields(s: &Solver) -> Vec<(&'static str, String)> {
        vec![
            ("name", s.name.clone()),
            ("text", s.text.clone()),
            ("disciplines", s.disciplines.join("、")),
        ]
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
        let (ts, view, scored) = self.scored(aliases, demand, config, keep);
        let id_of = |i: usize| self.solvers[i].id.as_str();
        best_of(scored, top, id_of)
            .into_iter()
            .map(|(i, score)| self.hit(&ts, &view, i, score))
            .collect()
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
        let (ts, view, scored) = self.scored(aliases, demand, config, |_| true);
        let id_of = |i: usize| self.solvers[i].id.as_str();
        // The overall best `top` and each kind's best `per_kind`, chosen from the scores alone.
        let mut by_kind: std::collections::HashMap<SolverKind, Vec<(usize, f32)>> =
            Default::default();
        for &(i, sc) in &scored {
            by_kind
                .entry(self.solvers[i].kind)
                .or_default()
                .push((i, sc));
        }
        let mut kept: Vec<(usize, f32)> = best_of(scored, top, id_of);
        let mut seen: HashSet<usize> = kept.iter().map(|(i, _)| *i).collect();
        for (_, list) in by_kind {
            for (i, sc) in best_of(list, per_kind, id_of) {
                if seen.insert(i) {
                    kept.push((i, sc));
                }
            }
        }
        let n = kept.len();
        best_of(kept, n, id_of)
            .into_iter()
            .map(|(i, score)| self.hit(&ts, &view, i, score))
            .collect()
    }

    /// Every solver `keep` accepts with its score for `demand` (the hits themselves are made
    /// only for the solvers kept).
    fn scored<'d>(
        &self,
        aliases: &AliasDict,
        demand: &'d Demand,
        config: &SolverMatchConfig,
        keep: impl Fn(&Solver) -> bool,
    ) -> (QueryScores, DemandView<'d>, Vec<(usize, f32)>) {
        let query = format!("{}。{}", demand.title, demand.text);
        let ts = self.text.score(aliases, &query, config.alias_weight);
        let view = DemandView {
            demand,
            industry: demand.industry.iter().cloned().collect(),
        };
        let scored =
            self.solvers
                .iter()
                .enumerate()
                .filter(|(_, s)| keep(s))
                .map(|(i, s)| {
                    let discipline = demand
                        .discipline
                        .as_ref()
                        .is_some_and(|d| s.disciplines.iter().any(|x| same_label(x, d)));
                    let industry = if view.industry.is_empty() || s.industries.is_empty() {
                        0.0
                    } else {
                        industry_bonus(&best_industry_link(&view.industry, &s.industries))
                    };
                    let chain_node = demand
                        .chain_node
                        .as_ref()
                        .is_some_and(|n| s.chain_nodes.iter().any(|x| same_label(x, n)));
                    let collaborated = demand.enterprise.as_ref().is_some_and(|e| {
                        s.collaborations.iter().any(|c| same_label(&c.partner, e))
                    });
                    let score = config.lexical * ts.lexical[i]
                        + config.semantic * ts.semantic[i]
                        + config.discipline * discipline as u8 as f32
                        + config.industry * industry
                        + config.chain_node * chain_node as u8 as f32
                        + config.collaboration * collaborated as u8 as f32;
                    (i, score)
                })
                .collect();
        (ts, view, scored)
    }

    /// Solver `i` as a hit with its evidence, `score` as `scored` gave it.
    fn hit(&self, ts: &QueryScores, view: &DemandView, i: usize, score: f32) -> SolverHit {
        let s = &self.solvers[i];
        let demand = view.demand;
        let discipline = demand
            .discipline
            .as_ref()
            .and_then(|d| s.disciplines.iter().find(|x| same_label(x, d)).cloned());
        let industry = best_industry_link(&view.industry, &s.industries);
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
        SolverHit {
            id: s.id.clone(),
            kind: s.kind,
            name: s.name.clone(),
            score,
            evidence: Evidence {
                matched_terms: self.text.matched(ts, &Self::fields(s)),
                discipline,
                industry,
                chain_node,
                collaborations,
                lexical: ts.lexical[i],
                semantic: ts.semantic[i],
            },
        }
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
                fields: Self::fields(e),
            })
            .collect();
        let text = TextIndex::build(seg, &cands);
        Self { enterprises, text }
    }

    /// An enterprise's text fields, as matched and shown in evidence.
    fn fields(e: &Enterprise) -> Vec<(&'static str, String)> {
        vec![
            ("name", e.name.clone()),
            ("text", e.text.clone()),
            ("past_demands", e.past_demands.join("。")),
        ]
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
        let chain_node_of = |e: &Enterprise| {
            achievement
                .chain_nodes
                .iter()
                .find(|n| e.chain_nodes.iter().any(|x| same_label(x, n)))
                .cloned()
        };
        // The matched terms of enterprises with past demands are part of their score (a past
        // demand on the achievement's subject); they are kept for the hits.
        let mut matched: std::collections::HashMap<usize, Vec<MatchedTerm>> = Default::default();
        let scored: Vec<(usize, f32)> = self
            .enterprises
            .iter()
            .enumerate()
            .filter(|(_, e)| !exclude.contains(&e.id))
            .map(|(i, e)| {
                let industry = best_industry_link(&achievement.industries, &e.industries);
                let chain_node = chain_node_of(e);
                let past_hit = if e.past_demands.is_empty() {
                    false
                } else {
                    let m = self.text.matched(&ts, &Self::fields(e));
                    let hit = m.iter().any(|m| m.field == "past_demands");
                    matched.insert(i, m);
                    hit
                };
                let score = config.lexical * ts.lexical[i]
                    + config.semantic * ts.semantic[i]
                    + config.industry * industry_bonus(&industry)
                    + config.chain_node * chain_node.is_some() as u8 as f32
                    + config.collaboration * past_hit as u8 as f32;
                (i, score)
            })
            .collect();
        best_of(scored, top, |i| self.enterprises[i].id.as_str())
            .into_iter()
            .map(|(i, score)| {
                let e = &self.enterprises[i];
                AdopterHit {
                    id: e.id.clone(),
                    name: e.name.clone(),
                    score,
                    evidence: Evidence {
                        matched_terms: matched
                            .remove(&i)
                            .filter(|m| !m.is_empty())
                            .unwrap_or_else(|| self.text.matched(&ts, &Self::fields(e))),
                        discipline: None,
                        industry: best_industry_link(&achievement.industries, &e.industries),
                        chain_node: chain_node_of(e),
                        collaborations: Vec::new(),
                        lexical: ts.lexical[i],
                        semantic: ts.semantic[i],
                    },
                }
            })
            .collect()
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
