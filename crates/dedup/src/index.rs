//! The incremental index (`DedupIndex`): applications inserted one by one, a new application
//! checked against all stored ones, and the pre-submission check limited to one applicant.

use std::collections::HashMap;

use crate::align::{title_overlap, titles_disagree, verify, Profile};
use crate::anchors::{anchors, AnchorTotals, Postings, SparseTally, MAX_DOCS};
use crate::boilerplate::DocFreq;
use crate::budget::{BudgetIndex, NormalLine};
use crate::check::{prepare, side, Prepared};
use crate::config::DedupConfig;
use crate::error::DedupError;
use crate::features::{features, title_shingles};
use crate::identity::PersonToken;
use crate::input::validate;
use crate::signals::{judge, normalise_credit_code};
use crate::types::{Application, Match};

/// An applicant with at most this many stored applications has all of them verified by the
/// pre-submission check (no candidate pruning at all).
const EXHAUSTIVE_OWN_LIMIT: usize = 512;

/// A stored application: text for verification and evidence, and the hashed non-text data
/// (full ID numbers are never stored).
#[derive(Debug, Clone)]
struct Stored {
    id: String,
    title: String,
    text: String,
    prepared: Prepared,
}

/// Incremental duplicate index.
#[derive(Debug, Clone)]
pub struct DedupIndex {
    cfg: DedupConfig,
    docs: Vec<Stored>,
    ids: HashMap<String, u32>,
    df: DocFreq,
    title_df: DocFreq,
    postings: Postings,
    anchor_totals: Vec<AnchorTotals>,
    by_applicant: HashMap<String, Vec<u32>>,
    by_person: HashMap<[u8; 32], Vec<u32>>,
    budgets: BudgetIndex,
}

/// Sizes of the index, for capacity planning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexStats {
    /// Stored applications.
    pub applications: usize,
    /// Distinct shingles counted.
    pub distinct_shingles: usize,
    /// Anchor postings entries.
    pub postings: usize,
    /// Bytes of stored text.
    pub text_bytes: usize,
}

