//! The application as detection sees it, and the matches it reports.

use serde::{Deserialize, Serialize};

use crate::align::TextEvidence;
use crate::budget::BudgetEvidence;
use crate::identity::PeopleEvidence;

/// A funding application (项目申报). Only `id`, `title` and `text` are required; the other fields
/// enable the applicant, people and budget checks.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Application {
    /// Unique id of the application.
    pub id: String,
    /// Title; not used for text similarity because re-filings change titles freely.
    pub title: String,
    /// Body text compared for reuse.
    pub text: String,
    /// 统一社会信用代码 of the applicant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applicant_credit_code: Option<String>,
    /// Programme (专项) applied to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub programme: Option<String>,
    /// Year of the call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year: Option<i32>,
    /// Team members; their ID numbers are hashed with the configured key on entry and dropped.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub team: Vec<TeamMember>,
    /// Budget lines claimed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub budget: Vec<BudgetLine>,
}

impl Application {
    /// An application with only the text fields.
    pub fn new(id: impl Into<String>, title: impl Into<String>, text: impl Into<String>) -> Self {
        Application {
            id: id.into(),
            title: title.into(),
            text: text.into(),
            ..Default::default()
        }
    }
}

/// A team member as submitted. `Debug` shows the ID number masked.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamMember {
    /// Name (shown in evidence).
    #[serde(default)]
    pub name: String,
    /// 身份证号; never stored or shown in full.
    pub id_number: String,
}

impl std::fmt::Debug for TeamMember {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TeamMember")
            .field("name", &self.name)
            .field("id_number", &crate::identity::mask_id(&self.id_number))
            .finish()
    }
}

/// A budget line as submitted.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BudgetLine {
    /// Item name (科目/内容).
    pub item: String,
    /// Amount in yuan (or any fixed unit, the same across applications).
    pub amount: f64,
}

/// The kinds of signal a flagged pair can carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchKind {
    /// The texts reuse each other.
    Text,
    /// Same applicant credit code.
    Applicant,
    /// Shared team members (by keyed hash of the ID number).
    People,
    /// The same budget lines claimed in both.
    Budget,
}

/// A pair judged duplicate (or, for `Match`, a stored application matching a query).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlaggedPair {
    /// Id of the first application.
    pub a: String,
    /// Id of the second application.
    pub b: String,
    /// Text score when the texts were compared, else 0.
    pub score: f64,
    /// Signals found, sorted.
    pub kinds: Vec<MatchKind>,
    /// Text evidence, when `kinds` has `text`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<TextEvidence>,
    /// Shared people (masked), when `kinds` has `people`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub people: Option<PeopleEvidence>,
    /// Duplicated budget lines, when `kinds` has `budget`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub budget: Option<BudgetEvidence>,
    /// The shared credit code, when `kinds` has `applicant`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub applicant_credit_code: Option<String>,
}

/// A stored application that matches a query, from [`crate::DedupIndex::query`]: `a` is the
/// query's id, `b` the stored application's.
pub type Match = FlaggedPair;

impl FlaggedPair {
    /// The signal the pair was flagged for, which is what a reviewer checks first: reused text;
    /// else the same applicant filing with largely the same team (see [`crate::signals::judge`]);
    /// else the same budget lines. Same applicant or shared people alone never flag a pair, so
    /// they are the reason only together.
    pub fn flagged_for(&self) -> MatchKind {
        if self.text.is_some() {
            MatchKind::Text
        } else if self.applicant_credit_code.is_some()
            && self
                .people
                .as_ref()
                .is_some_and(|p| p.share >= crate::signals::SAME_APPLICANT_PEOPLE_SHARE)
        {
            MatchKind::People
        } else {
            MatchKind::Budget
        }
    }
}
