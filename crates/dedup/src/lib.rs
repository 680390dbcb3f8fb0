//! Duplicate-application detection (重复申报): near-duplicate texts with boilerplate learned from
//! the corpus and sentence-aligned evidence, keyed-hash identity checks, budget-line checks, an
//! incremental index with a pre-submission check, and the validated JSONL batch contract.
//!
//! Method: texts are normalised (width, case, punctuation, spaces) and cut into sentences; each
//! sentence gives character 3-gram shingles. Shingles found in many applications (by default
//! 0.5 % of them, at least 20) are boilerplate and carry no weight; a sentence made mostly of them
//! is boilerplate as a whole. Candidates come from a consistent sample of the rarer informative
//! shingles (anchors) in an inverted index. Each candidate pair is verified exactly: a sentence
//! counts as reused when at least half of its informative shingles occur in the other text
//! (absorbing light edits, synonyms and reordering); the shares of reused sentences and of reused
//! content are taken both ways. A pair is a duplicate when its titles agree (generic title words
//! are learned as boilerplate too) and at least 30 % of each side's sentences, holding at least
//! 20 % of its content, are reused — or, whatever the titles, when at least 80 % of everything is.
//! See [`DedupConfig`] for the knobs.
//!
//! Entry points: [`run_jsonl`] (batch contract of `innomesh dedup`), [`check`] (batch over values),
//! [`DedupIndex`] (`insert`, `query`, `check_draft`), [`read_applications`] (validated input).

pub mod align;
pub mod anchors;
pub mod boilerplate;
pub mod budget;
pub mod check;
pub mod config;
pub mod error;
pub mod features;
pub mod hash;
pub mod identity;
pub mod index;
pub mod input;
pub mod normalize;
mod par;
pub mod run;
pub mod signals;
pub mod text;
pub mod types;

pub use align::{AlignedPassage, Span, TextEvidence};
pub use budget::{BudgetEvidence, SharedBudgetLine};
pub use check::{check, CheckReport};
pub use config::DedupConfig;
pub use error::{DedupError, ErrorCode, InputError};
pub use identity::{mask_id, IdentityKey, PeopleEvidence, SharedPerson};
pub use index::{DedupIndex, IndexStats};
pub use input::read_applications;
pub use run::{run_jsonl, Summary};
pub use text::{detect_text, TextPair, TextStats};
pub use types::{Application, BudgetLine, FlaggedPair, Match, MatchKind, TeamMember};

/// Pre-submission check: overlaps of `draft` with the earlier applications of the applicant
/// `applicant_credit_code` stored in `index`, never with another applicant's.
pub fn check_draft(
    draft: &Application,
    applicant_credit_code: &str,
    index: &DedupIndex,
) -> Vec<Match> {
    index.check_draft(draft, applicant_credit_code)
}
