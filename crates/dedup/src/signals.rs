//! The decision for one pair from all its signals (text, applicant, people, budget), shared by
//! the batch check, the index query and the pre-submission check.

use crate::align::TextEvidence;
use crate::budget::{shared_lines, NormalLine};
use crate::config::DedupConfig;
use crate::identity::{shared_people, PersonToken};
use crate::types::{FlaggedPair, MatchKind};

/// What the non-text checks need of one application.
#[derive(Debug, Clone, Copy)]
pub struct Side<'a> {
    /// Application id.
    pub id: &'a str,
    /// Normalised credit code.
    pub applicant: Option<&'a str>,
    /// Hashed team.
    pub people: &'a [PersonToken],
    /// Normalised budget.
    pub budget: &'a [NormalLine],
}

/// Share of the smaller team that must be shared, with the same applicant, to flag a pair on
/// people alone (the same firm re-filing with the same team).
pub const SAME_APPLICANT_PEOPLE_SHARE: f64 = 0.5;

/// Normalises a credit code for comparison (width and case folded, spaces removed).
pub fn normalise_credit_code(code: &str) -> Option<String> {
    let c: String = code
        .chars()
        .map(crate::normalize::fold_char)
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (!c.is_empty()).then_some(c)
}

/// Judges a pair. Flagged when the texts reuse each other, or the same budget lines are claimed,
/// or the same applicant files with largely the same team. Same applicant or shared people alone
/// are normal (a firm files several projects; an expert joins several teams) and are only
/// reported as kinds of a pair flagged for another reason.
pub fn judge(
    a: Side<'_>,
    b: Side<'_>,
    text: Option<TextEvidence>,
    cfg: &DedupConfig,
    common_line: impl Fn(&NormalLine) -> bool,
) -> Option<FlaggedPair> {
    let same_applicant = match (a.applicant, b.applicant) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    };
    let people = shared_people(a.people, b.people);
    let budget = shared_lines(a.budget, b.budget, cfg, common_line);
    let people_flag = same_applicant
        && people
            .as_ref()
            .is_some_and(|p| p.share >= SAME_APPLICANT_PEOPLE_SHARE);
    if text.is_none() && budget.is_none() && !people_flag {
        return None;
    }
    let mut kinds = Vec::new();
    if text.is_some() {
        kinds.push(MatchKind::Text);
    }
    if same_applicant {
        kinds.push(MatchKind::Applicant);
    }
    if people.is_some() {
        kinds.push(MatchKind::People);
    }
    if budget.is_some() {
        kinds.push(MatchKind::Budget);
    }
    Some(FlaggedPair {
        a: a.id.to_string(),
        b: b.id.to_string(),
        score: text.as_ref().map_or(0.0, |t| t.score),
        kinds,
        text,
        people,
        budget,
        applicant_credit_code: same_applicant.then(|| a.applicant.unwrap_or_default().to_string()),
    })
}
