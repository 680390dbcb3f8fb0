//! The combined batch check over a set of applications: text, applicant, people and budget
//! signals gathered per pair and judged together.

use std::collections::{BTreeMap, HashMap};

use crate::align::TextEvidence;
use crate::budget::{normalise, BudgetIndex, NormalLine};
use crate::config::DedupConfig;
use crate::identity::{tokens, PersonToken};
use crate::signals::{judge, normalise_credit_code, Side};
use crate::text::{detect_text, TextStats};
use crate::types::{Application, FlaggedPair, MatchKind};

/// A person in more applications than this is treated like boilerplate for pairing (the pairs
/// would be quadratic and carry little evidence each).
const MAX_PERSON_GROUP: usize = 200;

/// Result of [`check`].
#[derive(Debug, Clone, Default)]
pub struct CheckReport {
    /// Flagged pairs, `a` before `b` in input order, sorted by position.
    pub pairs: Vec<FlaggedPair>,
    /// Counters of the text pass.
    pub text_stats: TextStats,
}

/// Per-application data for the non-text checks.
#[derive(Debug, Clone)]
pub(crate) struct Prepared {
    pub applicant: Option<String>,
    pub people: Vec<PersonToken>,
    pub budget: Vec<NormalLine>,
}

pub(crate) fn prepare(app: &Application, cfg: &DedupConfig) -> Prepared {
    Prepared {
        applicant: app
            .applicant_credit_code
            .as_deref()
            .and_then(normalise_credit_code),
        people: match &cfg.identity_key {
            Some(k) => tokens(&app.team, k),
            None => Vec::new(),
        },
        budget: normalise(&app.budget),
    }
}

pub(crate) fn side<'a>(id: &'a str, p: &'a Prepared) -> Side<'a> {
    Side {
        id,
        applicant: p.applicant.as_deref(),
        people: &p.people,
        budget: &p.budget,
    }
}

/// Checks every pair of `apps` and returns the flagged ones with their kinds and evidence.
pub fn check(apps: &[Application], cfg: &DedupConfig) -> CheckReport {
    let texts: Vec<&str> = apps.iter().map(|a| a.text.as_str()).collect();
    let titles: Vec<&str> = apps.iter().map(|a| a.title.as_str()).collect();
    let (text_pairs, text_stats) = detect_text(&texts, &titles, cfg);
    let prepared: Vec<Prepared> = apps.iter().map(|a| prepare(a, cfg)).collect();

    let mut signals: BTreeMap<(usize, usize), Option<TextEvidence>> = BTreeMap::new();
    for p in text_pairs {
        signals.insert((p.a, p.b), Some(p.evidence));
    }
    // People: pairs within each person's group.
    let mut by_person: HashMap<[u8; 32], Vec<usize>> = HashMap::new();
    for (i, p) in prepared.iter().enumerate() {
        for t in &p.people {
            by_person.entry(t.digest).or_default().push(i);
        }
    }
    for group in by_person.values().filter(|g| g.len() <= MAX_PERSON_GROUP) {
        for (x, &i) in group.iter().enumerate() {
            for &j in &group[x + 1..] {
                signals.entry((i.min(j), i.max(j))).or_insert(None);
            }
        }
    }
    // Budget: pairs sharing a line that is not common.
    let mut budgets = BudgetIndex::default();
    for (i, p) in prepared.iter().enumerate() {
        budgets.add(i as u32, &p.budget, cfg);
    }
    let common = |l: &NormalLine| budgets.holders(l, cfg).len() > cfg.budget_common_max_docs;
    for (i, p) in prepared.iter().enumerate() {
        for l in &p.budget {
            let holders = budgets.holders(l, cfg);
            if holders.len() > cfg.budget_common_max_docs {
                continue;
            }
            for &j in holders.iter().filter(|&&j| j as usize > i) {
                signals.entry((i, j as usize)).or_insert(None);
            }
        }
    }
    let pairs = signals
        .into_iter()
        .filter_map(|((i, j), text)| {
            judge(
                side(&apps[i].id, &prepared[i]),
                side(&apps[j].id, &prepared[j]),
                text,
                cfg,
                common,
            )
        })
        .collect();
    CheckReport { pairs, text_stats }
}

/// Counts flagged pairs per kind.
pub fn count_kinds(pairs: &[FlaggedPair]) -> BTreeMap<MatchKind, usize> {
    let mut m = BTreeMap::new();
    for p in pairs {
        for k in &p.kinds {
            *m.entry(*k).or_insert(0) += 1;
        }
    }
    m
}
