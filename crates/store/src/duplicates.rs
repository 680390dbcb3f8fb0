//! Decisions on flagged duplicate applications (重复申报审查): the contract every backend keeps.
//! Each decision is audited in its transaction (kind `duplicate_decision`, not a registry version:
//! it changes no record, so derived data stay valid) and never changes; a new decision on the
//! same pair supersedes it.

use crate::{Actor, StoreError};
use serde::Serialize;

/// 确认重复 or 排除.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DuplicateVerdict {
    Confirmed,
    Excluded,
}

impl DuplicateVerdict {
    pub fn code(self) -> &'static str {
        match self {
            DuplicateVerdict::Confirmed => "confirmed",
            DuplicateVerdict::Excluded => "excluded",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            DuplicateVerdict::Confirmed => "确认重复",
            DuplicateVerdict::Excluded => "排除",
        }
    }

    pub fn parse(s: &str) -> Option<DuplicateVerdict> {
        match s.trim() {
            "confirmed" => Some(DuplicateVerdict::Confirmed),
            "excluded" => Some(DuplicateVerdict::Excluded),
            _ => None,
        }
    }
}

/// One stored decision. `app_a < app_b` (the pair in id order, whichever order it was named in).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DuplicateDecision {
    pub seq: i64,
    pub app_a: String,
    pub app_b: String,
    pub decision: DuplicateVerdict,
    pub reason: String,
    /// The pair's text reuse shown when it was decided (none for pairs without text reuse).
    pub score: Option<f64>,
    pub decided_by: String,
    pub decided_role: String,
    pub decided_at: String,
}

pub trait DuplicateStore {
    /// Records a decision on the pair of applications `a`, `b` (either order; both must exist and
    /// differ; an exclusion needs a reason) with its audit entry, and returns it.
    fn duplicate_decide(
        &self,
        a: &str,
        b: &str,
        decision: DuplicateVerdict,
        reason: &str,
        score: Option<f64>,
        actor: &Actor,
    ) -> Result<DuplicateDecision, StoreError>;
    /// The current decision of every decided pair (the latest per pair), in pair order.
    fn duplicate_decisions(&self) -> Result<Vec<DuplicateDecision>, StoreError>;
    /// Every decision on one pair (either order), oldest first.
    fn duplicate_history(&self, a: &str, b: &str) -> Result<Vec<DuplicateDecision>, StoreError>;
}

/// The pair in id order.
pub fn ordered<'a>(a: &'a str, b: &'a str) -> (&'a str, &'a str) {
    if a <= b {
        (a, b)
    } else {
        (b, a)
    }
}