impl DedupIndex {
    /// An empty index.
    pub fn new(cfg: DedupConfig) -> Self {
        DedupIndex {
            cfg,
            docs: Vec::new(),
            ids: HashMap::new(),
            df: DocFreq::default(),
            title_df: DocFreq::default(),
            postings: Postings::default(),
            anchor_totals: Vec::new(),
            by_applicant: HashMap::new(),
            by_person: HashMap::new(),
            budgets: BudgetIndex::default(),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &DedupConfig {
        &self.cfg
    }

    /// Number of stored applications.
    pub fn len(&self) -> usize {
        self.docs.len()
    }

    /// Whether nothing is stored.
    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    /// Sizes of the index.
    pub fn stats(&self) -> IndexStats {
        IndexStats {
            applications: self.docs.len(),
            distinct_shingles: self.df.distinct(),
            postings: self.postings.entries(),
            text_bytes: self.docs.iter().map(|d| d.text.len() + d.title.len()).sum(),
        }
    }

    /// Stores an application. Fails on an id already stored or an invalid application; then the
    /// index is unchanged.
    pub fn insert(&mut self, app: Application) -> Result<(), DedupError> {
        if self.ids.contains_key(&app.id) {
            return Err(DedupError::DuplicateId { id: app.id });
        }
        validate(&app, 0, &self.cfg).map_err(|e| DedupError::InvalidInput {
            errors: vec![e],
            total: 1,
        })?;
        if self.docs.len() >= MAX_DOCS {
            return Err(DedupError::Full { limit: MAX_DOCS });
        }
        let doc = self.docs.len() as u32;
        let f = features(&app.text, self.cfg.shingle_len);
        self.df.add(&f.set());
        self.title_df.add(&title_shingles(&app.title));
        // All sampled shingles are posted; boilerplate is decided at query time, when the
        // corpus is larger.
        let a = anchors(&f, &self.cfg, |_| true);
        self.postings.add(doc, &a);
        self.anchor_totals.push(a.totals());
        let prepared = prepare(&app, &self.cfg);
        if let Some(c) = &prepared.applicant {
            self.by_applicant.entry(c.clone()).or_default().push(doc);
        }
        for t in &prepared.people {
            self.by_person.entry(t.digest).or_default().push(doc);
        }
        self.budgets.add(doc, &prepared.budget, &self.cfg);
        self.ids.insert(app.id.clone(), doc);
        self.docs.push(Stored {
            id: app.id,
            title: app.title,
            text: app.text,
            prepared,
        });
        Ok(())
    }

    /// Stored applications that duplicate `app` (text, budget, or same applicant with the same
    /// team), best text score first. `app` itself need not be stored; a stored application with
    /// the same id is skipped.
    pub fn query(&self, app: &Application) -> Vec<Match> {
        self.query_where(app, None)
    }

    /// Pre-submission check: overlaps of a draft with the earlier applications of the same
    /// applicant only. Other applicants' texts are never compared or returned.
    pub fn check_draft(&self, draft: &Application, applicant_credit_code: &str) -> Vec<Match> {
        let Some(code) = normalise_credit_code(applicant_credit_code) else {
            return Vec::new();
        };
        let Some(own) = self.by_applicant.get(&code) else {
            return Vec::new();
        };
        let mut draft = draft.clone();
        draft.applicant_credit_code = Some(code);
        self.query_where(&draft, Some(own))
    }

    fn query_where(&self, app: &Application, own: Option<&Vec<u32>>) -> Vec<Match> {
        let cfg = &self.cfg;
        let f = features(&app.text, cfg.shingle_len);
        let rule = self.df.rule(cfg);
        let qa = anchors(&f, cfg, |h| rule.is_anchor(h));
        let title_rule = self.title_df.rule(cfg);
        let q_title = Profile::informative_title(&title_shingles(&app.title), &title_rule);
        let skip_self = self.ids.get(&app.id).copied();
        let admit =
            |d: u32| Some(d) != skip_self && own.is_none_or(|o| o.binary_search(&d).is_ok());
        let mut tally = SparseTally::default();
        let mut cands = match own {
            Some(o) if o.len() <= EXHAUSTIVE_OWN_LIMIT => {
                o.iter().copied().filter(|&d| admit(d)).collect()
            }
            // Stored totals include anchors that are boilerplate now, so the other side is
            // tested leniently, at half its totals.
            _ => self.postings.candidates(
                &qa,
                cfg,
                0,
                admit,
                |d| {
                    let t = self.anchor_totals[d as usize];
                    AnchorTotals {
                        codes: t.codes / 2,
                        sentences: t.sentences / 2,
                    }
                },
                |d| {
                    let t = title_shingles(&self.docs[d as usize].title);
                    let other = Profile::informative_title(&t, &title_rule);
                    titles_disagree(title_overlap(&q_title, &other), cfg)
                },
                &mut tally,
            ),
        };
        let prepared = prepare(app, cfg);
        // Non-text signals bring their own candidates.
        for t in &prepared.people {
            if let Some(v) = self.by_person.get(&t.digest) {
                cands.extend(v.iter().copied().filter(|&d| admit(d)));
            }
        }
        let common =
            |l: &NormalLine| self.budgets.holders(l, cfg).len() > cfg.budget_common_max_docs;
        for l in &prepared.budget {
            let h = self.budgets.holders(l, cfg);
            if h.len() <= cfg.budget_common_max_docs {
                cands.extend(h.into_iter().filter(|&d| admit(d)));
            }
        }
        cands.sort_unstable();
        cands.dedup();
        let q = Profile::new(&f, &rule, &title_shingles(&app.title), &title_rule, cfg);
        let mut out: Vec<Match> = cands
            .into_iter()
            .filter_map(|d| {
                let s = &self.docs[d as usize];
                let sf = features(&s.text, cfg.shingle_len);
                let p = Profile::new(&sf, &rule, &title_shingles(&s.title), &title_rule, cfg);
                let text = verify(&q, &p, cfg);
                judge(
                    side(&app.id, &prepared),
                    side(&s.id, &s.prepared),
                    text,
                    cfg,
                    common,
                )
            })
            .collect();
        out.sort_by(|x, y| y.score.total_cmp(&x.score).then_with(|| x.b.cmp(&y.b)));
        out
    }

    /// Hashed team of a stored application (for audits; masked IDs only).
    pub fn people_of(&self, id: &str) -> Option<&[PersonToken]> {
        self.ids
            .get(id)
            .map(|&d| self.docs[d as usize].prepared.people.as_slice())
    }
}
